/** Figure 2, "Rules for Servers — Leaders", and the client's Start. */
import { describe, expect, it } from 'vitest';
import {
  accepted, appendEntries, electedLeader, entry, log, receive, rejected, sent, server, start, stepAll, stepChecked, TICK, TIMEOUT,
  voteReply,
} from './helpers.js';

describe('Leaders', () => {
  it('upon election: send initial empty AppendEntries (heartbeat) to each server, and start the heartbeat timer', () => {
    const candidate = stepChecked(server(0, { currentTerm: 2, log: log(1, 2) }), TIMEOUT).state; // term 3
    const r = stepChecked(candidate, receive(voteReply(2, 0, 3, true)));
    expect(r.state.role).toBe('leader');
    expect(r.state.nextIndex).toEqual([3, 3, 3]);
    expect(r.state.matchIndex).toEqual([2, 0, 0]);
    expect(r.timers).toEqual(['startHeartbeat']);
    expect(r.messages).toEqual([
      appendEntries(0, 1, 3, { prevLogIndex: 2, prevLogTerm: 2 }),
      appendEntries(0, 2, 3, { prevLogIndex: 2, prevLogTerm: 2 }),
    ]);
    expect(r.persist).toBeNull(); // no no-op entry on election (the lab counts indices)
  });

  it('repeat heartbeats during idle periods: a tick sends AppendEntries to every peer', () => {
    const leader = electedLeader(0, 1, [], 3);
    const r = stepChecked(leader, TICK);
    expect(r.messages).toEqual([appendEntries(0, 1, 1), appendEntries(0, 2, 1)]);
    expect(r.state).toBe(leader);
  });

  describe('maxEntriesPerAppend (StepConfig)', () => {
    const cap = { maxEntriesPerAppend: 2 };
    it('a follower far behind is brought up in capped requests, the next one sent as soon as one is acknowledged', () => {
      const leader = electedLeader(0, 2, log(1, 1, 1, 1, 1));
      // follower 1 has nothing: its rejection sends nextIndex back to 1
      let r = stepChecked(leader, receive(rejected(1, 0, 2, { term: 0, index: 1 })), cap);
      expect(r.messages).toEqual([appendEntries(0, 1, 2, { entries: log(1, 1) })]);
      r = stepChecked(r.state, receive(accepted(1, 0, 2, 2)), cap);
      expect(r.messages).toEqual([appendEntries(0, 1, 2, { prevLogIndex: 2, prevLogTerm: 1, entries: log(1, 1, 1, 1).slice(2) })]);
      // 4 of 5 acknowledged: less than a whole request behind, so the rest waits for the heartbeat
      r = stepChecked(r.state, receive(accepted(1, 0, 2, 4)), cap);
      expect(r.messages).toEqual([]);
      expect(stepChecked(r.state, TICK, cap).messages[0]).toEqual(
        appendEntries(0, 1, 2, { prevLogIndex: 4, prevLogTerm: 1, entries: log(1, 1, 1, 1, 1).slice(4) }), // leaderCommit 0: term-1 entries are not committed by counting
      );
    });

    it('without a cap (the default) every request carries the whole tail and an acknowledgement sends nothing', () => {
      const leader = electedLeader(0, 2, log(1, 1, 1, 1, 1));
      const r = stepChecked(leader, receive(rejected(1, 0, 2, { term: 0, index: 1 })));
      expect(r.messages).toEqual([appendEntries(0, 1, 2, { entries: log(1, 1, 1, 1, 1) })]);
      expect(stepChecked(r.state, receive(accepted(1, 0, 2, 2))).messages).toEqual([]);
    });
  });

  describe('Start(command)', () => {
    it('a leader appends the entry to its local log, answers {index, term, isLeader: true} at once and replicates it', () => {
      const leader = electedLeader(0, 2, log(1));
      const r = stepChecked(leader, start('x'));
      expect(r.start).toEqual({ index: 2, term: 2, isLeader: true });
      expect(r.state.log).toEqual([entry(1, 'c1'), entry(2, 'x')]);
      expect(r.state.matchIndex[0]).toBe(2);
      expect(r.state.commitIndex).toBe(0); // not yet on a majority
      expect(r.messages).toEqual([
        appendEntries(0, 1, 2, { prevLogIndex: 1, prevLogTerm: 1, entries: [entry(2, 'x')] }),
        appendEntries(0, 2, 2, { prevLogIndex: 1, prevLogTerm: 1, entries: [entry(2, 'x')] }),
      ]);
    });

    it('a follower or candidate answers isLeader: false and changes nothing', () => {
      for (const s of [server(1, { currentTerm: 4, log: log(4) }), stepChecked(server(1, { currentTerm: 3 }), TIMEOUT).state]) {
        const r = stepChecked(s, start('x'));
        expect(r.start).toMatchObject({ isLeader: false, term: 4 });
        expect(r.state).toBe(s);
        expect(r).toMatchObject({ messages: [], persist: null, apply: [], timers: [] });
      }
    });

    it('a single-server leader commits and applies at once', () => {
      const leader = stepChecked(server(0, { clusterSize: 1 }), TIMEOUT).state;
      const r = stepChecked(leader, start('x'));
      expect(r.start).toEqual({ index: 1, term: 1, isLeader: true });
      expect(r.apply).toEqual([{ commandValid: true, command: 'x', commandIndex: 1 }]);
    });
  });

  it('if last log index >= nextIndex for a follower: send AppendEntries with log entries starting at nextIndex', () => {
    const { state: leader } = stepAll(electedLeader(0, 1), [start('a'), start('b')]);
    const r = stepChecked(leader, TICK);
    expect(r.messages).toEqual([
      appendEntries(0, 1, 1, { entries: [entry(1, 'a'), entry(1, 'b')] }),
      appendEntries(0, 2, 1, { entries: [entry(1, 'a'), entry(1, 'b')] }),
    ]);
  });

  it('if successful: update nextIndex and matchIndex for the follower', () => {
    const { state: leader } = stepAll(electedLeader(0, 1), [start('a'), start('b')]);
    const r = stepChecked(leader, receive(accepted(2, 0, 1, 2)));
    expect(r.state.matchIndex).toEqual([2, 0, 2]);
    expect(r.state.nextIndex).toEqual([3, 1, 3]);
    expect(r.messages).toEqual([]);
  });

  it('matchIndex never moves backwards: a delayed success for a shorter prefix changes nothing', () => {
    const { state: leader } = stepAll(electedLeader(0, 1, [], 5), [start('a'), start('b'), receive(accepted(1, 0, 1, 2))]);
    const r = stepChecked(leader, receive(accepted(1, 0, 1, 1)));
    expect(r.state.matchIndex[1]).toBe(2);
    expect(r.state.nextIndex[1]).toBe(3);
  });

  it('if AppendEntries fails because of log inconsistency: move nextIndex back and retry at once', () => {
    const leader = electedLeader(0, 3, log(1, 1, 2));
    // The follower's log is too short: it holds one entry.
    const r = stepChecked(leader, receive(rejected(1, 0, 3, { term: 0, index: 2 })));
    expect(r.state.nextIndex[1]).toBe(2);
    expect(r.messages).toEqual([
      appendEntries(0, 1, 3, { prevLogIndex: 1, prevLogTerm: 1, entries: log(1, 1, 2).slice(1) }),
    ]);
  });

  it('a duplicate rejection that would not move nextIndex sends nothing', () => {
    const leader = electedLeader(0, 3, log(1, 1, 2));
    const once = stepChecked(leader, receive(rejected(1, 0, 3, { term: 0, index: 2 })));
    const twice = stepChecked(once.state, receive(rejected(1, 0, 3, { term: 0, index: 2 })));
    expect(twice.messages).toEqual([]);
    expect(twice.state).toBe(once.state);
  });

  it('nextIndex never backs up below matchIndex + 1', () => {
    const { state: leader } = stepAll(electedLeader(0, 1), [start('a'), start('b'), receive(accepted(1, 0, 1, 2))]);
    const r = stepChecked(leader, receive(rejected(1, 0, 1, { term: 0, index: 1 })));
    expect(r.state.nextIndex[1]).toBe(3);
  });

  it('replies from older terms are ignored', () => {
    const { state: leader } = stepAll(electedLeader(0, 2, log(1)), [start('x')]);
    for (const stale of [accepted(1, 0, 1, 2), rejected(1, 0, 1, { term: 0, index: 1 }), voteReply(1, 0, 1, true)]) {
      const r = stepChecked(leader, receive(stale));
      expect(r.state).toBe(leader);
      expect(r.messages).toEqual([]);
    }
  });

  describe('commit: N > commitIndex, a majority of matchIndex[i] >= N, and log[N].term == currentTerm', () => {
    it('an entry of the current term commits once a majority holds it', () => {
      const { state: leader } = stepAll(electedLeader(0, 1, [], 5), [start('a'), start('b'), receive(accepted(1, 0, 1, 2))]);
      expect(leader.commitIndex).toBe(0); // 2 of 5
      const r = stepChecked(leader, receive(accepted(3, 0, 1, 1)));
      expect(r.state.commitIndex).toBe(1); // index 1 on 3 of 5, index 2 on 2 of 5
      expect(r.apply.map((a) => ('commandIndex' in a ? a.commandIndex : -1))).toEqual([1]);
    });

    it('Figure 8: an entry of an earlier term is not committed by counting replicas', () => {
      const leader = electedLeader(0, 4, log(2)); // entry 1 is from term 2
      const r = stepChecked(leader, receive(accepted(1, 0, 4, 1)));
      expect(r.state.matchIndex).toEqual([1, 1, 0]); // on a majority...
      expect(r.state.commitIndex).toBe(0); // ...but not of the current term
      expect(r.apply).toEqual([]);
    });

    it("a previous term's entry commits together with a current-term entry after it", () => {
      const { state: leader } = stepAll(electedLeader(0, 4, log(2)), [receive(accepted(1, 0, 4, 1)), start('x')]);
      const r = stepChecked(leader, receive(accepted(2, 0, 4, 2)));
      expect(r.state.commitIndex).toBe(2);
      expect(r.apply).toEqual([
        { commandValid: true, command: 'c1', commandIndex: 1 },
        { commandValid: true, command: 'x', commandIndex: 2 },
      ]);
    });

    it('the commit index is carried to followers in the next AppendEntries (leaderCommit)', () => {
      const { state: leader } = stepAll(electedLeader(0, 1), [start('a'), receive(accepted(1, 0, 1, 1))]);
      expect(sent(stepChecked(leader, TICK), 'AppendEntries').map((m) => [m.to, m.leaderCommit])).toEqual([[1, 1], [2, 1]]);
    });
  });
});
