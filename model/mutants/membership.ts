import { castDraft, produce } from 'immer';
import {
  applyChange, configurationInEffect, isVoter, lastLogIndex, majority, step, termAt,
  type Configuration, type Input, type LogEntry, type Message, type RaftState, type StepResult,
} from '../../src/core/index.js';
import type { Bounds } from '../raft/bounds.js';
import { matchAfter } from '../raft/membership-properties.js';
import type { Mutant } from './mutant.js';
import { applyMsgOf, repersist, stepFrom, withStep } from './wrap.js';

/**
 * Membership change bugs (Raft thesis chapter 4, single-server changes), each the real core with
 * one rule of ChangeMembership or of counting a quorum changed.
 */

/** Small bounds at which the membership bugs show: one term, no client command, no faults. */
const MEMBERSHIP_BOUNDS: Partial<Bounds> = {
  servers: 3, maxTerm: 1, maxCommands: 0, maxCrashes: 0, maxSnapshots: 0, maxMessages: 2, duplicate: false, crashMidStep: false,
  maxConfigChanges: 2, configChanges: ['RemoveServer'],
};

/** The command a Start is given so that its entry can be found again and made a configuration entry. */
const MARK: object = Object.freeze({ changeMembershipMark: true });

/**
 * Leader `state` accepts `input`'s change whatever the refusals say: the core's Start appends and
 * replicates an entry, which is then made the configuration entry in the log, the messages and
 * any apply (persistence recomputed), and the answer is ok.
 */
function accept(state: RaftState, input: Extract<Input, { type: 'ChangeMembership' }>): StepResult {
  const entry: LogEntry = { term: state.currentTerm, command: input.context ?? null, config: applyChange(configurationInEffect(state), input.change) };
  const r = step(state, { type: 'Start', command: MARK });
  const index = lastLogIndex(r.state);
  const swap = (e: LogEntry): LogEntry => (e.command === MARK ? entry : e);
  const log = produce(r.state, (d) => { d.log[index - d.lastIncludedIndex - 1] = castDraft(entry); });
  const messages = r.messages.map((m): Message => (m.type === 'AppendEntries' && m.entries.some((e) => e.command === MARK) ? { ...m, entries: m.entries.map(swap) } : m));
  const apply = r.apply.map((a) => ('commandValid' in a && a.command === MARK ? applyMsgOf(entry, a.commandIndex) : a));
  const { start: _, ...rest } = r;
  return repersist(state, { ...rest, state: log, messages, apply, membership: { ok: true, index, term: state.currentTerm } });
}

/**
 * The bug Ongaro reported in 2015 (raft-dev, "bug in single-server membership changes"): a new
 * leader changes the configuration before any entry of its term has committed. Its log may end in
 * a change of a previous leader that never committed and that a later leader never saw; the two
 * changes then give configurations that differ by two servers, with majorities that need not
 * overlap. The fix: commit an entry of the term first (a no-op).
 */
export const changeBeforeCommitInTerm: Mutant = {
  name: 'change-before-commit-in-term',
  description: 'A leader appends a configuration entry before an entry of its term has committed (the 2015 single-server membership bug; the fix commits a no-op first).',
  breaks: 'ChangeAfterCommitInTerm',
  bounds: { ...MEMBERSHIP_BOUNDS, maxLog: 1, maxConfigChanges: 1 },
  reducer: withStep((state, input) => {
    const r = step(state, input);
    return input.type === 'ChangeMembership' && r.membership?.ok === false && r.membership.reason === 'no-commit-in-term' ? accept(state, input) : r;
  }),
};

/** A leader appends a second change while the first is uncommitted (thesis §4.1: one at a time). */
export const twoChangesInFlight: Mutant = {
  name: 'two-changes-in-flight',
  description: 'A leader appends a configuration entry while an earlier one is still uncommitted (thesis §4.1: a change starts only once the previous one has committed).',
  breaks: 'OneChangeAtATime',
  bounds: { ...MEMBERSHIP_BOUNDS, maxLog: 3 },
  reducer: withStep((state, input) => {
    const r = step(state, input);
    if (input.type !== 'ChangeMembership' || r.membership?.ok !== false || r.membership.reason !== 'change-in-progress') return r;
    // The rest of the rules still hold: an entry of the term has committed.
    return termAt(state, state.commitIndex) === state.currentTerm ? accept(state, input) : r;
  }),
};

/** The configuration of the last configuration entry at or below commitIndex (else the snapshot's, the bootstrap one, everyone). */
function committedConfiguration(s: RaftState): Configuration {
  const upTo = s.commitIndex - s.lastIncludedIndex;
  const committed = s.log.slice(0, Math.max(0, upTo));
  return configurationInEffect({ ...s, log: committed });
}

/**
 * After the real step of a leader: the highest index of its term at which `quorumAt` finds a
 * majority, committed and applied when it is past commitIndex (the real rule's place).
 */
function recount(r: StepResult, quorumAt: (s: RaftState, n: number) => boolean): StepResult {
  const s = r.state;
  if (s.role !== 'leader') return r;
  let n = lastLogIndex(s);
  while (n > s.commitIndex && (termAt(s, n) !== s.currentTerm || !quorumAt(s, n))) n--;
  if (n <= s.commitIndex) return r;
  const apply = [...r.apply];
  for (let i = s.lastApplied + 1; i <= n; i++) apply.push(applyMsgOf(s.log[i - s.lastIncludedIndex - 1]!, i));
  const state = produce(s, (d) => {
    d.commitIndex = n;
    d.lastApplied = n;
  });
  return { ...r, state, apply };
}

/** Whether server `v` holds index `n` by leader `s`'s account (its own log, else its matchIndex). */
const holds = (s: RaftState, v: number, n: number): boolean => (v === s.id ? lastLogIndex(s) >= n : (s.matchIndex[v] ?? 0) >= n);

const count = (ids: readonly number[], f: (id: number) => boolean): number => ids.filter(f).length;

/**
 * The leader counts its commit quorum among the voters of the latest committed configuration,
 * not of the latest one in its log. A leader removing itself then counts its own copy: with one
 * other server's it commits the configuration that no majority of its new voters holds.
 */
export const quorumFromCommittedConfiguration: Mutant = {
  name: 'quorum-from-committed-configuration',
  description: 'A leader counts its commit majority among the voters of the latest committed configuration instead of the latest one in its log, committed or not (thesis §4.1: a configuration is in effect as soon as it is in the log).',
  // In the step that commits, CommitOnQuorumOfConfiguration records the rule it broke; but what it
  // committed is the configuration it counted wrongly for, now the latest committed one, whose
  // voters hold its entry on too few disks in that very state: the earlier invariant reports it.
  breaks: 'CommittedSurvivesCrash',
  bounds: { ...MEMBERSHIP_BOUNDS, maxLog: 2, maxConfigChanges: 1 },
  reducer: withStep((state, input) => recount(step(state, input), (s, n) => {
    const { voters } = committedConfiguration(s);
    return count(voters, (v) => holds(s, v, n)) >= majority(voters.length);
  })),
};

/**
 * The leader counts the matchIndex of every server of the cluster toward a majority of its
 * configuration's voters, a server it removed among them: an entry it sent before the removal,
 * acknowledged by the removed server, commits without a majority of the voters.
 */
export const removedServerStillCounted: Mutant = {
  name: 'removed-server-still-counted',
  description: 'A leader counts the acknowledgements of servers it removed (every server\'s matchIndex) toward the majority of its configuration\'s voters.',
  breaks: 'CommitOnQuorumOfConfiguration',
  bounds: { ...MEMBERSHIP_BOUNDS, maxLog: 3, maxCommands: 1, maxConfigChanges: 1 },
  reducer: withStep((state, input) => recount(step(state, input), (s, n) => {
    const config = configurationInEffect(s);
    const everyone = Array.from({ length: s.clusterSize }, (_, i) => i);
    // Every other server counts; the leader itself only while a voter, as the real rule has it.
    return count(everyone, (v) => (v !== s.id || isVoter(config, v)) && holds(s, v, n)) >= majority(config.voters.length);
  })),
};

/**
 * A server that is not a voter of its configuration in effect (here: one outside the bootstrap
 * configuration) stands on its election timeout, as if every server voted.
 */
export const outsiderStands: Mutant = {
  name: 'outsider-stands',
  description: 'A server outside the voters of its configuration in effect stands for election on its timeout, as if every server voted (thesis §4.2.1: only voters stand).',
  breaks: 'OnlyVotersStand',
  bounds: { servers: 3, initialVoters: 2, maxTerm: 1, maxLog: 0, maxCommands: 0, maxCrashes: 0, maxSnapshots: 0, maxMessages: 2, duplicate: false, crashMidStep: false },
  reducer: withStep((state, input) => {
    const bootstrap = state.bootstrapConfig;
    if (input.type !== 'ElectionTimeout' || bootstrap === undefined || isVoter(configurationInEffect(state), state.id)) return step(state, input);
    const { bootstrapConfig: _, ...everyoneVotes } = state;
    const r = stepFrom(state, everyoneVotes, input);
    return { ...r, state: produce(r.state, (d) => { d.bootstrapConfig = castDraft(bootstrap); }) };
  }),
};

/** A leader that committed the configuration without itself leads on (thesis §4.2.2: it steps down). */
export const removedLeaderKeepsLeading: Mutant = {
  name: 'removed-leader-keeps-leading',
  description: 'A leader that removed itself goes on leading once the configuration without it has committed, instead of stepping down (thesis §4.2.2).',
  breaks: 'RemovedLeaderStepsDown',
  bounds: { ...MEMBERSHIP_BOUNDS, maxLog: 2, maxConfigChanges: 1 },
  reducer: withStep((state, input) => {
    const r = step(state, input);
    const s = r.state;
    if (state.role !== 'leader' || s.role === 'leader' || s.currentTerm !== state.currentTerm || isVoter(configurationInEffect(s), s.id)) return r;
    // The step-down undone: leader again, with the progress it had (the role is not persisted).
    const leading = produce(s, (d) => {
      d.role = 'leader';
      d.nextIndex = [...state.nextIndex];
      d.matchIndex = [...matchAfter(state, s, input)];
      d.recentActive = [...state.recentActive];
    });
    return { ...r, state: leading };
  }),
};

export const MEMBERSHIP_MUTANTS: readonly Mutant[] = [
  changeBeforeCommitInTerm, twoChangesInFlight, quorumFromCommittedConfiguration, removedServerStillCounted, outsiderStands, removedLeaderKeepsLeading,
];
