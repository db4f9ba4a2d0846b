import {
  DEFAULT_TIMING, SimNetwork, freshSeed, realClock, seededRandom, simWorld,
  type Clock, type RandomSource, type Timing,
} from '../../../src/runtime/index.js';
import type { StepConfig } from '../../../src/core/index.js';

/**
 * Everything nondeterministic a lab test touches: time (sleeps, timers, the 120 s limit),
 * randomness (election timeouts, network faults, the tests' own choices) from one seeded
 * source, and the network. The tests are written once against this and run in real time or
 * in the simulated world (src/runtime/sim/world.ts).
 */
export interface LabEnv {
  readonly mode: 'real' | 'sim';
  readonly seed: number;
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly timing: Timing;
  /** The network of a test's servers, on this environment's clock and random source. */
  network(servers: number): SimNetwork;
  /** The core's config for every node (absent: the runtime's default). */
  readonly stepConfig?: StepConfig;
  /** A failure inside the clock's own callbacks (simulation only), to fail the test with. */
  clockFailure(): unknown;
  log(line: string): void;
  /** Simulation only: virtual time and timer count so far, a fingerprint to compare replays by. */
  fingerprint(): string;
  dispose(): void;
}

export function realEnv(seed: number = freshSeed(), log: (line: string) => void = console.log): LabEnv {
  return {
    mode: 'real',
    seed,
    clock: realClock,
    random: seededRandom(seed),
    timing: DEFAULT_TIMING,
    // No added jitter in real time: the event loop reorders messages on its own.
    network(servers) { return new SimNetwork({ servers, clock: this.clock, random: this.random }); },
    clockFailure: () => undefined,
    log,
    fingerprint: () => '',
    dispose: () => undefined,
  };
}

export function simEnv(seed: number, log: (line: string) => void = () => undefined, stepConfig?: StepConfig): LabEnv {
  const world = simWorld(seed);
  return {
    ...(stepConfig !== undefined ? { stepConfig } : {}),
    mode: 'sim',
    seed,
    clock: world.clock,
    random: world.random,
    timing: DEFAULT_TIMING,
    network: world.network,
    clockFailure: () => world.clock.failure,
    log,
    fingerprint: world.fingerprint,
    dispose: world.stop,
  };
}

/** A test's seed from a run seed, so each test of a suite run draws its own stream. */
export function testSeed(runSeed: number, testName: string): number {
  let h = runSeed >>> 0;
  for (let i = 0; i < testName.length; i++) h = Math.imul(h ^ testName.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
