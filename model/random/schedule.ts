import type { Model } from '../engine/model.js';

/** One step of a random run: the action taken and the state after it. */
export interface WalkStep<S, A> {
  readonly action: A | null;
  readonly label: string;
  readonly state: S;
}

export interface WalkResult<S, A> {
  readonly steps: WalkStep<S, A>[];
  /** The first invariant broken, checked after every step; null when all held. */
  readonly violated: string | null;
  readonly goalsReached: ReadonlySet<string>;
}

/** How often an action is picked relative to the others (a positive integer). */
export type Weight<A> = (action: A) => number;

/** Picks the action that `choice` lands on when each action owns `weight` consecutive slots. */
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
 * Runs a schedule: each number picks an action among those enabled (by weight, modulo their
 * total), so any shrunk or truncated schedule is still a valid run. An action that leaves the
 * bounds is passed over for the next enabled one; a state with none left ends the run early.
 */
export function walk<S extends object, A>(
  model: Model<S, A>,
  schedule: readonly number[],
  weight: Weight<A> = () => 1,
  onState?: (s: S) => void,
): WalkResult<S, A> {
  let state: S = model.initialStates()[0]!;
  const steps: WalkStep<S, A>[] = [{ action: null, label: 'Init', state }];
  const goalsReached = new Set<string>();
  const inspect = (s: S): string | null => {
    onState?.(s);
    for (const g of model.goals) if (!goalsReached.has(g.name) && g.holds(s)) goalsReached.add(g.name);
    return model.invariants.find((p) => !p.holds(s))?.name ?? null;
  };
  let violated = inspect(state);
  for (const choice of schedule) {
    if (violated) break;
    const actions = model.actions(state);
    if (actions.length === 0) break;
    const first = pick(actions, choice, weight);
    let taken: { action: A; next: S } | null = null;
    for (let k = 0; k < actions.length && taken === null; k++) {
      const action = actions[(first + k) % actions.length]!;
      const next = model.next(state, action);
      if (next !== null) taken = { action, next };
    }
    if (taken === null) break;
    state = taken.next;
    steps.push({ action: taken.action, label: model.formatAction(taken.action), state });
    violated = inspect(state);
  }
  return { steps, violated, goalsReached };
}
