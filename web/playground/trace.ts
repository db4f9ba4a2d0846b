import { lastLogIndex } from '../../src/core/index.js';
import type { Bounds } from '../../model/raft/bounds.js';
import { firstViolation } from '../../model/raft/invariants.js';
import { initialSystem, type SystemState } from '../../model/raft/system.js';
import type { TraceFile, TraceStepRecord } from '../../model/report/trace-file.js';
import { happenings, type Sim } from './sim.js';

/**
 * The bounds a run needs, and no more: every action it took is enabled under them and every
 * state it reached is inside them (replay checks both). The playground ran under the largest
 * bounds the model accepts; the trace records the tight ones, so `--replay` prints what the
 * run really used.
 */
export function boundsUsed(servers: number, initial: SystemState, steps: readonly TraceStepRecord[], options: Pick<Bounds, 'preVote' | 'checkQuorum' | 'initialVoters'> = {}): Bounds {
  const states = [initial, ...steps.map((s) => s.state)];
  let maxTerm = 0;
  let maxLog = 0;
  let maxMessages = 0;
  let commands = 0;
  let crashes = 0;
  let snapshots = 0;
  for (const s of states) {
    for (const slot of s.servers) {
      maxTerm = Math.max(maxTerm, slot.persisted.currentTerm, slot.state?.currentTerm ?? 0);
      maxLog = Math.max(maxLog, lastLogIndex(slot.persisted), slot.state ? lastLogIndex(slot.state) : 0);
    }
    maxMessages = Math.max(maxMessages, s.network.length);
    commands = Math.max(commands, s.commandsIssued);
    crashes = Math.max(crashes, s.crashes);
    snapshots = Math.max(snapshots, s.snapshots);
  }
  // A leader's quorum check (its Timeout, with checkQuorum) is enabled only below max-term.
  const checkedAtTop = steps.some((st, i) => {
    const a = st.action;
    const before = a.kind === 'Timeout' ? states[i]!.servers[a.server]!.state : null;
    return before?.role === 'leader' && before.currentTerm === maxTerm;
  });
  if (checkedAtTop) maxTerm++;
  // A ChangeMembership is enabled only while fewer changes than the bound are accepted (one that
  // appends a no-op counts none, but needs room all the same).
  const configChanges = steps.reduce((most, st, i) => (st.action.kind === 'ChangeMembership' ? Math.max(most, states[i]!.configChanges + 1) : most), 0);
  return { servers, maxTerm, maxLog, maxCommands: commands, maxCrashes: crashes, maxMessages, maxSnapshots: snapshots, drop: true, duplicate: false, crashMidStep: false,
    ...(options.preVote !== undefined ? { preVote: options.preVote } : {}), ...(options.checkQuorum !== undefined ? { checkQuorum: options.checkQuorum } : {}),
    // Membership only when the run used it: a run without it records the bounds it did before.
    ...(configChanges > 0 ? { maxConfigChanges: configChanges } : {}), ...(options.initialVoters !== undefined ? { initialVoters: options.initialVoters } : {}) };
}

/** The run so far as a 'pure-raft-trace/1' file: `npm run check -- --replay <file>` re-runs it through the core. */
export function exportTrace(sim: Sim): TraceFile {
  const steps: TraceStepRecord[] = [];
  for (const h of happenings(sim)) if (h.kind === 'step') steps.push({ action: h.action, label: h.label, state: h.state });
  const initial = initialSystem(sim.servers, sim.bootstrapConfig);
  const last = steps.length > 0 ? steps[steps.length - 1]!.state : initial;
  const broken = firstViolation(last);
  return {
    format: 'pure-raft-trace/1',
    model: 'raft',
    bounds: boundsUsed(sim.servers, initial, steps, sim.bounds),
    symmetry: false,
    invariant: broken?.invariant ?? null,
    ...(broken !== null ? { finding: broken } : {}),
    initial,
    steps,
  };
}

/**
 * The file's text: one JSON document, as `--replay` reads it. Unindented (unlike the checker's
 * short counterexamples): every step records the whole system state, so a run of a few thousand
 * steps is megabytes, and indentation would more than double it.
 */
export function traceJson(trace: TraceFile): string {
  return JSON.stringify(trace) + '\n';
}
