/** PreVote (Raft thesis §9.6), with StepConfig.preVote: a round of pre-votes before any term is raised. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_STEP_CONFIG, type PreVoteArgs, type PreVoteReply, type StepConfig } from '../../src/core/index.js';
import { appendEntries, log, receive, server, stepChecked, TIMEOUT } from './helpers.js';

const PRE_VOTE: StepConfig = { ...DEFAULT_STEP_CONFIG, preVote: true };

const preVote = (from: number, to: number, term: number, last: { index?: number; term?: number } = {}): PreVoteArgs =>
  ({ type: 'PreVote', from, to, term, candidateId: from, lastLogIndex: last.index ?? 0, lastLogTerm: last.term ?? 0 });
const preVoteReply = (from: number, to: number, term: number, voteGranted: boolean): PreVoteReply =>
  ({ type: 'PreVoteReply', from, to, term, voteGranted });

describe('PreVote: the pre-candidate', () => {
  it('on election timeout asks for pre-votes for currentTerm + 1, keeping its term and vote', () => {
    const r = stepChecked(server(2, { currentTerm: 3, votedFor: 0, log: log(1, 3) }), TIMEOUT, PRE_VOTE);
    expect(r.state).toMatchObject({ role: 'preCandidate', currentTerm: 3, votedFor: 0, votesGranted: [false, false, true] });
    expect(r.persist).toBeNull();
    expect(r.timers).toEqual(['resetElectionTimer']);
    expect(r.messages).toEqual([preVote(2, 0, 4, { index: 2, term: 3 }), preVote(2, 1, 4, { index: 2, term: 3 })]);
  });

  it('with a majority of pre-votes becomes a candidate of currentTerm + 1 and asks for real votes', () => {
    const pre = stepChecked(server(0, { currentTerm: 3 }), TIMEOUT, PRE_VOTE).state;
    const r = stepChecked(pre, receive(preVoteReply(1, 0, 4, true)), PRE_VOTE);
    expect(r.state).toMatchObject({ role: 'candidate', currentTerm: 4, votedFor: 0 });
    expect(r.messages.map((m) => m.type)).toEqual(['RequestVote', 'RequestVote']);
  });

  it('counts a granted pre-vote of its own round only', () => {
    const pre = stepChecked(server(0, { currentTerm: 3, clusterSize: 5 }), TIMEOUT, PRE_VOTE).state;
    const older = stepChecked(pre, receive(preVoteReply(1, 0, 3, true)), PRE_VOTE);
    expect(older.state).toBe(pre);
    const once = stepChecked(pre, receive(preVoteReply(1, 0, 4, true)), PRE_VOTE).state;
    const twice = stepChecked(once, receive(preVoteReply(1, 0, 4, true)), PRE_VOTE).state;
    expect(twice).toMatchObject({ role: 'preCandidate', currentTerm: 3 }); // the same voter twice is 2 of 5
  });

  it('a granted pre-vote reply does not raise its term; a refusal of a higher (real) term makes it a follower of that term', () => {
    const pre = stepChecked(server(0, { currentTerm: 3, clusterSize: 5 }), TIMEOUT, PRE_VOTE).state;
    const granted = stepChecked(pre, receive(preVoteReply(1, 0, 4, true)), PRE_VOTE);
    expect(granted.state.currentTerm).toBe(3);
    const refused = stepChecked(pre, receive(preVoteReply(1, 0, 5, false)), PRE_VOTE);
    expect(refused.state).toMatchObject({ role: 'follower', currentTerm: 5, votedFor: null });
  });

  it('yields to a current leader: AppendEntries of its term makes it a follower again, term unchanged', () => {
    const pre = stepChecked(server(0, { currentTerm: 3 }), TIMEOUT, PRE_VOTE).state;
    const r = stepChecked(pre, receive(appendEntries(1, 0, 3)), PRE_VOTE);
    expect(r.state).toMatchObject({ role: 'follower', currentTerm: 3, heardFromLeader: true });
    expect(r.persist).toBeNull();
  });
});

describe('PreVote: the receiver', () => {
  it('grants a pre-vote for a higher term to an up-to-date log, and changes nothing of its own', () => {
    const follower = server(1, { currentTerm: 3, votedFor: 2 });
    const r = stepChecked(follower, receive(preVote(0, 1, 4)), PRE_VOTE);
    expect(r.messages).toEqual([preVoteReply(1, 0, 4, true)]);
    expect(r.state).toBe(follower);
    expect(r.persist).toBeNull();
    expect(r.timers).toEqual([]);
  });

  it('refuses, with its own term, a pre-vote for a term it already holds, or to a less up-to-date log', () => {
    const follower = server(1, { currentTerm: 4, log: log(2) });
    expect(stepChecked(follower, receive(preVote(0, 1, 4, { index: 1, term: 2 })), PRE_VOTE).messages).toEqual([preVoteReply(1, 0, 4, false)]);
    expect(stepChecked(follower, receive(preVote(0, 1, 5, { index: 1, term: 1 })), PRE_VOTE).messages).toEqual([preVoteReply(1, 0, 4, false)]);
  });

  it('leader stickiness: refuses while it hears a current leader, grants after its own election timeout', () => {
    const heard = stepChecked(server(1, { currentTerm: 3 }), receive(appendEntries(2, 1, 3)), PRE_VOTE).state;
    expect(heard.heardFromLeader).toBe(true);
    expect(stepChecked(heard, receive(preVote(0, 1, 4)), PRE_VOTE).messages).toEqual([preVoteReply(1, 0, 3, false)]);
    const timedOut = stepChecked(heard, TIMEOUT, PRE_VOTE).state;
    expect(timedOut.heardFromLeader).toBe(false);
    expect(stepChecked(timedOut, receive(preVote(0, 1, 4)), PRE_VOTE).messages).toEqual([preVoteReply(1, 0, 4, true)]);
  });

  it('a leader refuses pre-votes and keeps its term', () => {
    const leader = server(1, { currentTerm: 3, role: 'leader', nextIndex: [1, 1, 1], matchIndex: [0, 0, 0] });
    const r = stepChecked(leader, receive(preVote(0, 1, 4)), PRE_VOTE);
    expect(r.messages).toEqual([preVoteReply(1, 0, 3, false)]);
    expect(r.state).toBe(leader);
  });

  it('without preVote, an election timeout stands at once and nothing tracks leaders', () => {
    const r = stepChecked(server(1, { currentTerm: 3 }), receive(appendEntries(2, 1, 3)));
    expect(r.state.heardFromLeader).toBe(false);
    expect(stepChecked(r.state, TIMEOUT).state).toMatchObject({ role: 'candidate', currentTerm: 4 });
  });
});
