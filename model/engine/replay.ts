import type { Model } from './model.js';

/** One step of a trace: the action taken (null for the initial state), its label, and the state after. */
export interface TraceStep<S, A> {
  readonly action: A | null;
  readonly label: string;
  readonly state: S;
}

/**
 * Re-executes a path from initial state `initial`: the trace starts with that state (action null,
 * label 'Init'), then one step per action index. Throws if the path does not fit the model, which
 * means the model is not deterministic (actions() or next() changed between runs).
 */
export function replay<S, A>(model: Model<S, A>, path: readonly number[], initial = 0): TraceStep<S, A>[] {
  const first = model.initialStates()[initial];
  if (first === undefined) throw new RangeError(`no initial state ${initial} in model ${model.name}`);
  const trace: TraceStep<S, A>[] = [{ action: null, label: 'Init', state: first }];
  let state: S = first;
  for (const [step, index] of path.entries()) {
    const action = model.actions(state)[index];
    if (action === undefined) throw new RangeError(`step ${step}: no action ${index} in model ${model.name}`);
    const next = model.next(state, action);
    if (next === null) throw new Error(`step ${step}: action ${model.formatAction(action)} was skipped on replay`);
    trace.push({ action, label: model.formatAction(action), state: next });
    state = next;
  }
  return trace;
}
