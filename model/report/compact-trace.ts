import type { Finding, FindingField } from '../raft/finding.js';
import type { SystemState } from '../raft/system.js';
import { type FieldChange, messageWords, networkChanges, stateChanges } from './state-diff.js';
import type { TraceFile } from './trace-file.js';

/**
 * A counterexample for a terminal, one line per step: the step's number, its action (the model's
 * formatAction), then only what it changed: each server's fields (`s1 currentTerm 1->2 role
 * follower->candidate`) and the messages it put in flight or took out. The step whose action
 * broke the rule is marked `>>` and followed by the invariant and its finding's sentence; a step
 * that gave one of the finding's places the value it has at the end (the culprit's origin, for a
 * rule over history such as LeaderCompleteness) is marked `*` and says which.
 */

/** Which state-diff fields a finding's place stands for. */
const PLACE_FIELDS: Readonly<Record<FindingField, readonly string[]>> = {
  server: ['server'],
  role: ['role'],
  currentTerm: ['currentTerm'],
  votedFor: ['votedFor'],
  log: ['log'],
  commitIndex: ['commitIndex'],
  matchIndex: ['matchIndex'],
  disk: ['disk currentTerm', 'disk votedFor', 'disk log', 'disk snapshot'],
};

/** History and budget fields are not shown per step: the network is summarised instead. */
const shown = (c: FieldChange): boolean => c.server !== null;

function serverChanges(changes: readonly FieldChange[]): string[] {
  const byServer = new Map<number, string[]>();
  for (const c of changes.filter(shown)) {
    const parts = byServer.get(c.server!) ?? [];
    parts.push(`${c.field} ${c.before}->${c.after}`);
    byServer.set(c.server!, parts);
  }
  return [...byServer].map(([server, parts]) => `s${server} ${parts.join(' ')}`);
}

function networkSummary(before: SystemState, after: SystemState): string[] {
  const { added, removed } = networkChanges(before, after);
  return [...added.map((m) => `+${messageWords(m)}`), ...removed.map((m) => `-${messageWords(m)}`)];
}

/**
 * The steps (1-based) that last changed a field the finding points at, before the last step, with
 * the place they set: where the culprit came from.
 */
export function culpritSteps(states: readonly SystemState[], finding: Finding | undefined): Map<number, string[]> {
  const out = new Map<number, string[]>();
  if (!finding) return out;
  const last = states.length - 1;
  for (const place of finding.places) {
    const fields = PLACE_FIELDS[place.field];
    for (let i = last; i >= 1; i--) {
      const hit = stateChanges(states[i - 1]!, states[i]!).find((c) => c.server === place.server && fields.includes(c.field));
      if (hit === undefined) continue;
      if (i !== last) {
        const what = `s${place.server} ${hit.field}`;
        const seen = out.get(i) ?? [];
        if (!seen.includes(what)) out.set(i, [...seen, what]);
      }
      break;
    }
  }
  return out;
}

/** The breaking step: the last, whose state fails the invariant (null for a trace that breaks nothing). */
export const breakingStep = (trace: Pick<TraceFile, 'invariant' | 'steps'>): number | null => (trace.invariant === null ? null : trace.steps.length);

/** The trace, compactly: one line per step, the breaking step marked. */
export function compactTrace(trace: TraceFile): string[] {
  const states = [trace.initial, ...trace.steps.map((s) => s.state)];
  const breaking = breakingStep(trace);
  const culprits = culpritSteps(states, trace.finding);
  const width = String(trace.steps.length).length;
  const lines: string[] = [];
  trace.steps.forEach((step, k) => {
    const i = k + 1;
    const before = states[i - 1]!;
    const after = states[i]!;
    const mark = i === breaking ? '>>' : culprits.has(i) ? ' *' : '  ';
    const changes = [...serverChanges(stateChanges(before, after)), ...networkSummary(before, after)];
    lines.push(`${mark} ${String(i).padStart(width)} ${step.label}${changes.length ? `  | ${changes.join('; ')}` : '  | (no change)'}`);
    if (culprits.has(i) && i !== breaking) lines.push(`   ${' '.repeat(width)} * sets ${culprits.get(i)!.join(', ')}, which ${trace.invariant} is about`);
    if (i === breaking) lines.push(`   ${' '.repeat(width)} >> breaks ${trace.invariant}${trace.finding ? `: ${trace.finding.sentence}` : ''}`);
  });
  return lines;
}
