/** CheckQuorum (Raft thesis §6.2, §9.6), with StepConfig.checkQuorum: a leader's election timeout is its quorum check. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_STEP_CONFIG, type RaftState, type StepConfig } from '../../src/core/index.js';
import { accepted, receive, rejected, server, stepChecked, TIMEOUT, voteReply } from './helpers.js';

const CHECK_QUORUM: StepConfig = { ...DEFAULT_STEP_CONFIG, checkQuorum: true };

/** A leader of `term` in a cluster of `n`, elected with checkQuorum on. */
function leaderOf(term: number, n = 5): RaftState {
  let s = stepChecked(server(0, { clusterSize: n, currentTerm: term - 1 }), TIMEOUT, CHECK_QUORUM).state;
  for (let peer = 1; s.role !== 'leader'; peer++) s = stepChecked(s, receive(voteReply(peer, 0, term, true)), CHECK_QUORUM).state;
  return s;
}

describe('CheckQuorum', () => {
  it('a new leader starts a check period: only itself heard, election timer reset', () => {
    let s = stepChecked(server(0, { clusterSize: 3, currentTerm: 1 }), TIMEOUT, CHECK_QUORUM).state;
    const r = stepChecked(s, receive(voteReply(1, 0, 2, true)), CHECK_QUORUM);
    s = r.state;
    expect(s.role).toBe('leader');
    expect(s.recentActive).toEqual([true, false, false]);
    expect(r.timers).toContain('resetElectionTimer');
  });

  it('a leader that heard from no majority since the last check steps down, in the same term and keeping its vote', () => {
    const leader = stepChecked(leaderOf(2), receive(accepted(1, 0, 2, 0)), CHECK_QUORUM).state; // 2 of 5 heard
    const r = stepChecked(leader, TIMEOUT, CHECK_QUORUM);
    expect(r.state).toMatchObject({ role: 'follower', currentTerm: 2, votedFor: 0, recentActive: [], nextIndex: [], matchIndex: [] });
    expect(r.timers).toEqual(['stopHeartbeat']);
    expect(r.persist).toBeNull();
  });

  it('a leader that heard a majority stays, and the next period starts afresh', () => {
    let leader = leaderOf(2);
    leader = stepChecked(leader, receive(accepted(1, 0, 2, 0)), CHECK_QUORUM).state;
    leader = stepChecked(leader, receive(rejected(3, 0, 2)), CHECK_QUORUM).state; // a rejection is an answer too
    expect(leader.recentActive).toEqual([true, true, false, true, false]);
    const checked = stepChecked(leader, TIMEOUT, CHECK_QUORUM).state;
    expect(checked).toMatchObject({ role: 'leader', currentTerm: 2, recentActive: [true, false, false, false, false] });
    expect(stepChecked(checked, TIMEOUT, CHECK_QUORUM).state.role).toBe('follower'); // nobody answered since
  });

  it('a reply of an older term, and the same peer twice, do not count', () => {
    let leader = leaderOf(3);
    leader = stepChecked(leader, receive(accepted(1, 0, 2, 0)), CHECK_QUORUM).state;
    leader = stepChecked(leader, receive(accepted(2, 0, 3, 0)), CHECK_QUORUM).state;
    leader = stepChecked(leader, receive(accepted(2, 0, 3, 0)), CHECK_QUORUM).state;
    expect(leader.recentActive).toEqual([true, false, true, false, false]);
    expect(stepChecked(leader, TIMEOUT, CHECK_QUORUM).state.role).toBe('follower');
  });

  it('without checkQuorum a leader ignores its election timeout and tracks nothing', () => {
    let s = stepChecked(server(0, { clusterSize: 3, currentTerm: 1 }), TIMEOUT).state;
    s = stepChecked(s, receive(voteReply(1, 0, 2, true))).state;
    expect(s.recentActive).toEqual([]);
    expect(stepChecked(s, TIMEOUT).state).toBe(s);
  });
});
