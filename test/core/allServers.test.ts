/** Figure 2, "Rules for Servers — All Servers". */
import { describe, expect, it } from 'vitest';
import {
  accepted, appendEntries, electedLeader, log, receive, requestVote, server, stepChecked, TIMEOUT, voteReply,
} from './helpers.js';

describe('All servers', () => {
  it('if commitIndex > lastApplied: increment lastApplied and apply log[lastApplied] (in order, up to commitIndex)', () => {
    const follower = server(1, { currentTerm: 2, log: log(1, 1, 2) });
    const r = stepChecked(follower, receive(appendEntries(0, 1, 2, { prevLogIndex: 3, prevLogTerm: 2, leaderCommit: 2 })));
    expect(r.state.commitIndex).toBe(2);
    expect(r.state.lastApplied).toBe(2);
    expect(r.apply).toEqual([
      { commandValid: true, command: 'c1', commandIndex: 1 },
      { commandValid: true, command: 'c2', commandIndex: 2 },
    ]);
  });

  it('applies nothing when commitIndex == lastApplied', () => {
    const follower = server(1, { currentTerm: 2, log: log(1, 1), commitIndex: 2, lastApplied: 2 });
    const r = stepChecked(follower, receive(appendEntries(0, 1, 2, { prevLogIndex: 2, prevLogTerm: 1, leaderCommit: 2 })));
    expect(r.apply).toEqual([]);
  });

  it('a leader applies what it commits in the same step', () => {
    const leader = stepChecked(electedLeader(0, 1), { type: 'Start', command: 'x' }).state;
    const r = stepChecked(leader, receive(accepted(1, 0, 1, 1)));
    expect(r.state.commitIndex).toBe(1);
    expect(r.apply).toEqual([{ commandValid: true, command: 'x', commandIndex: 1 }]);
  });

  describe('if an RPC request or response contains term T > currentTerm: set currentTerm = T, convert to follower', () => {
    it('a leader seeing a higher-term AppendEntriesReply steps down (and stops its heartbeats)', () => {
      const leader = electedLeader(0, 2);
      const r = stepChecked(leader, receive({ ...accepted(1, 0, 5, 0), success: false }));
      expect(r.state.role).toBe('follower');
      expect(r.state.currentTerm).toBe(5);
      expect(r.state.votedFor).toBeNull();
      expect(r.state.nextIndex).toEqual([]);
      expect(r.state.matchIndex).toEqual([]);
      expect(r.timers).toEqual(['stopHeartbeat']);
    });

    it('a candidate seeing a higher-term RequestVoteReply steps down', () => {
      const candidate = stepChecked(server(0), TIMEOUT).state;
      const r = stepChecked(candidate, receive(voteReply(1, 0, 3, false)));
      expect(r.state).toMatchObject({ role: 'follower', currentTerm: 3, votedFor: null, votesGranted: [] });
    });

    it('a follower seeing a higher-term RequestVote adopts the term before deciding the vote', () => {
      const follower = server(1, { currentTerm: 1, votedFor: 2 });
      const r = stepChecked(follower, receive(requestVote(0, 1, 4)));
      expect(r.state).toMatchObject({ role: 'follower', currentTerm: 4, votedFor: 0 });
      expect(r.messages).toEqual([voteReply(1, 0, 4, true)]);
    });

    it('the new term is adopted even when the vote is refused (and the election timer is not reset)', () => {
      const follower = server(1, { currentTerm: 1, log: log(1, 1) });
      const r = stepChecked(follower, receive(requestVote(0, 1, 4, { index: 1, term: 1 })));
      expect(r.state).toMatchObject({ role: 'follower', currentTerm: 4, votedFor: null });
      expect(r.messages).toEqual([voteReply(1, 0, 4, false)]);
      expect(r.timers).toEqual([]);
    });
  });

  it('a message addressed to another server is ignored', () => {
    const s = server(1, { currentTerm: 1 });
    const r = stepChecked(s, receive(requestVote(0, 2, 9)));
    expect(r.state).toBe(s);
    expect(r).toMatchObject({ messages: [], persist: null, apply: [], timers: [] });
  });
});
