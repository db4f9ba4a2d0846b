import { seededRandom, type RandomSource } from '../random.js';
import { SimNetwork } from './network.js';
import { VirtualClock } from './virtualClock.js';

/**
 * Each message of a simulated reliable network is delayed by up to this much (uniform), standing
 * in for the scheduling of labrpc's goroutines: messages reorder as on a real machine.
 */
const SIM_JITTER_MS = 1;

/**
 * One simulated world: a virtual clock, one seeded random source from which every timer,
 * network fault and test choice of a run is drawn, and the simulated network over both. A run
 * in it is a function of its seed, and replays exactly. The lab harness (simulated mode),
 * `npm run sim` and the scenario tests built on the harness all run in one of these.
 */
export interface SimWorld {
  readonly seed: number;
  readonly clock: VirtualClock;
  readonly random: RandomSource;
  /** A network of `servers` servers on this world's clock and random source. */
  network(servers: number): SimNetwork;
  /** Virtual time and timers fired so far: a fingerprint to compare replays by. */
  fingerprint(): string;
  /** Stops the clock: no timer fires any more. */
  stop(): void;
}

export function simWorld(seed: number): SimWorld {
  const clock = new VirtualClock();
  const random = seededRandom(seed);
  return {
    seed,
    clock,
    random,
    network: (servers) => new SimNetwork({ servers, clock, random, jitterMs: SIM_JITTER_MS }),
    fingerprint: () => `t=${clock.now().toFixed(3)}ms events=${clock.events}`,
    stop: () => clock.stop(),
  };
}
