import { fingerprintState, fp } from './fingerprint.js';
import { FingerprintSet, FULL, INSERTED } from './fingerprint-set.js';
import type { Found, StopReason } from './level-expander.js';
import { type Limits, SLICE_MS } from './limits.js';
import type { Model } from './model.js';
import { localLookup, ParentLinks, ROOT } from './parent-links.js';
import { ProgressMeter } from './progress.js';
import { buildResult } from './result.js';
import type { ExploreResult, Progress } from './types.js';

interface Frame<S, A> {
  readonly state: S;
  readonly id: number;
  readonly depth: number;
  readonly actions: readonly A[];
  next: number;
}

/**
 * Depth-first search in this thread: same fingerprint set and checks as BFS, far smaller
 * frontier, but counterexamples are not shortest. With maxDepth, a state first met deep is not
 * revisited when met again shallower, so any cut makes the run 'incomplete'.
 */
export async function dfs<S, A, F>(
  model: Model<S, A, F>,
  limits: Limits,
  onProgress?: (p: Progress) => void,
  notes: string[] = [],
): Promise<ExploreResult<S, A, F>> {
  let breathed = Date.now();
  let set = FingerprintSet.create(1 << 10, false);
  const links = new ParentLinks();
  const meter = new ProgressMeter(onProgress);
  const violations = new Map<string, Found>();
  const goals = new Map<string, Found>();
  const stack: Frame<S, A>[] = [];
  let generated = 0;
  let deepest = 0;
  let expanded = 0;
  let stopReason: StopReason | null = null;
  let cut = false;

  /** Inserts a reached state; pushes it when new. */
  const reach = (state: S, parent: number, action: number, depth: number): void => {
    fingerprintState(model, state);
    let r = set.insert(fp.hi, fp.lo);
    while (r === FULL) {
      set = set.grown();
      r = set.insert(fp.hi, fp.lo);
    }
    if (r !== INSERTED) return;
    const id = links.add(parent, action);
    deepest = Math.max(deepest, depth);
    for (const inv of model.invariants) {
      if (!violations.has(inv.name) && inv.check(state) !== null) {
        violations.set(inv.name, { id, depth });
        if (limits.stopOnViolation) stopReason ??= 'violation';
      }
    }
    for (const goal of model.goals) {
      if (!goals.has(goal.name) && goal.holds(state)) goals.set(goal.name, { id, depth });
    }
    if (set.size >= limits.maxStates) stopReason ??= 'maxStates';
    stack.push({ state, id, depth, actions: model.actions(state), next: 0 });
  };

  model.initialStates().forEach((state, i) => {
    if (stopReason !== null) return;
    generated++;
    reach(state, ROOT, i, 0);
  });

  while (stopReason === null) {
    const top = stack[stack.length - 1];
    if (top === undefined) break;
    if (top.next >= top.actions.length) {
      stack.pop();
      continue;
    }
    const i = top.next++;
    if ((++expanded & 255) === 0) {
      const now = Date.now();
      if (now > limits.deadline) stopReason = 'timeLimit';
      if (now - breathed >= SLICE_MS) {
        // Let the event loop in, so that a signal handler can set limits.halt.
        await new Promise((resolve) => setImmediate(resolve));
        breathed = Date.now();
        if (limits.halt !== undefined && Atomics.load(limits.halt, 0) !== 0) stopReason = 'halted';
      }
      if (meter.due()) meter.report({ distinctStates: set.size, generatedStates: generated, depth: top.depth, queue: stack.length });
    }
    const succ = model.next(top.state, top.actions[i] as A);
    if (succ === null) continue;
    if (top.depth >= limits.maxDepth) {
      fingerprintState(model, succ);
      if (!set.has(fp.hi, fp.lo)) cut = true;
      continue;
    }
    generated++;
    reach(succ, top.id, i, top.depth + 1);
  }

  // Keep searching past a depth cut (the rest may still violate), but report the run incomplete.
  if (stopReason === null && cut) stopReason = 'maxDepth';
  return buildResult(model, {
    strategy: 'dfs',
    stopReason,
    distinctStates: set.size,
    generatedStates: generated,
    depth: deepest,
    startedAt: limits.startedAt,
    violations,
    goals,
    link: localLookup(links),
    fingerprintSetBytes: set.byteLength,
    parentLinkBytes: links.byteLength,
    workers: 1,
    notes,
    unexplored: stack.length,
  });
}
