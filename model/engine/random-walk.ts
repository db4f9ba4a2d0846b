import type { Model } from './model.js';
import type { TraceStep } from './replay.js';

/**
 * Random simulation, the third search strategy beside BFS and DFS (cf. Stateright's
 * `simulation`): one path through the model, each step an enabled action picked by the next
 * number of a seeded schedule, invariants and goals checked on every state. The schedule is the
 * whole source of randomness, so a walk is replayed exactly from it, and any shrunk or truncated
 * schedule is still a valid walk.
 */

/** How often an action is picked relative to the others (a positive integer). */
export type Weight<A> = (action: A) => number;

export interface WalkOptions<S, A> {
  readonly weight?: Weight<A>;
  /** Called on every state the walk visits, the initial one included. */
  readonly onState?: (state: S) => void;
}

export interface WalkResult<S, A, F = unknown> {
  /** The initial state (action null), then one step per action taken. */
  readonly trace: TraceStep<S, A>[];
  /** The action indices taken (into actions() of each state): replay(model, path) re-runs the walk. */
  readonly path: number[];
  /** The first invariant broken, checked after every step, and what its check found; null when all held. */
  readonly violation: { readonly invariant: string; readonly finding: F } | null;
  readonly goalsReached: ReadonlySet<string>;
}

/** The action that `choice` lands on when each action owns `weight` consecutive slots. */
function pick<A>(actions: readonly A[], choice: number, weight: Weight<A>): number {
  let total = 0;
  for (const a of actions) total += weight(a);
  let slot = choice % total;
  for (let i = 0; i < actions.length; i++) {
    slot -= weight(actions[i]!);
    if (slot < 0) return i;
  }
  return actions.length - 1;
}

/**
 * Walks from the first initial state: each choice picks an action among those enabled (by
 * weight, modulo their total). An action whose next() is null is passed over for the next
 * enabled one; a state with none left ends the walk early, as does a broken invariant.
 */
export function randomWalk<S, A, F>(model: Model<S, A, F>, schedule: Iterable<number>, options: WalkOptions<S, A> = {}): WalkResult<S, A, F> {
  const weight = options.weight ?? ((): number => 1);
  const first = model.initialStates()[0];
  if (first === undefined) throw new RangeError(`model ${model.name} has no initial state`);
  let state: S = first;
  const trace: TraceStep<S, A>[] = [{ action: null, label: 'Init', state }];
  const path: number[] = [];
  const goalsReached = new Set<string>();
  const inspect = (s: S): WalkResult<S, A, F>['violation'] => {
    options.onState?.(s);
    for (const g of model.goals) if (!goalsReached.has(g.name) && g.holds(s)) goalsReached.add(g.name);
    for (const inv of model.invariants) {
      const finding = inv.check(s);
      if (finding !== null) return { invariant: inv.name, finding };
    }
    return null;
  };
  let violation = inspect(state);
  for (const choice of schedule) {
    if (violation !== null) break;
    const actions = model.actions(state);
    if (actions.length === 0) break;
    const at = pick(actions, choice, weight);
    let taken: { index: number; next: S } | null = null;
    for (let k = 0; k < actions.length && taken === null; k++) {
      const index = (at + k) % actions.length;
      const next = model.next(state, actions[index]!);
      if (next !== null) taken = { index, next };
    }
    if (taken === null) break;
    const action = actions[taken.index]!;
    state = taken.next;
    path.push(taken.index);
    trace.push({ action, label: model.formatAction(action), state });
    violation = inspect(state);
  }
  return { trace, path, violation, goalsReached };
}
