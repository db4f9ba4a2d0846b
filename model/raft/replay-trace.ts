import type { TraceStep } from '../engine/replay.js';
import { actionKey, type RaftAction } from './actions.js';
import type { Bounds } from './bounds.js';
import { plainMessageKey, plainSystemKey } from './keys.js';
import { createModel } from './model.js';
import type { ReducerVariant } from './reducer.js';
import type { SystemState } from './system.js';

/** What a replay reads of a recorded trace (a trace file holds this and more). */
export interface RecordedTrace {
  readonly bounds: Bounds;
  readonly symmetry: boolean;
  /** The invariant broken by the last state, or null. */
  readonly invariant: string | null;
  readonly initial: SystemState;
  readonly steps: readonly (TraceStep<SystemState, RaftAction> & { readonly action: RaftAction })[];
}

export type ReplayOutcome =
  | { readonly ok: true; readonly steps: number; readonly invariantBroken: string | null }
  | { readonly ok: false; readonly step: number; readonly reason: string };

/**
 * Re-runs a recorded trace through the core: from the recorded initial state, each recorded
 * action must be enabled, and the state the core produces must equal the recorded one.
 * Confirms also that the last state breaks the recorded invariant (and no earlier one does).
 * A trace found with a mutant replays through that mutant's reducer, which the caller resolves.
 */
export function replayTrace(trace: RecordedTrace, variant?: ReducerVariant): ReplayOutcome {
  const model = createModel({ bounds: trace.bounds, symmetry: trace.symmetry, memo: false, ...(variant !== undefined ? { variant } : {}) });
  const key = (s: SystemState): string => plainSystemKey(s);
  const [init] = model.initialStates();
  if (!init || key(init) !== key(trace.initial)) return { ok: false, step: 0, reason: 'the recorded initial state is not the model\'s initial state' };
  let state = init;
  for (let i = 0; i < trace.steps.length; i++) {
    const recorded = trace.steps[i]!;
    const want = actionKey(recorded.action, plainMessageKey);
    const action = model.actions(state).find((a) => actionKey(a, plainMessageKey) === want);
    if (!action) return { ok: false, step: i + 1, reason: `action not enabled here: ${recorded.label}` };
    const next = model.next(state, action);
    if (!next) return { ok: false, step: i + 1, reason: `action leaves the bounds: ${recorded.label}` };
    if (key(next) !== key(recorded.state)) return { ok: false, step: i + 1, reason: `the core produced a different state after: ${recorded.label}` };
    const broken = model.invariants.find((inv) => inv.check(next) !== null);
    if (broken && i < trace.steps.length - 1) return { ok: false, step: i + 1, reason: `${broken.name} already breaks before the last step` };
    state = next;
  }
  const broken = model.invariants.find((inv) => inv.check(state) !== null)?.name ?? null;
  if (broken !== trace.invariant) {
    return { ok: false, step: trace.steps.length, reason: `the last state breaks ${broken ?? 'nothing'}, the trace says ${trace.invariant ?? 'nothing'}` };
  }
  return { ok: true, steps: trace.steps.length, invariantBroken: broken };
}
