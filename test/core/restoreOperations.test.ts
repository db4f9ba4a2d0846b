/** restore() after a crash, and the effect order as data: operations() / runOperations(). */
import { describe, expect, it } from 'vitest';
import {
  EMPTY_PERSISTENT_STATE, initialState, operations, restore, runOperations, type Operation, type PersistentState,
} from '../../src/core/index.js';
import { appendEntries, deepFreeze, electedLeader, entry, log, receive, server, start, stepAll, stepChecked } from './helpers.js';

describe('restore(id, clusterSize, persisted)', () => {
  it('is a follower with commitIndex = lastApplied = 0 and the persistent fields exactly as persisted', () => {
    const persisted: PersistentState = deepFreeze({ ...EMPTY_PERSISTENT_STATE, currentTerm: 7, votedFor: 2, log: log(1, 5, 7) });
    const s = restore(1, 5, persisted);
    expect(s).toEqual({
      id: 1, clusterSize: 5, role: 'follower',
      currentTerm: 7, votedFor: 2, lastIncludedIndex: 0, lastIncludedTerm: 0, snapshot: null, log: log(1, 5, 7),
      commitIndex: 0, lastApplied: 0, votesGranted: [], nextIndex: [], matchIndex: [], heardFromLeader: false, recentActive: [],
    });
    expect(s.log).toBe(persisted.log);
  });

  it('a leader restored from its last persist is a follower again, holding what it wrote', () => {
    const { state: leader, results } = stepAll(electedLeader(0, 2, log(1)), [start('x'), receive({
      type: 'AppendEntriesReply', from: 1, to: 0, term: 2, success: true, matchIndex: 2, conflictTerm: 0, conflictIndex: 0,
    })]);
    expect(leader.commitIndex).toBe(2);
    const persisted = results[0]!.persist!;
    const s = restore(0, 3, persisted);
    expect(s).toMatchObject({ role: 'follower', currentTerm: 2, votedFor: 0, log: leader.log, commitIndex: 0, lastApplied: 0 });
  });

  it('re-applies from index 1 once the leader tells it the commit index again', () => {
    const s = restore(1, 3, { ...EMPTY_PERSISTENT_STATE, currentTerm: 2, votedFor: 0, log: [entry(1, 'a'), entry(2, 'b')] });
    const r = stepChecked(s, receive(appendEntries(0, 1, 2, { prevLogIndex: 2, prevLogTerm: 2, leaderCommit: 2 })));
    expect(r.apply).toEqual([{ commandValid: true, commandIndex: 1, command: 'a' }, { commandValid: true, commandIndex: 2, command: 'b' }]);
    expect(r.persist).toBeNull();
  });

  it('initialState is restore from the empty persistent state', () => {
    expect(initialState(2, 3)).toEqual(restore(2, 3, EMPTY_PERSISTENT_STATE));
    expect(initialState(2, 3)).toMatchObject({ currentTerm: 0, votedFor: null, log: [], role: 'follower' });
  });

  it('rejects an id outside 0..clusterSize-1 and a cluster size below 1', () => {
    expect(() => restore(3, 3, EMPTY_PERSISTENT_STATE)).toThrow(RangeError);
    expect(() => restore(-1, 3, EMPTY_PERSISTENT_STATE)).toThrow(RangeError);
    expect(() => restore(0, 0, EMPTY_PERSISTENT_STATE)).toThrow(RangeError);
    expect(() => restore(0, 1.5, EMPTY_PERSISTENT_STATE)).toThrow(RangeError);
  });
});

/** A step with all four kinds of effect: a new leader's first AppendEntries, with a commit. */
function fullStep() {
  const follower = server(1, { currentTerm: 1, log: log(1) });
  return stepChecked(follower, receive(appendEntries(0, 1, 2, {
    prevLogIndex: 1, prevLogTerm: 1, entries: [entry(2, 'x')], leaderCommit: 2,
  })));
}

const describeOp = (op: Operation): string => {
  switch (op.kind) {
    case 'persist': return `persist term=${op.persist.currentTerm} from=${op.persist.logChangedFrom}`;
    case 'send': return `send ${op.message.type} -> ${op.message.to}`;
    case 'apply': return 'commandIndex' in op.entry ? `apply ${op.entry.commandIndex}` : 'snapshotIndex' in op.entry ? `apply snapshot ${op.entry.snapshotIndex}` : `apply config ${op.entry.configIndex}`;
    case 'timer': return `timer ${op.directive}`;
  }
};

describe('operations(result): the effect order every host obeys', () => {
  it('persist first, then sends, then applies, then timers', () => {
    expect(operations(fullStep()).map(describeOp)).toEqual([
      'persist term=2 from=2',
      'send AppendEntriesReply -> 0',
      'apply 1',
      'apply 2',
      'timer resetElectionTimer',
    ]);
  });

  it('no persist operation when there is nothing to persist', () => {
    const s = server(1, { currentTerm: 2, log: log(2) });
    const ops = operations(stepChecked(s, receive(appendEntries(0, 1, 2, { prevLogIndex: 1, prevLogTerm: 2 }))));
    expect(ops.map((op) => op.kind)).toEqual(['send', 'timer']);
  });

  it('sends keep the order in which the step produced its messages', () => {
    const r = stepChecked(electedLeader(0, 1, [], 5), start('x'));
    expect(operations(r).filter((op) => op.kind === 'send').map(describeOp)).toEqual([
      'send AppendEntries -> 1', 'send AppendEntries -> 2', 'send AppendEntries -> 3', 'send AppendEntries -> 4',
    ]);
  });
});

describe('runOperations(ops, sink, limit)', () => {
  it('runs every operation in order, synchronously when the sink is synchronous', () => {
    const ops = operations(fullStep());
    const seen: Operation[] = [];
    const result = runOperations(ops, (op) => void seen.push(op));
    expect(result).toBeUndefined();
    expect(seen).toEqual(ops);
  });

  it('awaits an asynchronous sink: nothing after the persist runs until the persist has settled', async () => {
    const ops = operations(fullStep());
    const seen: string[] = [];
    let release!: () => void;
    const durable = new Promise<void>((resolve) => { release = resolve; });
    const done = runOperations(ops, (op) => {
      seen.push(op.kind);
      return op.kind === 'persist' ? durable : undefined;
    });
    expect(done).toBeInstanceOf(Promise);
    await Promise.resolve();
    expect(seen).toEqual(['persist']);
    release();
    await done;
    expect(seen).toEqual(['persist', 'send', 'apply', 'apply', 'timer']);
  });

  it('awaits every asynchronous operation in turn', async () => {
    const ops = operations(fullStep());
    const seen: string[] = [];
    await runOperations(ops, async (op) => {
      await Promise.resolve();
      seen.push(op.kind);
    });
    expect(seen).toEqual(['persist', 'send', 'apply', 'apply', 'timer']);
  });

  it('limit stops after the first `limit` operations (a crash between two of them)', async () => {
    const ops = operations(fullStep());
    for (let limit = 0; limit <= ops.length; limit++) {
      const sync: Operation[] = [];
      runOperations(ops, (op) => void sync.push(op), limit);
      expect(sync).toEqual(ops.slice(0, limit));
      const async: Operation[] = [];
      await runOperations(ops, async (op) => void async.push(op), limit);
      expect(async).toEqual(ops.slice(0, limit));
    }
  });
});
