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

/**
 * Runs a schedule: each number picks an action among those enabled (modulo their count), so any
 * shrunk or truncated schedule is still a valid run. An action that leaves the bounds is passed
 * over for the next enabled one; a state with none left ends the run early.
 */
export function walk<S extends object, A>(model: Model<S, A>, schedule: readonly number[], onState?: (s: S) => void): WalkResult<S, A> {
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
    let taken: { action: A; next: S } | null = null;
    for (let k = 0; k < actions.length && taken === null; k++) {
      const action = actions[(choice + k) % actions.length]!;
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
