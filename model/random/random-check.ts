import fc from 'fast-check';
import { randomWalk } from '../engine/random-walk.js';
import type { TraceStep } from '../engine/replay.js';
import type { RaftAction } from '../raft/actions.js';
import type { Bounds } from '../raft/bounds.js';
import type { Finding } from '../raft/finding.js';
import { createModel, type RaftModel } from '../raft/model.js';
import type { ReducerVariant } from '../raft/reducer.js';
import type { SystemState } from '../raft/system.js';
import { type Coverage, CoverageMeter } from './coverage.js';

/** Bounds far past the exhaustive ones: the randomized checker's defaults. */
export const RANDOM_BOUNDS: Bounds = {
  servers: 5,
  maxTerm: 10,
  maxLog: 20,
  maxCommands: 20,
  maxCrashes: 6,
  maxMessages: 24,
  maxSnapshots: 10,
  drop: true,
  duplicate: true,
  crashMidStep: true,
  preVote: true,
  checkQuorum: true,
};

/** Swarm testing: each run draws its cluster size, the kinds of fault it may use, and how eagerly each kind of move is picked. */
export interface Swarm {
  readonly servers: number;
  readonly drop: boolean;
  readonly duplicate: boolean;
  readonly crash: boolean;
  readonly crashMidStep: boolean;
  /**
   * Relative weight of each kind of move. A low weight on delivering one message type lets those
   * messages linger in the network for a long time (long delays and reordering); a low weight on
   * timeouts gives long stable terms, a high one election storms.
   */
  readonly weights: Readonly<Record<MoveKind, number>>;
  /** Servers whose outgoing messages are delivered 24 times less eagerly (a slow link or node). */
  readonly slowSenders: readonly boolean[];
  /** The core's cap on entries per AppendEntries (null: none). Drawn only for the production core. */
  readonly maxEntriesPerAppend: number | null;
}

export type MoveKind =
  | 'RequestVote' | 'RequestVoteReply' | 'AppendEntries' | 'AppendEntriesReply' | 'InstallSnapshot' | 'InstallSnapshotReply'
  | 'PreVote' | 'PreVoteReply'
  | 'Timeout' | 'Heartbeat' | 'ClientRequest' | 'Snapshot' | 'DropMessage' | 'DuplicateMessage' | 'Crash' | 'Restart' | 'CrashMidStep'
  | 'ChangeMembership';

/** The snapshot moves' weights (Figure 13): drawn like the others' for the production core. */
type SnapshotMoveKind = 'InstallSnapshot' | 'InstallSnapshotReply' | 'Snapshot';

export function moveKind(a: RaftAction): MoveKind {
  if ('crashMidStep' in a && a.crashMidStep) return 'CrashMidStep';
  return a.kind === 'Receive' ? a.message.type : a.kind;
}

const LEVELS = [1, 4, 24] as const;

/**
 * The production core's runs are all at `servers` (5 by default: the size no exhaustive pass
 * reaches in a minute; the default check covers 3 and 4). Mutants keep the arbitrary they always
 * had, which draws 3..servers, so a mutant's seed draws the swarm it drew before (reports/mutants).
 */
function swarmArb(maxServers: number, drawCap: boolean): fc.Arbitrary<Swarm> {
  const level = fc.constantFrom(...LEVELS);
  const cap: fc.Arbitrary<number | null> = drawCap ? fc.constantFrom(null, 1, 2, 5) : fc.constant(null);
  const snapshotWeights: fc.Arbitrary<Record<SnapshotMoveKind, number>> = drawCap
    ? fc.record({ InstallSnapshot: level, InstallSnapshotReply: level, Snapshot: fc.constantFrom(1, 4) })
    : fc.constant({ InstallSnapshot: 4, InstallSnapshotReply: 4, Snapshot: 2 });
  return fc.tuple(fc.record({
    servers: drawCap ? fc.constant(maxServers) : fc.integer({ min: Math.min(3, maxServers), max: maxServers }),
    drop: fc.boolean(),
    duplicate: fc.boolean(),
    crash: fc.boolean(),
    crashMidStep: fc.boolean(),
    weights: fc.record({
      RequestVote: level, RequestVoteReply: level, AppendEntries: level, AppendEntriesReply: level, PreVote: level, PreVoteReply: level,
      Timeout: fc.constantFrom(1, 2, 8), Heartbeat: fc.constantFrom(1, 4), ClientRequest: fc.constantFrom(4, 12),
      DropMessage: fc.constantFrom(1, 2), DuplicateMessage: fc.constantFrom(1, 2), Crash: fc.constant(1),
      Restart: fc.constantFrom(2, 12), CrashMidStep: fc.constant(1),
    }),
    slowSenders: fc.array(fc.nat({ max: 3 }).map((x) => x === 0), { minLength: maxServers, maxLength: maxServers }),
  // ChangeMembership's weight is a constant set outside the drawn record, so that every seed draws
  // the swarm it drew before membership (it is enabled only with --max-config-changes).
  }), cap, snapshotWeights).map(([swarm, maxEntriesPerAppend, snapshot]) => ({ ...swarm, weights: { ...swarm.weights, ...snapshot, ChangeMembership: 4 }, maxEntriesPerAppend }));
}

export interface RandomOptions {
  readonly bounds?: Partial<Bounds>;
  /** A reducer to check instead of the production core (a mutant). */
  readonly variant?: ReducerVariant;
  readonly runs?: number;
  readonly depth?: number;
  readonly seed?: number;
  /** Replays one recorded failure (with its seed). */
  readonly path?: string;
  readonly timeLimitMs?: number;
  /** Polled between runs (and the event loop is let in every 50 ms, so a signal handler can set it): true ends the search, as a time limit does. */
  readonly halt?: () => boolean;
  /** How long shrinking a failure may take after the search found it (default 60 s). */
  readonly shrinkTimeLimitMs?: number;
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
  /** halt() ended it. */
  readonly halted: boolean;
  readonly coverage: Coverage;
  readonly failure?: {
    readonly invariant: string;
    readonly finding: Finding;
    readonly swarm: Swarm;
    readonly model: RaftModel;
    readonly trace: readonly TraceStep<SystemState, RaftAction>[];
    /** fast-check's replay path: with the seed, re-runs exactly this shrunk counterexample. */
    readonly path: string;
    readonly shrinks: number;
  };
}


/** Ends the search (as fast-check's own time limit does: an interrupt, not a failure) once halt() says so. */
function haltWhen<Ts>(halt: () => boolean): fc.Plugin<Ts> {
  return () => ({ decorateRun: (run) => (value) => (halt() ? new fc.PreconditionFailure(true) : run(value)) });
}

/** Lets the event loop in (signal handlers, timers) at most every `everyMs`. */
function breather(everyMs: number): () => Promise<void> | undefined {
  let last = Date.now();
  return () => {
    const now = Date.now();
    if (now - last < everyMs) return undefined;
    last = now;
    return new Promise((resolve) => setImmediate(resolve));
  };
}

export async function randomCheck(o: RandomOptions = {}): Promise<RandomResult> {
  const base: Bounds = { ...RANDOM_BOUNDS, ...o.bounds };
  const depth = o.depth ?? 300;
  const models = new Map<string, RaftModel>();
  const modelFor = (w: Swarm): RaftModel => {
    const key = JSON.stringify([w.servers, w.drop, w.duplicate, w.crash, w.crashMidStep, w.maxEntriesPerAppend]);
    let m = models.get(key);
    if (!m) {
      const bounds: Bounds = {
        ...base,
        servers: w.servers,
        drop: base.drop && w.drop,
        duplicate: base.duplicate && w.duplicate,
        maxCrashes: w.crash ? base.maxCrashes : 0,
        crashMidStep: base.crashMidStep && w.crash && w.crashMidStep,
        ...(w.maxEntriesPerAppend !== null ? { maxEntriesPerAppend: w.maxEntriesPerAppend } : {}),
      };
      m = createModel({ bounds, symmetry: false, memo: false, ...(o.variant !== undefined ? { variant: o.variant } : {}) });
      models.set(key, m);
    }
    return m;
  };
  const startedAt = Date.now();
  let runs = 0;
  let steps = 0;
  let lastProgress = startedAt;
  const goals = new Set<string>();
  const coverage = new CoverageMeter();
  const breathe = breather(50);
  let halted = false;
  const halt = (): boolean => (halted ||= o.halt?.() === true);
  const weightOf = (w: Swarm) => (a: RaftAction): number => {
    const base = w.weights[moveKind(a)];
    return a.kind === 'Receive' && w.slowSenders[a.message.from] ? Math.max(1, Math.round(base / 24)) : base;
  };
  const property = fc.asyncProperty(swarmArb(base.servers, o.variant === undefined && base.maxEntriesPerAppend === undefined), fc.array(fc.nat({ max: 0xffff }), { minLength: 1, maxLength: depth, size: 'max' }), async (swarm, schedule) => {
    await breathe();
    const model = modelFor(swarm);
    const r = randomWalk(model, schedule, { weight: weightOf(swarm) });
    coverage.run(model, r.trace.map((t) => t.state));
    runs++;
    steps += r.trace.length - 1;
    for (const g of r.goalsReached) goals.add(g);
    const now = Date.now();
    if (o.onProgress && now - lastProgress >= 1000) {
      lastProgress = now;
      o.onProgress({ runs, steps, stepsPerSecond: steps / ((now - startedAt) / 1000) });
    }
    return r.violation === null;
  });
  const seed = o.seed ?? (Date.now() ^ 0x5eed) | 0;
  // Search without shrinking under the time limit, then shrink the failure on a budget of its
  // own, starting from it (fast-check replays a path from its seed), so a search that used
  // up its time still ends in a short counterexample.
  const plugins = (limitMs: number | undefined): fc.Plugin<unknown>[] =>
    [haltWhen(halt), ...(limitMs !== undefined ? [fc.interruptAfterTimeLimit(limitMs)] : [])];
  let details = await fc.check(property, {
    // No runs given: as many as the time limit allows (200 without one).
    numRuns: o.runs ?? (o.timeLimitMs !== undefined ? Number.MAX_SAFE_INTEGER : 200),
    seed,
    endOnFailure: o.path === undefined,
    ...(o.path !== undefined ? { path: o.path } : {}),
    plugins: plugins(o.timeLimitMs),
  });
  const foundAfterRuns = details.numRuns;
  if (details.failed && o.path === undefined && details.counterexamplePath) {
    details = await fc.check(property, { seed: details.seed, path: details.counterexamplePath, plugins: plugins(o.shrinkTimeLimitMs ?? 60_000) });
  }
  const seconds = (Date.now() - startedAt) / 1000;
  // fast-check's numRuns counts the runs up to the first failure; our own counters include shrinking.
  const summary = { runs: details.failed ? foundAfterRuns : runs, steps, seconds, seed: details.seed, interrupted: details.interrupted, goalsReached: [...goals], halted, coverage: coverage.value };
  if (!details.failed || !details.counterexample) return { result: 'ok', ...summary };
  const [swarm, schedule] = details.counterexample as [Swarm, number[]];
  const model = modelFor(swarm);
  const replayed = randomWalk(model, schedule, { weight: weightOf(swarm) });
  if (!replayed.violation) throw new Error('the shrunk counterexample does not fail again: the model is not deterministic');
  return {
    result: 'violation',
    ...summary,
    failure: {
      invariant: replayed.violation.invariant,
      finding: replayed.violation.finding,
      swarm,
      model,
      trace: replayed.trace,
      path: details.counterexamplePath ?? '',
      shrinks: details.numShrinks,
    },
  };
}
