import { lastLogIndex, type Input, type Message, type Operation, type RaftState, type StepResult } from '../../src/core/index.js';
import { formatCommand } from './describe.js';
import { entryText, type Finding, finding, knownEntryText, sameEntry, serverName as sn } from './finding.js';
import { appliedConfigValue, appliedValue, entryOf } from './configs.js';
import { plainRaftStateKey } from './keys.js';
import { dataEntries, knownEntry } from './snapshot-data.js';
import type { SystemState } from './system.js';
import { OPTION_STEP_PROPERTIES } from './option-properties.js';
import { MEMBERSHIP_STEP_PROPERTIES } from './membership-properties.js';
import type { ServerStep, StepProperty } from './server-step.js';

/**
 * Rules that only a transition can break, as named step properties: each judges one server step
 * from what it started from and what it did (before, input, after). The engine checks states, not
 * steps, so the transition records the first finding in the state it leads to (the `breach`
 * ghost, part of the state's key) and the invariant of the same rule reports it there.
 */

export type { ServerStep, StepProperty } from './server-step.js';

const isReply = (m: Message): boolean => m.type === 'RequestVoteReply' || m.type === 'AppendEntriesReply' || m.type === 'InstallSnapshotReply' || m.type === 'PreVoteReply';

/**
 * No server applies, at an index, anything but the first command applied there, nor skips an
 * index. Its apply stream goes on from its lastApplied: a command at the next index; a snapshot
 * (InstallSnapshot) only past it, holding at each index what was applied there, and the next
 * command then at the index after the snapshot's.
 */
export const AppliedCommandsAgree: StepProperty = {
  name: 'AppliedCommandsAgree',
  invariant: 'StateMachineSafety',
  check: ({ system, server, before, result, operations, carried, applied }) => {
    if (result.apply.length === 0) return null;
    let n = system.applied.length;
    let next = before.lastApplied + 1;
    for (let k = 0; k < carried; k++) {
      const op = operations[k]!;
      if (op.kind !== 'apply') continue;
      const entry = op.entry;
      if ('snapshotValid' in entry) {
        const f = snapshotApplyDisagrees(server, entry.snapshotIndex, entry.snapshotTerm, entry.snapshot, next, applied);
        if (f !== null) return f;
        next = entry.snapshotIndex + 1;
        continue;
      }
      // A configuration entry or a no-op is applied as any entry, its value as appliedValue has it.
      const i = 'configValid' in entry ? entry.configIndex : entry.commandIndex;
      const cmd = 'configValid' in entry ? appliedConfigValue(entry.config) : entry.command;
      const places = [{ server, field: 'commitIndex' as const }, { server, field: 'log' as const, index: i }];
      if (i > n + 1) return finding('StateMachineSafety', places, [], `${sn(server)} applied index ${i} before any server applied index ${n + 1}`);
      if (i !== next) return finding('StateMachineSafety', places, [], `${sn(server)} applied index ${i} next, after index ${next - 1}`);
      next++;
      if (i === n + 1) {
        n++;
        continue;
      }
      if (applied[i - 1] !== cmd) {
        return finding('StateMachineSafety', places, [], `${sn(server)} applied ${formatCommand(cmd)} at index ${i}, where ${formatCommand(applied[i - 1])} was applied before`);
      }
    }
    return null;
  },
};

/** What is wrong with a snapshot applied at `index`, when `next` is the index the server applies next. */
function snapshotApplyDisagrees(server: number, index: number, term: number, snapshot: unknown, next: number, applied: readonly unknown[]): Finding | null {
  const places = [{ server, field: 'commitIndex' as const }, { server, field: 'log' as const, index }];
  if (index < next) return finding('StateMachineSafety', places, [], `${sn(server)} applied a snapshot through index ${index} after applying index ${next - 1}`);
  const data = dataEntries(snapshot);
  if (data.length !== index || data[index - 1]!.term !== term) {
    return finding('StateMachineSafety', places, [term], `${sn(server)} applied a snapshot through index ${index} (term ${term}) that holds ${data.length} entries` +
      (data.length === index ? ` and ends in term ${data[index - 1]!.term}` : ''));
  }
  for (let i = 0; i < index; i++) {
    if (i < applied.length && appliedValue(data[i]!) === applied[i]) continue;
    return finding('StateMachineSafety', [{ server, field: 'log', index: i + 1 }], [],
      i < applied.length
        ? `${sn(server)} applied a snapshot holding ${entryText(data[i]!)} at index ${i + 1}, where ${formatCommand(applied[i])} was applied before`
        : `${sn(server)} applied a snapshot holding ${entryText(data[i]!)} at index ${i + 1}, which no server applied`);
  }
  return null;
}

/**
 * Figure 2, all servers: a request or reply with term T > currentTerm sets currentTerm = T. Not a
 * PreVote or a granted PreVoteReply (thesis §9.6): their term is proposed, not held by anyone.
 */
export const HigherTermAdopted: StepProperty = {
  name: 'HigherTermAdopted',
  invariant: 'HigherTermAdopted',
  check: ({ server, input, result }) => {
    if (input.type !== 'Receive' || result.state.currentTerm >= input.message.term) return null;
    const m = input.message;
    if (m.type === 'PreVote' || (m.type === 'PreVoteReply' && m.voteGranted)) return null;
    return finding('HigherTermAdopted', [{ server, field: 'currentTerm' }], [m.term, result.state.currentTerm],
      `${sn(server)} received ${m.type} of term ${m.term} from ${sn(m.from)} and stayed in term ${result.state.currentTerm}`, [server, m.from]);
  },
};

/** A reply of an older term than the receiver's changes nothing: no state, no message. */
export const StaleRepliesIgnored: StepProperty = {
  name: 'StaleRepliesIgnored',
  invariant: 'StaleRepliesIgnored',
  check: ({ server, input, before, result }) => {
    if (input.type !== 'Receive' || !isReply(input.message) || input.message.term >= before.currentTerm) return null;
    const after = result.state;
    // (Compared by content: the step memo may hand back an equal state that is another object.)
    if (result.messages.length === 0 && (after === before || plainRaftStateKey(after) === plainRaftStateKey(before))) return null;
    const m = input.message;
    return finding('StaleRepliesIgnored', [{ server, field: 'server' }], [before.currentTerm, m.term],
      `${sn(server)} in term ${before.currentTerm} acted on a ${m.type} of term ${m.term} from ${sn(m.from)}`, [server, m.from]);
  },
};

/** At most one server is elected leader in a term, also when the first has crashed since. */
export const OneLeaderElectedPerTerm: StepProperty = {
  name: 'OneLeaderElectedPerTerm',
  invariant: 'ElectionSafety',
  check: ({ system, server, before, result }) => {
    const after = result.state;
    if (after.role !== 'leader' || (before.role === 'leader' && before.currentTerm === after.currentTerm)) return null;
    const prior = system.elected[after.currentTerm] ?? -1;
    if (prior < 0 || prior === server) return null;
    return finding('ElectionSafety', [{ server: prior, field: 'role' }, { server, field: 'role' }], [after.currentTerm],
      `${sn(prior)} and ${sn(server)} were both elected leader in term ${after.currentTerm}`);
  },
};

/** A leader never overwrites or deletes entries in its log while it leads; it only appends. */
export const LeaderAppendOnly: StepProperty = {
  name: 'LeaderAppendOnly',
  invariant: 'LeaderAppendOnly',
  check: ({ server, before, result }) => {
    const after = result.state;
    if (after.role !== 'leader' || before.role !== 'leader' || before.currentTerm !== after.currentTerm || after.log === before.log) return null;
    // Whole logs: a snapshot moves entries from the log into the snapshot, and changes none.
    const last = lastLogIndex(before);
    let index = 1;
    while (index <= last && sameEntry(knownEntry(before, index), knownEntry(after, index))) index++;
    if (index > last) return null;
    const was = knownEntry(before, index)!;
    const removed = knownEntry(after, index) === undefined;
    return finding('LeaderAppendOnly', [{ server, field: 'log', index, expected: was }], [after.currentTerm],
      `leader ${sn(server)} of term ${after.currentTerm} ${removed ? 'removed' : 'rewrote'} its entry ${entryText(was)} at index ${index}` +
        (removed ? '' : ` (now ${knownEntryText(after, index)})`));
  },
};

/**
 * A leader raised its commitIndex in the step: it leads after it, or it led before it and stepped
 * down in the same term (a leader that commits its own removal, thesis §4.2.2).
 */
const leaderCommit = (before: RaftState, after: RaftState): boolean =>
  after.commitIndex > before.commitIndex && (after.role === 'leader' || (before.role === 'leader' && after.currentTerm === before.currentTerm));

/** A leader commits, at an index, nothing but the entry first committed there. */
export const CommittedEntriesAgree: StepProperty = {
  name: 'CommittedEntriesAgree',
  invariant: 'StateMachineSafety',
  check: ({ system, server, before, result }) => {
    const after = result.state;
    if (!leaderCommit(before, after)) return null;
    const n = Math.min(after.commitIndex, system.committed.length);
    for (let i = 1; i <= n; i++) {
      const e = knownEntry(after, i)!;
      const c = system.committed[i - 1]!;
      if (sameEntry(e, c)) continue;
      const expected = entryOf(c);
      return finding('StateMachineSafety', [{ server, field: 'commitIndex' }, { server, field: 'log', index: i, expected }], [after.currentTerm],
        `leader ${sn(server)} of term ${after.currentTerm} committed ${entryText(e)} at index ${i}, where ${entryText(expected)} was committed before`);
    }
    return null;
  },
};

/**
 * No server's commitIndex decreases while it lives (Figure 2: it is "known to be committed",
 * which stays known). A restart begins again at 0: that is restore(), not a step.
 */
export const CommitIndexNeverDecreases: StepProperty = {
  name: 'CommitIndexNeverDecreases',
  invariant: 'CommitIndexNeverDecreases',
  check: ({ server, input, before, result }) => {
    const after = result.state;
    if (after.commitIndex >= before.commitIndex) return null;
    return finding('CommitIndexNeverDecreases', [{ server, field: 'commitIndex' }], [after.currentTerm],
      `${sn(server)} lowered its commitIndex from ${before.commitIndex} to ${after.commitIndex} on ${input.type === 'Receive' ? input.message.type : input.type}`);
  },
};

/**
 * Figure 8 and §5.4.2: a leader commits by counting replicas only an entry of its currentTerm;
 * entries of earlier terms are committed indirectly, with it. So when a leader's step raises its
 * commitIndex, the entry at the new commitIndex is of the leader's currentTerm. Counting an older
 * entry is safe on many states and wrong on a few that take four terms to reach; this rule
 * catches the bug in the step that commits, well before a later leader overwrites the entry.
 */
export const CommitByCountingOnlyCurrentTerm: StepProperty = {
  name: 'CommitByCountingOnlyCurrentTerm',
  invariant: 'CommitByCountingOnlyCurrentTerm',
  check: ({ server, before, result }) => {
    const after = result.state;
    if (before.role !== 'leader' || !leaderCommit(before, after)) return null;
    const e = knownEntry(after, after.commitIndex);
    if (e === undefined || e.term === after.currentTerm) return null;
    return finding('CommitByCountingOnlyCurrentTerm', [{ server, field: 'commitIndex' }, { server, field: 'log', index: after.commitIndex }], [e.term, after.currentTerm],
      `leader ${sn(server)} of term ${after.currentTerm} raised its commitIndex to ${after.commitIndex}, an entry of term ${e.term} (${entryText(e)}), by counting replicas`);
  },
};

/** In the order a step's findings are recorded (the first wins). */
export const STEP_PROPERTIES: readonly StepProperty[] = [
  AppliedCommandsAgree, HigherTermAdopted, StaleRepliesIgnored, OneLeaderElectedPerTerm, LeaderAppendOnly, CommittedEntriesAgree,
  CommitIndexNeverDecreases, CommitByCountingOnlyCurrentTerm, ...OPTION_STEP_PROPERTIES, ...MEMBERSHIP_STEP_PROPERTIES,
];

/**
 * False when no step property can find anything in this step: it applies nothing; it leaves no
 * leader that is new (or of a new term), that changed its log or that raised its commitIndex
 * (the union of the three leader properties' own early returns); and it received no message of
 * a term above its new one or below its old one. Most steps are such, a leader's heartbeats and
 * most replies among them; the transition skips the properties for them (the hot path). Pre-vote
 * messages and a leader's election timeout always go to the option properties.
 */
export function mayBreakStepProperty(before: RaftState, input: Input, result: StepResult): boolean {
  const after = result.state;
  if (result.apply.length > 0 || after.commitIndex < before.commitIndex) return true;
  // (A leader that commits its own removal steps down in the same step: it is a leader's commit.)
  if (before.role === 'leader' && after.commitIndex > before.commitIndex) return true;
  if (after.role === 'leader' &&
    (before.role !== 'leader' || before.currentTerm !== after.currentTerm || after.log !== before.log || after.commitIndex > before.commitIndex)) return true;
  if (input.type === 'ElectionTimeout') return before.role === 'leader';
  return input.type === 'Receive' && (input.message.term > after.currentTerm || input.message.term < before.currentTerm ||
    input.message.type === 'PreVote' || input.message.type === 'PreVoteReply');
}

/** The first finding of a step, or null when it breaks no step property (but those of the skipped invariants). */
export function stepFinding(step: ServerStep, skipped: readonly string[] = []): Finding | null {
  for (let k = 0; k < STEP_PROPERTIES.length; k++) {
    if (skipped.length > 0 && skipped.includes(STEP_PROPERTIES[k]!.invariant)) continue;
    const f = STEP_PROPERTIES[k]!.check(step);
    if (f !== null) return f;
  }
  return null;
}
