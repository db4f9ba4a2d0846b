import type { TraceStep } from '../engine/replay.js';
import type { RaftAction } from '../raft/actions.js';
import type { Bounds } from '../raft/bounds.js';
import type { Finding } from '../raft/finding.js';
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
  /** What the broken invariant found on the last state: servers, indices, terms, places, a sentence. */
  readonly finding?: Finding;
  /** Traces written before findings: the sentence of a transition-recorded breach. Read, never written. */
  readonly detail?: string;
  readonly initial: SystemState;
  readonly steps: readonly TraceStepRecord[];
}

/** One recorded step: the engine's trace step (label: formatAction), past the initial state, so with an action. */
export type TraceStepRecord = TraceStep<SystemState, RaftAction> & { readonly action: RaftAction };

/** Why the last state breaks the invariant, in a sentence (older traces: the breach's detail, if any). */
export const traceSentence = (t: Pick<TraceFile, 'finding' | 'detail'>): string | undefined => t.finding?.sentence ?? t.detail;

/**
 * A trace as this version reads it: states recorded before findings carry a breach of
 * { invariant, detail }, which becomes a finding with that sentence and no places; states
 * recorded before membership lack its fields, which take their first values (no change spent,
 * no bootstrap configuration, no leader removed).
 */
export function upgradeTrace(t: TraceFile): TraceFile {
  const old = (s: SystemState): boolean => s.breach !== null && !Array.isArray((s.breach as Partial<Finding>).places);
  const beforeMembership = (s: SystemState): boolean => (s as Partial<SystemState>).configChanges === undefined;
  const stale = (s: SystemState): boolean => old(s) || beforeMembership(s);
  if (!stale(t.initial) && !t.steps.some((st) => stale(st.state))) return t;
  const upgrade = (s: SystemState): SystemState => {
    if (!stale(s)) return s;
    const b = s.breach as unknown as { invariant: string; detail?: string } | null;
    const breach = old(s) ? { invariant: b!.invariant, servers: [], indices: [], terms: [], places: [], sentence: b!.detail ?? '' } : s.breach;
    return beforeMembership(s) ? { ...s, breach, configChanges: 0, bootstrapConfig: null, removedLeaderTerm: 0 } : { ...s, breach };
  };
  return { ...t, initial: upgrade(t.initial), steps: t.steps.map((st) => ({ ...st, state: upgrade(st.state) })) };
}
