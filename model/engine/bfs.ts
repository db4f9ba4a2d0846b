import { FingerprintSet } from './fingerprint-set.js';
import { LevelExpander } from './level-expander.js';
import { type Limits, SLICE_MS } from './limits.js';
import type { Model } from './model.js';
import { localLookup, ParentLinks, pathTo } from './parent-links.js';
import { SleepSets } from './por.js';
import { ProgressMeter } from './progress.js';
import { RecoveryRecorder, recoveryVerdicts } from './recoverability.js';
import { buildResult } from './result.js';
import type { ExploreResult, Progress } from './types.js';

/**
 * Breadth-first search in this thread, level by level: the first violation found is at the
 * least depth, and its parent-link path is a shortest counterexample.
 */
export async function bfs<S, A, F>(
  model: Model<S, A, F>,
  limits: Limits,
  onProgress?: (p: Progress) => void,
  notes: string[] = [],
  partialOrder = false,
): Promise<ExploreResult<S, A, F>> {
  const links = new ParentLinks();
  const order = partialOrder ? model.partialOrder : undefined;
  const sleep = order === undefined ? undefined : new SleepSets(model, order);
  const meter = new ProgressMeter(onProgress);
  let depth = 0;
  // The expander's halt word ends a time slice: every SLICE_MS the level is paused, the event
  // loop let in (a signal handler may set limits.halt), and the level resumed unless halted.
  const slice = new Int32Array(1);
  let sliceStarted = Date.now();
  // The state graph is kept only for a model with recoverability properties (recoverability.ts).
  const recorder = (model.recoverable?.length ?? 0) > 0 ? new RecoveryRecorder(model) : null;
  const ex: LevelExpander<S, A> = new LevelExpander(model, FingerprintSet.create(1 << 10, false), links, {
    stopOnViolation: limits.stopOnViolation,
    maxStates: limits.maxStates,
    deadline: limits.deadline,
    globalId: (local) => local,
    growInPlace: true,
    ...(sleep === undefined ? {} : { sleep: sleep as SleepSets<unknown, unknown> }),
    halt: slice,
    ...(recorder === null ? {} : { onEdge: (from: number, state: S, hi: number, lo: number) => recorder.record(from, state, hi, lo) }),
    onTick: () => {
      if (Date.now() - sliceStarted >= SLICE_MS) Atomics.store(slice, 0, 1);
      if (meter.due()) {
        meter.report({ distinctStates: ex.set.size, generatedStates: ex.generated, depth, queue: ex.remaining + ex.next.length });
      }
    },
  });
  ex.seed(() => true);
  ex.advance();
  let deepest = 0;
  while (ex.stopReason === null && ex.frontier.length > 0) {
    const probeOnly = depth >= limits.maxDepth;
    ex.expandLevel(depth, probeOnly);
    while (ex.stopReason === 'halted') {
      await new Promise((resolve) => setImmediate(resolve));
      if (limits.halt !== undefined && Atomics.load(limits.halt, 0) !== 0) break;
      ex.stopReason = null; // only the slice ended: resume the level where it paused
      Atomics.store(slice, 0, 0);
      sliceStarted = Date.now();
      ex.expandLevel(depth, probeOnly);
    }
    if (probeOnly) break;
    if (ex.next.length > 0) deepest = depth + 1;
    ex.advance();
    sleep?.advance();
    depth++;
  }
  const link = localLookup(links);
  const violations = new Map(ex.violations);
  let recovery;
  if (recorder !== null) {
    const verdicts = recoveryVerdicts(recorder, ex.stopReason, ex.set.size, notes);
    for (const [name, id] of verdicts.stuck) violations.set(name, { id, depth: pathTo(id, link).actions.length });
    recovery = verdicts.summary;
  }
  return buildResult(model, {
    strategy: 'bfs',
    stopReason: ex.stopReason,
    distinctStates: ex.set.size,
    generatedStates: ex.generated,
    depth: deepest,
    startedAt: limits.startedAt,
    violations,
    goals: ex.goals,
    link,
    fingerprintSetBytes: ex.set.byteLength,
    parentLinkBytes: links.byteLength,
    workers: 1,
    ...(sleep === undefined ? {} : { asleep: sleep.asleep }),
    notes,
    unexplored: ex.remaining + ex.next.length,
    ...(recovery === undefined ? {} : { recovery }),
  });
}
