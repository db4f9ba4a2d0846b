/** Figure 2, "AppendEntries RPC — Receiver implementation". */
import { describe, expect, it } from 'vitest';
import { accepted, appendEntries, entry, log, receive, rejected, server, stepChecked } from './helpers.js';

describe('AppendEntries receiver', () => {
  it('1. reply false if term < currentTerm (and neither yield nor reset the election timer)', () => {
    const s = server(1, { currentTerm: 3, log: log(1) });
    const r = stepChecked(s, receive(appendEntries(0, 1, 2, { prevLogIndex: 1, prevLogTerm: 1, entries: log(1, 2).slice(1), leaderCommit: 2 })));
    expect(r.messages).toEqual([rejected(1, 0, 3)]);
    expect(r.state).toBe(s);
    expect(r.timers).toEqual([]);
  });

  describe('2. reply false if the log has no entry at prevLogIndex whose term matches prevLogTerm', () => {
    it('log too short', () => {
      const s = server(1, { currentTerm: 2, log: log(1) });
      const r = stepChecked(s, receive(appendEntries(0, 1, 2, { prevLogIndex: 3, prevLogTerm: 2, entries: [entry(2, 'x')] })));
      expect(r.messages).toEqual([rejected(1, 0, 2, { term: 0, index: 2 })]);
      expect(r.state.log).toBe(s.log);
      expect(r.timers).toEqual(['resetElectionTimer']); // still the current leader speaking
    });

    it('term mismatch at prevLogIndex: nothing is deleted yet', () => {
      const s = server(1, { currentTerm: 3, log: log(1, 2, 2) });
      const r = stepChecked(s, receive(appendEntries(0, 1, 3, { prevLogIndex: 3, prevLogTerm: 3, entries: [entry(3, 'x')] })));
      expect(r.messages).toEqual([rejected(1, 0, 3, { term: 2, index: 2 })]);
      expect(r.state.log).toBe(s.log);
      expect(r.persist).toBeNull();
    });

    it('prevLogIndex 0 always matches', () => {
      const r = stepChecked(server(1, { currentTerm: 1 }), receive(appendEntries(0, 1, 1, { entries: [entry(1, 'x')] })));
      expect(r.messages).toEqual([accepted(1, 0, 1, 1)]);
    });
  });

  describe('3. if an existing entry conflicts with a new one (same index, different terms): delete it and all that follow', () => {
    it('truncates at the first conflict and appends the leader’s entries', () => {
      const s = server(1, { currentTerm: 3, log: [entry(1, 'a'), entry(2, 'b'), entry(2, 'c'), entry(2, 'd')] });
      const r = stepChecked(s, receive(appendEntries(0, 1, 3, { prevLogIndex: 1, prevLogTerm: 1, entries: [entry(3, 'x')] })));
      expect(r.state.log).toEqual([entry(1, 'a'), entry(3, 'x')]);
      expect(r.messages).toEqual([accepted(1, 0, 3, 2)]);
      expect(r.persist).toMatchObject({ logChangedFrom: 2 });
    });

    it('a stale AppendEntries whose entries are already present truncates nothing', () => {
      const s = server(1, { currentTerm: 1, log: log(1, 1, 1) });
      const r = stepChecked(s, receive(appendEntries(0, 1, 1, { entries: log(1) })));
      expect(r.state.log).toBe(s.log);
      expect(r.persist).toBeNull();
      expect(r.messages).toEqual([accepted(1, 0, 1, 1)]); // matches as far as the request shows
    });

    it('a duplicate AppendEntries changes nothing the second time', () => {
      const ae = receive(appendEntries(0, 1, 1, { prevLogIndex: 1, prevLogTerm: 1, entries: log(1, 1).slice(1) }));
      const once = stepChecked(server(1, { currentTerm: 1, log: log(1) }), ae);
      expect(once.state.log).toEqual(log(1, 1));
      const twice = stepChecked(once.state, ae);
      expect(twice.state).toBe(once.state);
      expect(twice.persist).toBeNull();
      expect(twice.messages).toEqual([accepted(1, 0, 1, 2)]);
    });
  });

  describe('4. append any new entries not already in the log', () => {
    it('appends after prevLogIndex', () => {
      const s = server(1, { currentTerm: 1, log: log(1) });
      const r = stepChecked(s, receive(appendEntries(0, 1, 1, { prevLogIndex: 1, prevLogTerm: 1, entries: log(1, 1, 1).slice(1) })));
      expect(r.state.log).toEqual(log(1, 1, 1));
      expect(r.messages).toEqual([accepted(1, 0, 1, 3)]);
    });

    it('skips the entries it already holds and appends only the rest', () => {
      const s = server(1, { currentTerm: 1, log: log(1, 1) });
      const r = stepChecked(s, receive(appendEntries(0, 1, 1, { entries: log(1, 1, 1) })));
      expect(r.state.log).toEqual(log(1, 1, 1));
      expect(r.state.log[0]).toBe(s.log[0]); // kept, not replaced
      expect(r.persist).toMatchObject({ logChangedFrom: 3 });
    });
  });

  describe('5. if leaderCommit > commitIndex: commitIndex = min(leaderCommit, index of last new entry)', () => {
    it('bounded by the last new entry', () => {
      const r = stepChecked(server(1, { currentTerm: 1 }), receive(appendEntries(0, 1, 1, { entries: log(1, 1), leaderCommit: 5 })));
      expect(r.state.commitIndex).toBe(2);
    });

    it('bounded by leaderCommit', () => {
      const r = stepChecked(server(1, { currentTerm: 1 }), receive(appendEntries(0, 1, 1, { entries: log(1, 1, 1), leaderCommit: 2 })));
      expect(r.state.commitIndex).toBe(2);
    });

    it('entries past the request are not committed, even when the follower holds them', () => {
      // Entries 2..3 may be left over from an old leader: only index 1 is known to match.
      const s = server(1, { currentTerm: 2, log: log(1, 1, 1) });
      const r = stepChecked(s, receive(appendEntries(0, 1, 2, { prevLogIndex: 1, prevLogTerm: 1, leaderCommit: 3 })));
      expect(r.state.commitIndex).toBe(1);
    });

    it('commitIndex never decreases (a stale AppendEntries with a smaller leaderCommit or shorter prefix)', () => {
      const s = server(1, { currentTerm: 1, log: log(1, 1, 1), commitIndex: 3, lastApplied: 3 });
      for (const m of [
        appendEntries(0, 1, 1, { leaderCommit: 1 }),
        appendEntries(0, 1, 1, { entries: log(1), leaderCommit: 5 }),
      ]) {
        const r = stepChecked(s, receive(m));
        expect(r.state.commitIndex).toBe(3);
        expect(r.apply).toEqual([]);
      }
    });
  });

  it('a success reply carries matchIndex = prevLogIndex + entries.length', () => {
    const s = server(1, { currentTerm: 1, log: log(1, 1, 1, 1) });
    const r = stepChecked(s, receive(appendEntries(0, 1, 1, { prevLogIndex: 1, prevLogTerm: 1, entries: log(1, 1).slice(1) })));
    expect(r.messages).toEqual([accepted(1, 0, 1, 2)]);
  });
});
