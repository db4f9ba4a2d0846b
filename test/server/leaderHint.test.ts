import { describe, expect, test } from 'vitest';
import { initialState, type Message, type RaftState } from '../../src/core/index.js';
import { LeaderHint } from '../../src/server/leaderHint.js';

const state = (over: Partial<RaftState>): RaftState => ({ ...initialState(0, 3), ...over });
const append = (from: number, term: number): Message => ({ type: 'AppendEntries', from, to: 0, term, leaderId: from, prevLogIndex: 0, prevLogTerm: 0, entries: [], leaderCommit: 0 });

describe('the leader hint: the sender of the latest AppendEntries or InstallSnapshot, in the current term only', () => {
  test('nothing heard: null, unless this server leads', () => {
    const hint = new LeaderHint();
    expect(hint.leaderId(state({ currentTerm: 1 }))).toBe(null);
    expect(hint.leaderId(state({ currentTerm: 1, role: 'leader' }))).toBe(0);
  });
  test('heard in the current term: that leader; once the term moves on: null (never another term\'s leader)', () => {
    const hint = new LeaderHint();
    hint.observe(append(2, 3));
    expect(hint.leaderId(state({ currentTerm: 3 }))).toBe(2);
    expect(hint.leaderId(state({ currentTerm: 4, role: 'candidate' }))).toBe(null);
  });
  test('a stale leader\'s message does not replace a newer one; InstallSnapshot counts; replies and votes do not', () => {
    const hint = new LeaderHint();
    hint.observe(append(1, 5));
    hint.observe(append(2, 4));
    expect(hint.leaderId(state({ currentTerm: 5 }))).toBe(1);
    hint.observe({ type: 'InstallSnapshot', from: 2, to: 0, term: 6, leaderId: 2, lastIncludedIndex: 1, lastIncludedTerm: 1, data: null });
    expect(hint.leaderId(state({ currentTerm: 6 }))).toBe(2);
    hint.observe({ type: 'RequestVote', from: 1, to: 0, term: 6, lastLogIndex: 0, lastLogTerm: 0 } as Message);
    hint.observe({ type: 'AppendEntriesReply', from: 1, to: 0, term: 6, success: true, matchIndex: 0 } as Message);
    expect(hint.leaderId(state({ currentTerm: 6 }))).toBe(2);
  });
});
