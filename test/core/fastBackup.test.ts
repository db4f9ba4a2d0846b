/**
 * Fast backup (the lab's "accelerated log backtracking"): a rejection names the conflicting term
 * and its first index, and the leader skips a whole term per round trip.
 */
import { describe, expect, it } from 'vitest';
import type { LogEntry, RaftState } from '../../src/core/index.js';
import { appendEntries, electedLeader, entry, log, receive, rejected, sent, server, stepChecked } from './helpers.js';

describe('Fast backup: the follower’s rejection', () => {
  it('log too short: conflictTerm 0, conflictIndex = lastLogIndex + 1', () => {
    const r = stepChecked(server(1, { currentTerm: 5, log: log(1, 1) }), receive(appendEntries(0, 1, 5, { prevLogIndex: 6, prevLogTerm: 4 })));
    expect(r.messages).toEqual([rejected(1, 0, 5, { term: 0, index: 3 })]);
  });

  it('conflicting term: conflictTerm = the term at prevLogIndex, conflictIndex = the first index of that term', () => {
    const r = stepChecked(server(1, { currentTerm: 5, log: log(1, 2, 2, 2) }), receive(appendEntries(0, 1, 5, { prevLogIndex: 4, prevLogTerm: 3 })));
    expect(r.messages).toEqual([rejected(1, 0, 5, { term: 2, index: 2 })]);
  });

  it('conflicting term that starts the log: conflictIndex 1', () => {
    const r = stepChecked(server(1, { currentTerm: 5, log: log(2, 2) }), receive(appendEntries(0, 1, 5, { prevLogIndex: 2, prevLogTerm: 3 })));
    expect(r.messages).toEqual([rejected(1, 0, 5, { term: 2, index: 1 })]);
  });
});

describe('Fast backup: the leader', () => {
  it('holding entries of conflictTerm: nextIndex = its last entry of that term + 1', () => {
    const leader = electedLeader(0, 4, log(1, 2, 2, 3));
    const r = stepChecked(leader, receive(rejected(1, 0, 4, { term: 2, index: 2 })));
    expect(r.state.nextIndex[1]).toBe(4);
    expect(r.messages).toEqual([appendEntries(0, 1, 4, { prevLogIndex: 3, prevLogTerm: 2, entries: [entry(3, 'c4')] })]);
  });

  it('holding no entry of conflictTerm: nextIndex = conflictIndex', () => {
    const leader = electedLeader(0, 4, log(1, 1, 3, 3));
    const r = stepChecked(leader, receive(rejected(1, 0, 4, { term: 2, index: 2 })));
    expect(r.state.nextIndex[1]).toBe(2);
    expect(sent(r, 'AppendEntries')).toMatchObject([{ to: 1, prevLogIndex: 1, prevLogTerm: 1 }]);
  });

  it('follower too short: nextIndex = conflictIndex', () => {
    const leader = electedLeader(0, 4, log(1, 1, 3, 3));
    const r = stepChecked(leader, receive(rejected(1, 0, 4, { term: 0, index: 2 })));
    expect(r.state.nextIndex[1]).toBe(2);
  });

  it('Figure 7 (f): leader and follower converge in one round trip per conflicting term', () => {
    const leaderLog = log(1, 1, 1, 4, 4, 5, 5, 6, 6, 6);
    // Same prefix up to index 3 (same index and term: same entry), then terms 2 and 3 the leader never saw.
    const followerLog: LogEntry[] = [...leaderLog.slice(0, 3), ...[2, 2, 2, 3, 3, 3, 3, 3].map((t, i) => entry(t, `f${i + 4}`))];
    let leader: RaftState = electedLeader(0, 8, leaderLog);
    let follower: RaftState = server(1, { currentTerm: 8, log: followerLog });
    let pending = sent(stepChecked(leader, { type: 'HeartbeatTick' }), 'AppendEntries').filter((m) => m.to === 1);
    let rejections = 0;
    while (pending.length > 0) {
      const f = stepChecked(follower, receive(pending[0]!));
      follower = f.state;
      const reply = sent(f, 'AppendEntriesReply')[0]!;
      if (!reply.success) rejections++;
      const l = stepChecked(leader, receive(reply));
      leader = l.state;
      pending = sent(l, 'AppendEntries');
    }
    expect(follower.log).toEqual(leaderLog);
    expect(leader.matchIndex[1]).toBe(10);
    expect(rejections).toBe(2); // one for term 3 (from 11 back to 7), one for term 2 (back to 4)
  });
});
