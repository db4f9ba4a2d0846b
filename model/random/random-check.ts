import fc from 'fast-check';
import type { RaftAction } from '../raft/actions.js';
import type { Bounds } from '../raft/bounds.js';
import { createModel, type RaftModel } from '../raft/model.js';
import type { SystemState } from '../raft/system.js';
import { walk, type WalkStep } from './schedule.js';

/** Bounds far past the exhaustive ones: the randomized checker's defaults. */
export const RANDOM_BOUNDS: Bounds = {
  servers: 5,
  maxTerm: 10,
  maxLog: 20,
  maxCommands: 20,
  maxCrashes: 6,
  maxMessages: 24,
  drop: true,
  duplicate: true,
  crashMidStep: true,
};

/**
 * Random walks favour what makes progress (delivering messages, client requests, restarts) over
 * faults, so runs get deep into the protocol instead of churning terms.
 */
export function raftWeight(a: RaftAction): number {
  if ('crashMidStep' in a && a.crashMidStep) return 1;
  switch (a.kind) {
    case 'Receive': return 24;
    case 'ClientRequest': return 12;
    case 'Restart': return 12;
    case 'Heartbeat': return 4;
    case 'Timeout': return 2;
    case 'DropMessage': return 2;
    case 'DuplicateMessage': return 2;
    case 'Crash': return 1;
  }
}

/** Swarm testing: each run draws which kinds of fault it may use. */
export interface Swarm {
  readonly drop: boolean;
  readonly duplicate: boolean;
  readonly crash: boolean;
  readonly crashMidStep: boolean;
}

export interface RandomOptions {
  readonly bounds?: Partial<Bounds>;
  readonly mutant?: string;
  readonly runs?: number;
  readonly depth?: number;
  readonly seed?: number;
  /** Replays one recorded failure (with its seed). */
  readonly path?: string;
  readonly timeLimitMs?: number;
  readonly onProgress?: (p: { runs: number; steps: number; stepsPerSecond: number }) => void;
}

export interface RandomResult {
  readonly result: 'ok' | 'violation';
  readonly runs: number;
  readonly steps: number;
  readonly seconds: number;
  readonly seed: number;
  readonly interrupted: boolean;
  readonly goalsReached: readonly string[];
  readonly failure?: {
    readonly invariant: string;
    readonly swarm: Swarm;
    readonly model: RaftModel;
    readonly trace: readonly WalkStep<SystemState, RaftAction>[];
    /** fast-check's replay path: with the seed, re-runs exactly this shrunk counterexample. */
    readonly path: string;
    readonly shrinks: number;
  };
}

const swarmArb: fc.Arbitrary<Swarm> = fc.record({ drop: fc.boolean(), duplicate: fc.boolean(), crash: fc.boolean(), crashMidStep: fc.boolean() });

export function randomCheck(o: RandomOptions = {}): RandomResult {
  const base: Bounds = { ...RANDOM_BOUNDS, ...o.bounds };
  const depth = o.depth ?? 300;
  const models = new Map<string, RaftModel>();
  const modelFor = (w: Swarm): RaftModel => {
    const key = JSON.stringify(w);
    let m = models.get(key);
    if (!m) {
      const bounds: Bounds = {
        ...base,
        drop: base.drop && w.drop,
        duplicate: base.duplicate && w.duplicate,
        maxCrashes: w.crash ? base.maxCrashes : 0,
        crashMidStep: base.crashMidStep && w.crash && w.crashMidStep,
      };
      m = createModel({ bounds, symmetry: false, memo: false, ...(o.mutant !== undefined ? { mutant: o.mutant } : {}) });
      models.set(key, m);
    }
    return m;
  };
  const startedAt = Date.now();
  let runs = 0;
  let steps = 0;
  let lastProgress = startedAt;
  const goals = new Set<string>();
  const property = fc.property(swarmArb, fc.array(fc.nat({ max: 0xffff }), { minLength: 1, maxLength: depth, size: 'max' }), (swarm, schedule) => {
    const r = walk(modelFor(swarm), schedule, raftWeight);
    runs++;
    steps += r.steps.length - 1;
    for (const g of r.goalsReached) goals.add(g);
    const now = Date.now();
    if (o.onProgress && now - lastProgress >= 1000) {
      lastProgress = now;
      o.onProgress({ runs, steps, stepsPerSecond: steps / ((now - startedAt) / 1000) });
    }
    return r.violated === null;
  });
  const seed = o.seed ?? (Date.now() ^ 0x5eed) | 0;
  const details = fc.check(property, {
    numRuns: o.runs ?? 200,
    seed,
    ...(o.path !== undefined ? { path: o.path } : {}),
    ...(o.timeLimitMs !== undefined ? { plugins: [fc.interruptAfterTimeLimit(o.timeLimitMs)] } : {}),
  });
  const seconds = (Date.now() - startedAt) / 1000;
  // fast-check's numRuns counts the runs up to the first failure; our own counters include shrinking.
  const summary = { runs: details.failed ? details.numRuns : runs, steps, seconds, seed: details.seed, interrupted: details.interrupted, goalsReached: [...goals] };
  if (!details.failed || !details.counterexample) return { result: 'ok', ...summary };
  const [swarm, schedule] = details.counterexample as [Swarm, number[]];
  const model = modelFor(swarm);
  const replayed = walk(model, schedule, raftWeight);
  if (!replayed.violated) throw new Error('the shrunk counterexample does not fail again: the model is not deterministic');
  return {
    result: 'violation',
    ...summary,
    failure: {
      invariant: replayed.violated,
      swarm,
      model,
      trace: replayed.steps,
      path: details.counterexamplePath ?? '',
      shrinks: details.numShrinks,
    },
  };
}
