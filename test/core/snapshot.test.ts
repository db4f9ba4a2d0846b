/** Log compaction (Figure 13, the lab's part D): the Snapshot input, InstallSnapshot, restore. */
import { describe, expect, it } from 'vitest';
import {
  EMPTY_PERSISTENT_STATE, entryAt, lastLogIndex, lastLogTerm, restore, termAt,
  type InstallSnapshotArgs, type InstallSnapshotReply, type LogEntry, type RaftState, type ServerId, type Term,
} from '../../src/core/index.js';
import {
  accepted, appendEntries, electedLeader, entry, log, receive, rejected, sent, server, start, stepAll, stepChecked, TICK, TIMEOUT,
} from './helpers.js';

const snapshotInput = (index: number, snapshot: unknown = `snap${index}`) => ({ type: 'Snapshot', index, snapshot }) as const;

function installSnapshot(from: ServerId, to: ServerId, term: Term, lastIncludedIndex: number, lastIncludedTerm: Term, data: unknown = 'S'): InstallSnapshotArgs {
  return { type: 'InstallSnapshot', from, to, term, leaderId: from, lastIncludedIndex, lastIncludedTerm, data };
}

function installed(from: ServerId, to: ServerId, term: Term, matchIndex: number): InstallSnapshotReply {
  return { type: 'InstallSnapshotReply', from, to, term, matchIndex };
}

/** A server that applied `applied` entries of `entries`, with no snapshot yet. */
function appliedServer(id: ServerId, entries: readonly LogEntry[], applied: number, fields: Partial<RaftState> = {}): RaftState {
  return server(id, { currentTerm: 2, log: [...entries], commitIndex: applied, lastApplied: applied, ...fields });
}

/** A server holding the snapshot `data` through `index` (of term `term`) and `entries` after it. */
function snapshotted(id: ServerId, index: number, term: Term, entries: readonly LogEntry[], fields: Partial<RaftState> = {}): RaftState {
  return server(id, {
    currentTerm: 2, lastIncludedIndex: index, lastIncludedTerm: term, snapshot: `snap${index}`, log: [...entries],
    commitIndex: index, lastApplied: index, ...fields,
  });
}

describe('log helpers read absolute indices across the snapshot', () => {
  const v = { lastIncludedIndex: 5, lastIncludedTerm: 2, log: [entry(2, 'f'), entry(3, 'g')] };
  it('lastLogIndex, lastLogTerm, termAt and entryAt', () => {
    expect(lastLogIndex(v)).toBe(7);
    expect(lastLogTerm(v)).toBe(3);
    expect(termAt(v, 5)).toBe(2); // the snapshot's last entry keeps its term
    expect(termAt(v, 7)).toBe(3);
    expect(termAt(v, 8)).toBe(0); // past the end
    expect(entryAt(v, 6)).toEqual(entry(2, 'f'));
    expect(lastLogTerm({ ...v, log: [] })).toBe(2);
  });
  it('an index inside the snapshot has no entry or term to read', () => {
    expect(() => termAt(v, 4)).toThrow(RangeError);
    expect(() => entryAt(v, 5)).toThrow(RangeError);
    expect(() => entryAt(v, 8)).toThrow(RangeError);
  });
});

describe('Snapshot(index, snapshot): the service compacts the log', () => {
  it('drops the entries through index, keeps its term as lastIncludedTerm, and persists snapshot and state together', () => {
    const s = appliedServer(0, log(1, 1, 2, 2), 3);
    const r = stepChecked(s, snapshotInput(3, 'abc'));
    expect(r.state).toMatchObject({ lastIncludedIndex: 3, lastIncludedTerm: 2, snapshot: 'abc', log: [entry(2, 'c4')], commitIndex: 3, lastApplied: 3 });
    expect(r.state.log[0]).toBe(s.log[3]); // the kept entry is the very same object
    expect(r.persist).toMatchObject({ lastIncludedIndex: 3, lastIncludedTerm: 2, snapshot: 'abc', log: [entry(2, 'c4')], snapshotChanged: true, logChangedFrom: 5 });
    expect(r.messages).toEqual([]);
    expect(r.apply).toEqual([]); // the service made it: nothing to hand back
  });

  it('a later snapshot moves the boundary again; absolute indices stay', () => {
    const { state } = stepAll(appliedServer(0, log(1, 1, 2, 2), 4), [snapshotInput(2), snapshotInput(4)]);
    expect(state).toMatchObject({ lastIncludedIndex: 4, lastIncludedTerm: 2, log: [] });
    expect(lastLogIndex(state)).toBe(4);
  });

  it('is ignored at or below the current snapshot, above lastApplied, or at a non-integer index', () => {
    const s = snapshotted(0, 2, 1, log(2, 2), { commitIndex: 3, lastApplied: 3 });
    for (const index of [0, 1, 2, 4, 2.5, Number.NaN]) {
      const r = stepChecked(s, snapshotInput(index));
      expect(r.state, `index ${index}`).toBe(s);
      expect(r.persist).toBeNull();
    }
  });
});

describe('leader: InstallSnapshot for a follower whose next entry is compacted away', () => {
  /** Leader 0 of term 3 whose snapshot holds 1..4 (term 2), with entry 5 (term 3) after it. */
  function compactedLeader(): RaftState {
    const { state } = stepAll(electedLeader(0, 3, log(1, 1, 2, 2)), [start('x'), receive(accepted(2, 0, 3, 5))]);
    expect(state.commitIndex).toBe(5);
    return stepChecked(state, snapshotInput(4, 'four')).state;
  }

  it('sends the whole snapshot, not entries it no longer has', () => {
    const leader = compactedLeader();
    expect(leader.nextIndex[1]).toBe(5); // optimistic: one past the log when elected
    const back = stepChecked(leader, receive(rejected(1, 0, 3, { term: 0, index: 2 }))); // follower 1 holds only 1 entry
    expect(back.state.nextIndex[1]).toBe(2);
    expect(back.messages).toEqual([installSnapshot(0, 1, 3, 4, 2, 'four')]);
    expect(sent(stepChecked(back.state, TICK), 'InstallSnapshot')).toEqual([installSnapshot(0, 1, 3, 4, 2, 'four')]);
  });

  it('a reply moves matchIndex and nextIndex past the snapshot, and the rest of the log follows at once', () => {
    const leader = stepChecked(compactedLeader(), receive(rejected(1, 0, 3, { term: 0, index: 1 }))).state;
    const r = stepChecked(leader, receive(installed(1, 0, 3, 4)));
    expect(r.state.matchIndex[1]).toBe(4);
    expect(r.state.nextIndex[1]).toBe(5);
    expect(r.messages).toEqual([appendEntries(0, 1, 3, { prevLogIndex: 4, prevLogTerm: 2, entries: [entry(3, 'x')], leaderCommit: 5 })]);
  });

  it('a duplicate or late reply changes nothing; a reply of another term is ignored', () => {
    const leader = stepChecked(compactedLeader(), receive(installed(1, 0, 3, 4))).state;
    expect(stepChecked(leader, receive(installed(1, 0, 3, 4))).state).toBe(leader);
    expect(stepChecked(leader, receive(installed(1, 0, 3, 2))).state).toBe(leader);
    const other = compactedLeader();
    expect(stepChecked(other, receive(installed(1, 0, 2, 4))).state).toBe(other);
  });

  it('a follower already past the snapshot gets AppendEntries as before', () => {
    const leader = compactedLeader();
    expect(sent(stepChecked(leader, TICK), 'AppendEntries').map((m) => m.to)).toEqual([1, 2]);
  });
});

describe('follower: InstallSnapshot receiver (Figure 13)', () => {
  it('a snapshot past its log replaces the log, commits and applies through it, and says so on the apply stream', () => {
    const s = appliedServer(1, log(1), 1);
    const r = stepChecked(s, receive(installSnapshot(0, 1, 2, 4, 2, 'S4')));
    expect(r.state).toMatchObject({ lastIncludedIndex: 4, lastIncludedTerm: 2, snapshot: 'S4', log: [], commitIndex: 4, lastApplied: 4 });
    expect(r.apply).toEqual([{ snapshotValid: true, snapshot: 'S4', snapshotTerm: 2, snapshotIndex: 4 }]);
    expect(r.messages).toEqual([installed(1, 0, 2, 4)]);
    expect(r.timers).toContain('resetElectionTimer');
    expect(r.persist).toMatchObject({ lastIncludedIndex: 4, snapshot: 'S4', log: [], snapshotChanged: true, logChangedFrom: 5 });
  });

  it('keeps the entries after the snapshot when its entry at lastIncludedIndex has lastIncludedTerm', () => {
    const s = appliedServer(1, log(1, 1, 2, 2, 2), 1);
    const r = stepChecked(s, receive(installSnapshot(0, 1, 2, 3, 2)));
    expect(r.state.log).toEqual([entry(2, 'c4'), entry(2, 'c5')]);
    expect(r.state.log[0]).toBe(s.log[3]);
    expect(lastLogIndex(r.state)).toBe(5);
    expect(r.persist).toMatchObject({ logChangedFrom: 6, snapshotChanged: true }); // no kept entry changed
  });

  it('discards the whole log when the entry at lastIncludedIndex has another term', () => {
    const s = appliedServer(1, log(1, 1, 1, 1, 1), 1, { currentTerm: 3 });
    const r = stepChecked(s, receive(installSnapshot(0, 1, 3, 3, 2)));
    expect(r.state.log).toEqual([]);
    expect(lastLogIndex(r.state)).toBe(3);
    expect(r.persist).toMatchObject({ log: [], logChangedFrom: 4 }); // entries 4 and 5 are gone
  });

  it('then applies the next command at snapshotIndex + 1', () => {
    const s = appliedServer(1, [], 0);
    const r = stepAll(s, [
      receive(installSnapshot(0, 1, 2, 4, 2)),
      receive(appendEntries(0, 1, 2, { prevLogIndex: 4, prevLogTerm: 2, entries: [entry(2, 'e')], leaderCommit: 5 })),
    ]);
    expect(r.results[1]!.apply).toEqual([{ commandValid: true, command: 'e', commandIndex: 5 }]);
  });

  it('never goes back: a snapshot within what it committed changes nothing and is acknowledged', () => {
    const s = snapshotted(1, 4, 2, log(2), { commitIndex: 5, lastApplied: 5 });
    for (const index of [2, 4, 5]) {
      const r = stepChecked(s, receive(installSnapshot(0, 1, 2, index, 2)));
      expect(r.state, `lastIncludedIndex ${index}`).toBe(s);
      expect(r.apply).toEqual([]);
      expect(r.messages).toEqual([installed(1, 0, 2, index)]);
    }
  });

  it('a stale term is refused: the reply carries the newer term and no matchIndex', () => {
    const s = appliedServer(1, log(1), 1, { currentTerm: 5 });
    const r = stepChecked(s, receive(installSnapshot(0, 1, 2, 4, 2)));
    expect(r.state).toBe(s);
    expect(r.messages).toEqual([installed(1, 0, 5, 0)]);
  });

  it('a candidate of the same term yields to the leader that sent it', () => {
    const candidate = stepChecked(appliedServer(1, [], 0, { currentTerm: 1 }), TIMEOUT).state;
    const r = stepChecked(candidate, receive(installSnapshot(0, 1, 2, 3, 2)));
    expect(r.state.role).toBe('follower');
    expect(r.state.lastIncludedIndex).toBe(3);
  });
});

describe('AppendEntries reaching back into the snapshot', () => {
  it('entries the snapshot holds are skipped; the rest is checked from lastIncludedIndex on', () => {
    const s = snapshotted(1, 3, 2, [entry(2, 'd')]);
    const r = stepChecked(s, receive(appendEntries(0, 1, 2, { prevLogIndex: 1, prevLogTerm: 1, entries: [entry(1, 'b'), entry(2, 'c'), entry(2, 'd'), entry(2, 'e')], leaderCommit: 5 })));
    expect(r.state.log).toEqual([entry(2, 'd'), entry(2, 'e')]);
    expect(r.state.log[0]).toBe(s.log[0]);
    expect(r.messages).toEqual([accepted(1, 0, 2, 5)]);
    expect(r.apply.map((a) => ('commandIndex' in a ? a.commandIndex : 0))).toEqual([4, 5]);
  });

  it('a request wholly inside the snapshot (a heartbeat, or old entries) succeeds and changes nothing', () => {
    const s = snapshotted(1, 3, 2, [entry(2, 'd')]);
    const heartbeat = stepChecked(s, receive(appendEntries(0, 1, 2, { prevLogIndex: 1, prevLogTerm: 1 })));
    expect(heartbeat.state).toBe(s);
    expect(heartbeat.messages).toEqual([accepted(1, 0, 2, 1)]);
    const old = stepChecked(s, receive(appendEntries(0, 1, 2, { prevLogIndex: 0, prevLogTerm: 0, entries: [entry(1, 'a'), entry(1, 'b')] })));
    expect(old.state).toBe(s);
    expect(old.messages).toEqual([accepted(1, 0, 2, 2)]);
  });

  it('a request whose last skipped entry disagrees with lastIncludedTerm is refused (no leader sends one)', () => {
    const s = snapshotted(1, 3, 2, []);
    const r = stepChecked(s, receive(appendEntries(0, 1, 2, { prevLogIndex: 2, prevLogTerm: 1, entries: [entry(1, 'c'), entry(2, 'd')] })));
    expect(r.state.log).toEqual([]);
    expect(r.messages).toEqual([rejected(1, 0, 2, { term: 2, index: 3 })]);
  });
});

describe('restore from snapshot plus log', () => {
  const persisted = { ...EMPTY_PERSISTENT_STATE, currentTerm: 3, votedFor: 0, lastIncludedIndex: 4, lastIncludedTerm: 2, snapshot: 'S', log: log(3) };

  it('starts at the snapshot: commitIndex = lastApplied = lastIncludedIndex, the log after it', () => {
    const s = restore(1, 3, persisted);
    expect(s).toMatchObject({ lastIncludedIndex: 4, lastIncludedTerm: 2, snapshot: 'S', log: log(3), commitIndex: 4, lastApplied: 4 });
    expect(lastLogIndex(s)).toBe(5);
  });

  it('campaigns with its absolute last index and term, and applies from lastIncludedIndex + 1', () => {
    const s = restore(1, 3, persisted);
    expect(sent(stepChecked(s, TIMEOUT), 'RequestVote')[0]).toMatchObject({ lastLogIndex: 5, lastLogTerm: 3 });
    const r = stepChecked(s, receive(appendEntries(0, 1, 3, { prevLogIndex: 5, prevLogTerm: 3, leaderCommit: 5 })));
    expect(r.apply).toEqual([{ commandValid: true, command: 'c1', commandIndex: 5 }]);
    const empty = restore(1, 3, { ...persisted, log: [] });
    expect(sent(stepChecked(empty, TIMEOUT), 'RequestVote')[0]).toMatchObject({ lastLogIndex: 4, lastLogTerm: 2 });
  });

  it('refuses snapshot fields that cannot be', () => {
    for (const bad of [{ lastIncludedIndex: -1, lastIncludedTerm: 0 }, { lastIncludedIndex: 2, lastIncludedTerm: 0 }, { lastIncludedIndex: 0, lastIncludedTerm: 1 }, { lastIncludedIndex: 1.5, lastIncludedTerm: 1 }]) {
      expect(() => restore(0, 3, { ...persisted, ...bad }), JSON.stringify(bad)).toThrow(RangeError);
    }
  });

  it('a restarted leader-to-be sends InstallSnapshot to a follower behind its snapshot', () => {
    const s = restore(0, 3, persisted);
    const { state: leader } = stepAll(s, [TIMEOUT, receive({ type: 'RequestVoteReply', from: 1, to: 0, term: 4, voteGranted: true })]);
    expect(leader.role).toBe('leader');
    const r = stepChecked(leader, receive(rejected(2, 0, 4, { term: 0, index: 1 })));
    expect(r.messages).toEqual([installSnapshot(0, 2, 4, 4, 2, 'S')]);
  });
});
