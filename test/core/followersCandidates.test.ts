/** Figure 2, "Rules for Servers — Followers" and "— Candidates". */
import { describe, expect, it } from 'vitest';
import {
  appendEntries, electedLeader, log, receive, requestVote, sent, server, stepChecked, TICK, TIMEOUT, voteReply,
} from './helpers.js';

describe('Followers', () => {
  it('respond to RPCs from candidates and leaders', () => {
    const follower = server(1, { currentTerm: 1 });
    const vote = stepChecked(follower, receive(requestVote(0, 1, 1)));
    expect(vote.messages).toEqual([voteReply(1, 0, 1, true)]);
    const append = stepChecked(follower, receive(appendEntries(2, 1, 1)));
    expect(append.messages).toEqual([
      { type: 'AppendEntriesReply', from: 1, to: 2, term: 1, success: true, matchIndex: 0, conflictTerm: 0, conflictIndex: 0 },
    ]);
  });

  it('if election timeout elapses without AppendEntries or a granted vote: convert to candidate', () => {
    const r = stepChecked(server(1, { currentTerm: 3 }), TIMEOUT);
    expect(r.state.role).toBe('candidate');
    expect(r.state.currentTerm).toBe(4);
  });

  it('a heartbeat tick does nothing on a follower', () => {
    const follower = server(1, { currentTerm: 3 });
    const r = stepChecked(follower, TICK);
    expect(r.state).toBe(follower);
    expect(r).toMatchObject({ messages: [], persist: null, apply: [], timers: [] });
  });
});

describe('Candidates', () => {
  it('on conversion to candidate: increment currentTerm, vote for self, reset election timer, send RequestVote to all other servers', () => {
    const r = stepChecked(server(2, { currentTerm: 3, log: log(1, 3) }), TIMEOUT);
    expect(r.state).toMatchObject({ role: 'candidate', currentTerm: 4, votedFor: 2, votesGranted: [false, false, true] });
    expect(r.timers).toEqual(['resetElectionTimer']);
    expect(r.messages).toEqual([
      requestVote(2, 0, 4, { index: 2, term: 3 }),
      requestVote(2, 1, 4, { index: 2, term: 3 }),
    ]);
  });

  it('if votes received from a majority of servers: become leader', () => {
    const candidate = stepChecked(server(0, { clusterSize: 5 }), TIMEOUT).state;
    const one = stepChecked(candidate, receive(voteReply(3, 0, 1, true)));
    expect(one.state.role).toBe('candidate'); // 2 of 5
    const again = stepChecked(one.state, receive(voteReply(3, 0, 1, true)));
    expect(again.state.role).toBe('candidate'); // the same voter twice is still 2 of 5
    const two = stepChecked(one.state, receive(voteReply(4, 0, 1, true)));
    expect(two.state.role).toBe('leader'); // 3 of 5
  });

  it('refused votes and votes from an older term are not counted', () => {
    let candidate = stepChecked(server(0, { currentTerm: 1 }), TIMEOUT).state; // term 2
    candidate = stepChecked(candidate, receive(voteReply(1, 0, 2, false))).state;
    candidate = stepChecked(candidate, receive(voteReply(2, 0, 1, true))).state;
    expect(candidate.role).toBe('candidate');
    expect(candidate.votesGranted).toEqual([true, false, false]);
  });

  it('a single-server cluster elects itself at once', () => {
    const r = stepChecked(server(0, { clusterSize: 1 }), TIMEOUT);
    expect(r.state.role).toBe('leader');
    expect(r.messages).toEqual([]);
    expect(r.timers).toEqual(['resetElectionTimer', 'startHeartbeat']);
  });

  it('if AppendEntries received from the new leader (same term): convert to follower, keeping the vote for self', () => {
    const candidate = stepChecked(server(0, { currentTerm: 1 }), TIMEOUT).state; // term 2
    const r = stepChecked(candidate, receive(appendEntries(1, 0, 2)));
    expect(r.state).toMatchObject({ role: 'follower', currentTerm: 2, votedFor: 0, votesGranted: [] });
    expect(r.messages).toEqual([
      { type: 'AppendEntriesReply', from: 0, to: 1, term: 2, success: true, matchIndex: 0, conflictTerm: 0, conflictIndex: 0 },
    ]);
    expect(r.timers).toEqual(['resetElectionTimer']);
  });

  it('an AppendEntries from an older term does not make a candidate yield', () => {
    const candidate = stepChecked(server(0, { currentTerm: 1 }), TIMEOUT).state; // term 2
    const r = stepChecked(candidate, receive(appendEntries(1, 0, 1)));
    expect(r.state.role).toBe('candidate');
    expect(sent(r, 'AppendEntriesReply')).toMatchObject([{ success: false, term: 2 }]);
  });

  it('if election timeout elapses: start new election', () => {
    const candidate = stepChecked(server(0, { currentTerm: 1 }), TIMEOUT).state;
    const withVote = stepChecked(candidate, receive(voteReply(1, 0, 2, false))).state;
    const r = stepChecked(withVote, TIMEOUT);
    expect(r.state).toMatchObject({ role: 'candidate', currentTerm: 3, votedFor: 0, votesGranted: [true, false, false] });
    expect(sent(r, 'RequestVote').map((m) => [m.to, m.term])).toEqual([[1, 3], [2, 3]]);
    expect(r.timers).toEqual(['resetElectionTimer']);
  });

  it('a leader ignores election timeouts (its own heartbeats renew its authority)', () => {
    const leader = electedLeader(0, 1);
    const r = stepChecked(leader, TIMEOUT);
    expect(r.state).toBe(leader);
    expect(r.messages).toEqual([]);
  });
});
