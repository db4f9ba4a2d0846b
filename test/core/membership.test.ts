/**
 * Membership change (Raft thesis chapter 4), one server at a time: the configuration in effect,
 * who stands, who votes, who is replicated to, what commits, and the leader's ChangeMembership.
 */
import { describe, expect, it } from 'vitest';
import {
  applyChange, configurationInEffect, DEFAULT_STEP_CONFIG, EMPTY_PERSISTENT_STATE, everyoneVotes, initialState, isMember, isVoter, membersOf,
  persistentPart, restore,
  type Configuration, type InstallSnapshotArgs, type LogEntry, type MembershipChange, type RaftState, type ServerId, type StepConfig, type Term,
} from '../../src/core/index.js';
import { accepted, appendEntries, entry, log, receive, sent, server, start, stepChecked, TICK, TIMEOUT, voteReply } from './helpers.js';

const config = (voters: ServerId[], learners: ServerId[] = []): Configuration => ({ voters, learners });
const configEntry = (term: Term, c: Configuration, command: unknown = null): LogEntry => ({ term, command, config: c });
const change = (kind: MembershipChange['kind'], server: ServerId, context?: unknown) =>
  ({ type: 'ChangeMembership', change: { kind, server }, ...(context === undefined ? {} : { context }) }) as const;
const PRE_VOTE: StepConfig = { ...DEFAULT_STEP_CONFIG, preVote: true };
const CHECK_QUORUM: StepConfig = { ...DEFAULT_STEP_CONFIG, checkQuorum: true };

/** Server `id` of a cluster of `n` starting as `bootstrap`, elected leader of `term` by the votes of the lowest other voters. */
function leaderOf(id: ServerId, bootstrap: Configuration, n = 3, term = 2, cfg: StepConfig = DEFAULT_STEP_CONFIG, entries: readonly LogEntry[] = []): RaftState {
  let s = stepChecked(server(id, { clusterSize: n, currentTerm: term - 1, bootstrapConfig: bootstrap, log: [...entries] }), TIMEOUT, cfg).state;
  for (const voter of bootstrap.voters) {
    if (s.role === 'leader') break;
    if (voter !== id) s = stepChecked(s, receive(voteReply(voter, id, term, true)), cfg).state;
  }
  expect(s.role).toBe('leader');
  return s;
}

/** That leader once an entry of its term has committed (acknowledged by every other voter). */
function committedLeader(id: ServerId, bootstrap: Configuration, n = 3, cfg: StepConfig = DEFAULT_STEP_CONFIG): RaftState {
  let s = leaderOf(id, bootstrap, n, 2, cfg);
  s = stepChecked(s, start('x'), cfg).state;
  for (const voter of bootstrap.voters) if (voter !== id) s = stepChecked(s, receive(accepted(voter, id, 2, 1)), cfg).state;
  expect(s.commitIndex).toBe(1);
  return s;
}

describe('configuration arithmetic', () => {
  it('applyChange adds a learner, promotes it, removes a server, keeping ids ascending', () => {
    const c = config([0, 2]);
    expect(applyChange(c, { kind: 'AddLearner', server: 1 })).toEqual(config([0, 2], [1]));
    expect(applyChange(config([0, 2], [1]), { kind: 'PromoteLearner', server: 1 })).toEqual(config([0, 1, 2]));
    expect(applyChange(config([0, 1, 2]), { kind: 'RemoveServer', server: 0 })).toEqual(config([1, 2]));
    expect(applyChange(config([0], [1]), { kind: 'RemoveServer', server: 1 })).toEqual(config([0]));
    expect(c).toEqual(config([0, 2])); // pure
  });

  it('isVoter, isMember, membersOf (voters then learners), everyoneVotes', () => {
    const c = config([1, 3], [0, 2]);
    expect([0, 1, 2, 3, 4].map((id) => isVoter(c, id))).toEqual([false, true, false, true, false]);
    expect([0, 1, 2, 3, 4].map((id) => isMember(c, id))).toEqual([true, true, true, true, false]);
    expect(membersOf(c)).toEqual([1, 3, 0, 2]);
    expect(everyoneVotes(3)).toEqual(config([0, 1, 2]));
  });
});

describe('the configuration in effect is the latest in the log, committed or not', () => {
  const bootstrapConfig = config([0, 1]);
  it('the last configuration entry, else lastIncludedConfig, else bootstrapConfig, else every server a voter', () => {
    const v = { clusterSize: 3, lastIncludedIndex: 0, lastIncludedTerm: 0 };
    expect(configurationInEffect({ ...v, log: log(1) })).toEqual(everyoneVotes(3));
    expect(configurationInEffect({ ...v, log: log(1), bootstrapConfig })).toEqual(bootstrapConfig);
    const snap = { ...v, lastIncludedIndex: 4, lastIncludedTerm: 1, lastIncludedConfig: config([0], [2]), bootstrapConfig };
    expect(configurationInEffect({ ...snap, log: log(1) })).toEqual(config([0], [2]));
    const inLog = { ...snap, log: [configEntry(1, config([0, 2])), entry(1, 'y'), configEntry(1, config([2])), entry(1, 'z')] };
    expect(configurationInEffect(inLog)).toEqual(config([2])); // uncommitted (commitIndex is not even known here)
  });

  it('a follower takes a configuration entry into effect on receipt, before it commits', () => {
    const f = server(1, { currentTerm: 2, bootstrapConfig: config([0, 1, 2]) });
    const r = stepChecked(f, receive(appendEntries(0, 1, 2, { entries: [configEntry(2, config([0, 2], [1]))] })));
    expect(r.state.commitIndex).toBe(0);
    expect(configurationInEffect(r.state)).toEqual(config([0, 2], [1]));
    expect(stepChecked(r.state, TIMEOUT).state.role).toBe('follower'); // now a learner: it does not stand
  });

  it('truncating a configuration entry reverts the configuration', () => {
    const f = server(1, { currentTerm: 2, bootstrapConfig: config([0, 1, 2]), log: [entry(1, 'a'), configEntry(1, config([0, 2], [1]))] });
    expect(stepChecked(f, TIMEOUT).state.role).toBe('follower'); // a learner by its log
    const r = stepChecked(f, receive(appendEntries(0, 1, 2, { prevLogIndex: 1, prevLogTerm: 1, entries: [entry(2, 'b')] })));
    expect(r.state.log).toEqual([entry(1, 'a'), entry(2, 'b')]);
    expect(configurationInEffect(r.state)).toEqual(config([0, 1, 2]));
    expect(stepChecked(r.state, TIMEOUT).state.role).toBe('candidate'); // a voter again
  });
});

describe('only a voter of its configuration in effect stands', () => {
  for (const [name, cfg] of [['without preVote', DEFAULT_STEP_CONFIG], ['with preVote', PRE_VOTE]] as const) {
    it(`a learner's or an outsider's election timeout only resets its timer (${name})`, () => {
      for (const id of [1, 2]) { // 1 a learner, 2 outside
        const s = server(id, { currentTerm: 3, bootstrapConfig: config([0], [1]) });
        const r = stepChecked(s, TIMEOUT, cfg);
        expect(r.state).toBe(s);
        expect(r.messages).toEqual([]);
        expect(r.timers).toEqual(['resetElectionTimer']);
        expect(r.persist).toBeNull();
      }
    });
  }
});

describe('elections count the voters only', () => {
  it('RequestVote goes to the other voters only, and PreVote too', () => {
    const bootstrapConfig = config([0, 2, 3], [1]);
    const s = server(0, { clusterSize: 5, currentTerm: 1, bootstrapConfig });
    expect(stepChecked(s, TIMEOUT).messages.map((m) => [m.type, m.to])).toEqual([['RequestVote', 2], ['RequestVote', 3]]);
    expect(stepChecked(s, TIMEOUT, PRE_VOTE).messages.map((m) => [m.type, m.to])).toEqual([['PreVote', 2], ['PreVote', 3]]);
  });

  it('a vote from a learner or an outsider does not count; a majority of the voters wins', () => {
    let s = stepChecked(server(0, { clusterSize: 5, currentTerm: 1, bootstrapConfig: config([0, 2, 3], [1]) }), TIMEOUT).state;
    s = stepChecked(s, receive(voteReply(1, 0, 2, true))).state; // learner
    s = stepChecked(s, receive(voteReply(4, 0, 2, true))).state; // outside
    expect(s.role).toBe('candidate'); // 3 of 5 servers voted, but 1 of 3 voters
    expect(stepChecked(s, receive(voteReply(3, 0, 2, true))).state.role).toBe('leader');
  });

  it('a pre-vote from a learner does not count either', () => {
    let s = stepChecked(server(0, { clusterSize: 3, currentTerm: 1, bootstrapConfig: config([0, 2], [1]) }), TIMEOUT, PRE_VOTE).state;
    s = stepChecked(s, receive({ type: 'PreVoteReply', from: 1, to: 0, term: 2, voteGranted: true }), PRE_VOTE).state;
    expect(s.role).toBe('preCandidate');
    expect(stepChecked(s, receive({ type: 'PreVoteReply', from: 2, to: 0, term: 2, voteGranted: true }), PRE_VOTE).state.role).toBe('candidate');
  });

  it('the only voter elects itself at once', () => {
    const r = stepChecked(server(0, { clusterSize: 3, currentTerm: 0, bootstrapConfig: config([0], [2]) }), TIMEOUT);
    expect(r.state.role).toBe('leader');
    expect(r.messages.map((m) => [m.type, m.to])).toEqual([['AppendEntries', 2]]);
  });
});

describe('a leader replicates to every member and commits on a majority of the voters', () => {
  it('AppendEntries goes to voters and learners, not to servers outside', () => {
    const leader = leaderOf(0, config([0, 2], [3]), 5);
    expect(stepChecked(leader, TICK).messages.map((m) => [m.type, m.to])).toEqual([['AppendEntries', 2], ['AppendEntries', 3]]);
  });

  it("a learner's acknowledgement does not commit; a voter's does", () => {
    let leader = stepChecked(leaderOf(0, config([0, 2], [1])), start('x')).state;
    leader = stepChecked(leader, receive(accepted(1, 0, 2, 1))).state;
    expect(leader.commitIndex).toBe(0);
    expect(stepChecked(leader, receive(accepted(2, 0, 2, 1))).state.commitIndex).toBe(1);
  });

  it('CheckQuorum counts the voters only', () => {
    let leader = leaderOf(0, config([0, 1, 2], [3, 4]), 5, 2, CHECK_QUORUM);
    leader = stepChecked(leader, receive(accepted(3, 0, 2, 0)), CHECK_QUORUM).state;
    leader = stepChecked(leader, receive(accepted(4, 0, 2, 0)), CHECK_QUORUM).state;
    expect(stepChecked(leader, TIMEOUT, CHECK_QUORUM).state.role).toBe('follower'); // 3 of 5 servers heard, 1 of 3 voters
    leader = stepChecked(leader, receive(accepted(1, 0, 2, 0)), CHECK_QUORUM).state;
    expect(stepChecked(leader, TIMEOUT, CHECK_QUORUM).state.role).toBe('leader');
  });
});

describe('ChangeMembership: a leader appends one change at a time, after an entry of its term committed', () => {
  it('refuses unless leader: not-leader', () => {
    for (const s of [server(1), server(1, { role: 'candidate', currentTerm: 1 })]) {
      const r = stepChecked(s, change('AddLearner', 2));
      expect(r.membership).toEqual({ ok: false, reason: 'not-leader' });
      expect(r.state).toBe(s);
      expect(r.messages).toEqual([]);
    }
  });

  it('refuses a server id outside 0..clusterSize-1: no-such-server', () => {
    const leader = committedLeader(0, config([0, 1]));
    for (const id of [3, -1, 1.5]) expect(stepChecked(leader, change('AddLearner', id)).membership).toEqual({ ok: false, reason: 'no-such-server' });
  });

  it('refuses AddLearner of a voter or a learner: already-member', () => {
    const leader = committedLeader(0, config([0, 1], [2]), 4);
    expect(stepChecked(leader, change('AddLearner', 1)).membership).toEqual({ ok: false, reason: 'already-member' });
    expect(stepChecked(leader, change('AddLearner', 2)).membership).toEqual({ ok: false, reason: 'already-member' });
  });

  it('refuses PromoteLearner of a voter or an outsider: not-a-learner', () => {
    const leader = committedLeader(0, config([0, 1], [2]), 4);
    expect(stepChecked(leader, change('PromoteLearner', 1)).membership).toEqual({ ok: false, reason: 'not-a-learner' });
    expect(stepChecked(leader, change('PromoteLearner', 3)).membership).toEqual({ ok: false, reason: 'not-a-learner' });
  });

  it('refuses RemoveServer of a server outside: no-such-server', () => {
    const leader = committedLeader(0, config([0, 1]));
    expect(stepChecked(leader, change('RemoveServer', 2)).membership).toEqual({ ok: false, reason: 'no-such-server' });
  });

  it('refuses RemoveServer of the only voter: last-voter (a learner can still be removed)', () => {
    const leader = committedLeader(0, config([0], [1]));
    expect(stepChecked(leader, change('RemoveServer', 0)).membership).toEqual({ ok: false, reason: 'last-voter' });
    expect(stepChecked(leader, change('RemoveServer', 1)).membership).toMatchObject({ ok: true });
  });

  it('refuses while a configuration entry is uncommitted: change-in-progress', () => {
    const leader = stepChecked(committedLeader(0, config([0, 1, 2])), change('RemoveServer', 2)).state;
    const r = stepChecked(leader, change('RemoveServer', 1));
    expect(r.membership).toEqual({ ok: false, reason: 'change-in-progress' });
    expect(r.state).toBe(leader);
    expect(r.messages).toEqual([]);
  });

  it('refuses before an entry of its term committed, appending one no-op: no-commit-in-term (the 2015 fix)', () => {
    const leader = leaderOf(0, config([0, 1, 2]), 3, 2, DEFAULT_STEP_CONFIG, log(1));
    const r = stepChecked(leader, change('RemoveServer', 2));
    expect(r.membership).toEqual({ ok: false, reason: 'no-commit-in-term' });
    expect(r.state.log).toEqual([entry(1, 'c1'), { term: 2, command: null, noop: true }]);
    expect(r.persist).toMatchObject({ logChangedFrom: 2 });
    expect(sent(r, 'AppendEntries').map((m) => [m.to, m.entries])).toEqual([[1, [r.state.log[1]]], [2, [r.state.log[1]]]]);
    // Asked again before the no-op commits: refused again, and no second no-op.
    const again = stepChecked(r.state, change('RemoveServer', 2));
    expect(again.membership).toEqual({ ok: false, reason: 'no-commit-in-term' });
    expect(again.state).toBe(r.state);
    // Nor one when the log holds an entry of its term already (a command not yet committed).
    const withCommand = stepChecked(leader, start('y')).state;
    expect(stepChecked(withCommand, change('RemoveServer', 2)).state).toBe(withCommand);
  });

  it('accepted: appends { term, command: context, config } and replicates it to every member of the new configuration', () => {
    const leader = committedLeader(0, config([0, 1]), 3);
    const r = stepChecked(leader, change('AddLearner', 2, 'host:2'));
    expect(r.membership).toEqual({ ok: true, index: 2, term: 2 });
    expect(r.state.log[1]).toEqual({ term: 2, command: 'host:2', config: config([0, 1], [2]) });
    expect(sent(r, 'AppendEntries').map((m) => m.to)).toEqual([1, 2]); // the new learner too
    expect(r.state.matchIndex[0]).toBe(2);
    expect(stepChecked(leader, change('AddLearner', 2)).state.log[1]!.command).toBeNull(); // no context: null
  });

  it('the no-op commits, and then the change is accepted', () => {
    let leader = stepChecked(leaderOf(0, config([0, 1, 2])), change('RemoveServer', 2)).state;
    leader = stepChecked(leader, receive(accepted(1, 0, 2, 1))).state;
    expect(leader.commitIndex).toBe(1);
    expect(stepChecked(leader, change('RemoveServer', 2)).membership).toEqual({ ok: true, index: 2, term: 2 });
  });
});

describe('a committed configuration entry or no-op is applied as a ConfigApplyMsg, never as a command', () => {
  it('in index order with the commands around it', () => {
    let leader = leaderOf(0, config([0, 1]));
    leader = stepChecked(leader, change('AddLearner', 2, 'ctx')).state; // the no-op, index 1
    leader = stepChecked(leader, receive(accepted(1, 0, 2, 1))).state;
    leader = stepChecked(leader, change('AddLearner', 2, 'ctx')).state; // index 2
    leader = stepChecked(leader, start('x')).state; // index 3
    const r = stepChecked(leader, receive(accepted(1, 0, 2, 3)));
    expect(r.apply).toEqual([
      { configValid: true, configIndex: 2, config: config([0, 1], [2]), context: 'ctx' },
      { commandValid: true, command: 'x', commandIndex: 3 },
    ]);
    const f = stepChecked(server(1, { currentTerm: 2 }), receive(appendEntries(0, 1, 2, { entries: leader.log, leaderCommit: 1 })));
    expect(f.apply).toEqual([{ configValid: true, configIndex: 1, config: null, context: null }]);
  });
});

describe('a leader that removed itself', () => {
  it('keeps leading without counting itself, and steps down (same term) in the step its removal commits', () => {
    let leader = stepChecked(committedLeader(0, config([0, 1, 2])), change('RemoveServer', 0)).state;
    expect(leader.role).toBe('leader');
    expect(sent(stepChecked(leader, TICK), 'AppendEntries').map((m) => m.to)).toEqual([1, 2]);
    leader = stepChecked(leader, receive(accepted(1, 0, 2, 2))).state;
    expect(leader).toMatchObject({ role: 'leader', commitIndex: 1 }); // itself and 1 of {1, 2}: no majority
    const r = stepChecked(leader, receive(accepted(2, 0, 2, 2)));
    expect(r.state).toMatchObject({ role: 'follower', currentTerm: 2, votedFor: 0, commitIndex: 2, lastApplied: 2 });
    expect(r.timers).toEqual(['stopHeartbeat']);
    expect(r.apply).toEqual([{ configValid: true, configIndex: 2, config: config([1, 2]), context: null }]);
    expect(stepChecked(r.state, TIMEOUT).state.role).toBe('follower'); // and never stands again
  });
});

describe('snapshots keep the configuration they compact', () => {
  it('Snapshot input: lastIncludedConfig is the last configuration entry at or before the index, persisted with the snapshot', () => {
    const c1 = config([0, 1], [2]);
    const c2 = config([0, 1, 2]);
    const s = server(0, { log: [entry(1, 'a'), configEntry(1, c1), entry(1, 'b'), configEntry(1, c2)], commitIndex: 4, lastApplied: 4 });
    const r = stepChecked(s, { type: 'Snapshot', index: 3, snapshot: 'S3' });
    expect(r.state.lastIncludedConfig).toEqual(c1);
    expect(r.persist).toMatchObject({ lastIncludedIndex: 3, lastIncludedConfig: c1, snapshotChanged: true });
    expect(configurationInEffect(r.state)).toEqual(c2); // still the later entry in the log
    // A later snapshot with no configuration entry in its range keeps the old one.
    const later = { ...r.state, log: [...r.state.log, entry(1, 'c')], commitIndex: 5, lastApplied: 5 };
    const r2 = stepChecked(later, { type: 'Snapshot', index: 5, snapshot: 'S5' });
    expect(r2.state.lastIncludedConfig).toEqual(c2);
    expect(configurationInEffect(r2.state)).toEqual(c2);
  });

  it('without a configuration entry compacted the state and the persist effect have no lastIncludedConfig', () => {
    const r = stepChecked(server(0, { log: log(1, 1), commitIndex: 2, lastApplied: 2 }), { type: 'Snapshot', index: 1, snapshot: 'S' });
    expect('lastIncludedConfig' in r.state).toBe(false);
    expect('lastIncludedConfig' in r.persist!).toBe(false);
  });

  it('InstallSnapshot carries the leader\'s lastIncludedConfig and the receiver stores it', () => {
    const c = config([0, 1], [2]);
    let leader = leaderOf(0, config([0, 1]), 3, 2, DEFAULT_STEP_CONFIG);
    leader = { ...leader, lastIncludedIndex: 4, lastIncludedTerm: 1, snapshot: 'S', lastIncludedConfig: c, commitIndex: 4, lastApplied: 4, nextIndex: [5, 1, 1] };
    const m = sent(stepChecked(leader, TICK), 'InstallSnapshot');
    expect(m.map((x) => [x.to, x.lastIncludedConfig])).toEqual([[1, c], [2, c]]);
    const r = stepChecked(server(2, { currentTerm: 2 }), receive(m[1]!));
    expect(r.state.lastIncludedConfig).toEqual(c);
    expect(r.persist).toMatchObject({ lastIncludedConfig: c, snapshotChanged: true });
    expect(configurationInEffect(r.state)).toEqual(c);
    const plain: InstallSnapshotArgs = { type: 'InstallSnapshot', from: 0, to: 2, term: 2, leaderId: 0, lastIncludedIndex: 4, lastIncludedTerm: 1, data: 'S' };
    expect('lastIncludedConfig' in stepChecked(server(2, { currentTerm: 2 }), receive(plain)).state).toBe(false);
  });
});

describe('restore, initialState and persistentPart carry the configurations', () => {
  it('bootstrapConfig is kept in the state; absent, the state has no such key (every server a voter, as before membership)', () => {
    expect(initialState(2, 3, config([0, 1])).bootstrapConfig).toEqual(config([0, 1]));
    expect('bootstrapConfig' in initialState(2, 3)).toBe(false);
    expect('lastIncludedConfig' in initialState(2, 3)).toBe(false);
    const persisted = { ...EMPTY_PERSISTENT_STATE, lastIncludedIndex: 3, lastIncludedTerm: 1, lastIncludedConfig: config([1]) };
    expect(restore(0, 3, persisted, config([0, 1])).lastIncludedConfig).toEqual(config([1]));
  });

  it('a malformed configuration is refused with a clear error', () => {
    expect(() => initialState(0, 3, config([]))).toThrow(/at least one voter/);
    expect(() => initialState(0, 3, config([0, 3]))).toThrow(/not in 0..2/);
    expect(() => initialState(0, 3, config([1, 0]))).toThrow(/ascending/);
    expect(() => initialState(0, 3, config([0, 1], [1]))).toThrow(/not both/);
    expect(() => restore(0, 3, { ...EMPTY_PERSISTENT_STATE, lastIncludedIndex: 1, lastIncludedTerm: 1, lastIncludedConfig: config([5]) })).toThrow(/lastIncludedConfig/);
  });

  it('persistentPart copies lastIncludedConfig when present, and EMPTY_PERSISTENT_STATE lacks it', () => {
    expect('lastIncludedConfig' in EMPTY_PERSISTENT_STATE).toBe(false);
    const s = { ...server(0), lastIncludedConfig: config([0]) };
    expect(persistentPart(s).lastIncludedConfig).toEqual(config([0]));
    expect('lastIncludedConfig' in persistentPart(server(0))).toBe(false);
  });
});
