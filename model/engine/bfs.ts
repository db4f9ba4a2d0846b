import { FingerprintSet } from './fingerprint-set.js';
import { LevelExpander } from './level-expander.js';
import type { Limits } from './limits.js';
import type { Model } from './model.js';
import { localLookup, ParentLinks } from './parent-links.js';
import { SleepSets } from './por.js';
import { ProgressMeter } from './progress.js';
import { buildResult } from './result.js';
import type { ExploreResult, Progress } from './types.js';

/**
 * Breadth-first search in this thread, level by level: the first violation found is at the
 * least depth, and its parent-link path is a shortest counterexample.
 */
export function bfs<S, A, F>(
  model: Model<S, A, F>,
  limits: Limits,
  onProgress?: (p: Progress) => void,
  notes: string[] = [],
  partialOrder = false,
): ExploreResult<S, A, F> {
  const links = new ParentLinks();
  const order = partialOrder ? model.partialOrder : undefined;
  const sleep = order === undefined ? undefined : new SleepSets(model, order);
  const meter = new ProgressMeter(onProgress);
  let depth = 0;
  const ex: LevelExpander<S, A> = new LevelExpander(model, FingerprintSet.create(1 << 10, false), links, {
    stopOnViolation: limits.stopOnViolation,
    maxStates: limits.maxStates,
    deadline: limits.deadline,
    globalId: (local) => local,
    growInPlace: true,
    ...(sleep === undefined ? {} : { sleep: sleep as SleepSets<unknown, unknown> }),
    onTick: () => {
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
    if (probeOnly) break;
    if (ex.next.length > 0) deepest = depth + 1;
    ex.advance();
    sleep?.advance();
    depth++;
  }
  return buildResult(model, {
    strategy: 'bfs',
    stopReason: ex.stopReason,
    distinctStates: ex.set.size,
    generatedStates: ex.generated,
    depth: deepest,
    startedAt: limits.startedAt,
    violations: ex.violations,
    goals: ex.goals,
    link: localLookup(links),
    fingerprintSetBytes: ex.set.byteLength,
    parentLinkBytes: links.byteLength,
    workers: 1,
    ...(sleep === undefined ? {} : { asleep: sleep.asleep }),
    notes,
  });
}
