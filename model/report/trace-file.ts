import type { RaftAction } from '../raft/actions.js';
import type { Bounds } from '../raft/bounds.js';
import type { RecordedTrace } from '../raft/replay-trace.js';
import type { SystemState } from '../raft/system.js';

/**
 * A counterexample (or any path) as written to reports/<run>/trace.json: every action and the
 * system state after it, enough to render the lane diagram and to replay through the core.
 */
export interface TraceFile extends RecordedTrace {
  readonly format: 'pure-raft-trace/1';
  /** The model's name, e.g. 'raft' or 'raft[mutant no-up-to-date-check]'. */
  readonly model: string;
  /** The mutant the trace was found with; absent for the production core. */
  readonly mutant?: string;
  readonly bounds: Bounds;
  readonly symmetry: boolean;
  /** The invariant broken by the last state, or null for a trace that breaks nothing (e.g. a goal witness). */
  readonly invariant: string | null;
  /** What the transition-recorded breach says, when there is one. */
  readonly detail?: string;
  readonly initial: SystemState;
  readonly steps: readonly TraceStepRecord[];
}

export interface TraceStepRecord {
  readonly action: RaftAction;
  /** The action formatted for people (formatAction). */
  readonly label: string;
  readonly state: SystemState;
}
