import { actionKey, type RaftAction } from '../../model/raft/actions.js';
import { plainMessageKey, plainSystemKey } from '../../model/raft/keys.js';
import { mutantOptions } from '../../model/mutants/index.js';
import { createModel, type RaftModel } from '../../model/raft/model.js';
import { replayTrace, type ReplayOutcome } from '../../model/raft/replay-trace.js';
import type { Finding } from '../../model/raft/finding.js';
import type { SystemState } from '../../model/raft/system.js';
import { type TraceFile, upgradeTrace } from '../../model/report/trace-file.js';

/**
 * The trace re-run through the real core in the browser. The verdict is model/raft's own
 * `replayTrace` (what `npm run check -- --replay` prints); the states shown are re-derived here
 * step by step with the same model (createModel, its enabled actions and `next`), so the page
 * shows what the reducers produce, not merely what the file says.
 */

export type StepStatus = 'agrees' | 'differs' | 'not-replayed';

export interface ReplayedStep {
  /** 1-based step number. */
  readonly index: number;
  readonly action: RaftAction;
  readonly label: string;
  readonly recorded: SystemState;
  /** What the core produced from the previous replayed state; null when the action was not enabled (or past a disagreement). */
  readonly produced: SystemState | null;
  readonly status: StepStatus;
}

export interface InvariantCheck {
  readonly name: string;
  readonly holds: boolean;
  /** What the invariant found, when it does not hold. */
  readonly finding: Finding | null;
}

export interface Replay {
  readonly model: RaftModel | null;
  /** replayTrace's verdict; a thrown error (e.g. an unknown mutant) becomes a disagreement at step 0. */
  readonly outcome: ReplayOutcome;
  readonly initial: SystemState;
  readonly steps: readonly ReplayedStep[];
  /** The first step whose replay disagrees, or null. */
  readonly firstDisagreement: number | null;
  /** invariants[i]: every invariant on the state shown at step i (0 = initial). */
  readonly invariants: readonly (readonly InvariantCheck[])[];
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export function replay(file: TraceFile): Replay {
  const trace = upgradeTrace(file);
  let outcome: ReplayOutcome;
  try {
    outcome = replayTrace(trace, mutantOptions(trace.mutant).variant);
  } catch (e) {
    outcome = { ok: false, step: 0, reason: `cannot replay: ${errorText(e)}` };
  }
  let model: RaftModel | null = null;
  try {
    model = createModel({ bounds: trace.bounds, symmetry: trace.symmetry, memo: false, ...mutantOptions(trace.mutant) });
  } catch {
    model = null;
  }

  const key = (s: SystemState): string => plainSystemKey(s);
  const steps: ReplayedStep[] = [];
  let state: SystemState | null = null;
  if (model) {
    const [init] = model.initialStates();
    state = init && key(init) === key(trace.initial) ? init : null;
  }
  let firstDisagreement: number | null = model && state ? null : 0;
  trace.steps.forEach((rec, i) => {
    const index = i + 1;
    let produced: SystemState | null = null;
    let status: StepStatus = 'not-replayed';
    if (model && state && firstDisagreement === null) {
      const want = actionKey(rec.action, plainMessageKey);
      const action = model.actions(state).find((a) => actionKey(a, plainMessageKey) === want);
      produced = action ? model.next(state, action) : null;
      status = produced && key(produced) === key(rec.state) ? 'agrees' : 'differs';
      if (status === 'differs') firstDisagreement = index;
      state = produced;
    }
    steps.push({ index, action: rec.action, label: rec.label, recorded: rec.state, produced, status });
  });
  // replayTrace also rejects a trace whose invariant verdict is wrong although every state agrees.
  if (!outcome.ok && firstDisagreement === null) firstDisagreement = outcome.step;

  const shown = [trace.initial, ...steps.map((st) => (st.status === 'agrees' ? st.produced! : st.recorded))];
  const invariants = shown.map((s) => (model?.invariants ?? []).map((inv) => {
    const finding = inv.check(s);
    return { name: inv.name, holds: finding === null, finding };
  }));
  return { model, outcome, initial: trace.initial, steps, firstDisagreement, invariants };
}

/** The state the page shows at step i: the core's where the replay agrees, else the recorded one. */
export function shownState(r: Replay, i: number): SystemState {
  if (i === 0) return r.initial;
  const st = r.steps[i - 1]!;
  return st.status === 'agrees' ? st.produced! : st.recorded;
}
