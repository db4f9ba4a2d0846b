import { describe, expect, test } from 'vitest';
import type { LogEntry, Message, Operation } from '../../src/core/index.js';
import { ReadyQueue, type ReadyAction } from '../../src/runtime/index.js';

// ---- a step's operations, written small --------------------------------------------------------

const log = (n: number): LogEntry[] => Array.from({ length: n }, (_, i) => ({ term: 1, command: i + 1 }));
const save = (logLength: number): Operation => ({
  kind: 'persist',
  persist: { currentTerm: 1, votedFor: 0, lastIncludedIndex: 0, lastIncludedTerm: 0, snapshot: null, log: log(logLength), logChangedFrom: logLength, snapshotChanged: false },
});
/** A save of the service's snapshot through `index` (entries after it: `after`). */
const snapshotSave = (index: number, after: number): Operation => ({
  kind: 'persist',
  persist: {
    currentTerm: 1, votedFor: 0, lastIncludedIndex: index, lastIncludedTerm: 1, snapshot: `s${index}`,
    log: log(after), logChangedFrom: index + after + 1, snapshotChanged: true,
  },
});
const installSnapshot = (to: number, index: number): Operation => ({
  kind: 'send',
  message: { type: 'InstallSnapshot', from: 0, to, term: 1, leaderId: 0, lastIncludedIndex: index, lastIncludedTerm: 1, data: `s${index}` },
});
const snapshotApply = (index: number): Operation => ({
  kind: 'apply', entry: { snapshotValid: true, snapshot: `s${index}`, snapshotTerm: 1, snapshotIndex: index },
});
const append = (to: number, entries: number): Operation => ({
  kind: 'send',
  message: { type: 'AppendEntries', from: 0, to, term: 1, leaderId: 0, prevLogIndex: 0, prevLogTerm: 0, entries: log(entries), leaderCommit: 0 },
});
const vote = (to: number): Operation => ({
  kind: 'send', message: { type: 'RequestVote', from: 0, to, term: 1, candidateId: 0, lastLogIndex: 0, lastLogTerm: 0 },
});
const voteReply = (to: number): Operation => ({ kind: 'send', message: { type: 'RequestVoteReply', from: 0, to, term: 1, voteGranted: true } });
const apply = (index: number): Operation => ({ kind: 'apply', entry: { commandValid: true, command: index, commandIndex: index } });
const heartbeatOn: Operation = { kind: 'timer', directive: 'startHeartbeat' };

function describeMessage(m: Message): string {
  return m.type === 'AppendEntries' ? `AppendEntries to=${m.to} entries=${m.entries.length}` : `${m.type} to=${m.to}`;
}

function describeAction(a: ReadyAction): string {
  switch (a.kind) {
    case 'save': {
      const p = a.persist;
      return p.snapshotChanged ? `save#${a.id} snapshot=${String(p.snapshot)}@${p.lastIncludedIndex} log=${p.log.length}` : `save#${a.id} log=${p.log.length}`;
    }
    case 'send': return `send ${describeMessage(a.message)}`;
    case 'apply': return 'commandValid' in a.entry ? `apply ${a.entry.commandIndex}` : 'snapshotValid' in a.entry ? `apply snapshot@${a.entry.snapshotIndex}` : `apply config@${a.entry.configIndex}`;
    case 'timer': return `timer ${a.directive}`;
  }
}

/**
 * Asks the queue until it says wait, as a node does; saves listed in `durableAtOnce` are
 * reported durable the moment they are handed out (a synchronous persister).
 */
function drain(q: ReadyQueue, durableAtOnce: (id: number) => boolean = () => false): string[] {
  const out: string[] = [];
  for (let a = q.next(); a !== null; a = q.next()) {
    out.push(describeAction(a));
    if (a.kind === 'save' && durableAtOnce(a.id)) q.saved(a.id);
    if (out.length > 100) throw new Error('the queue never says wait');
  }
  return out;
}

describe('ReadyQueue', () => {
  test('a step: its save first; once durable, its messages, applies and timers in the core order, AppendEntries when the queue pauses', () => {
    const q = new ReadyQueue();
    q.push([save(1), append(1, 1), vote(2), apply(1), heartbeatOn, append(2, 1)]);
    expect(drain(q)).toEqual(['save#0 log=1']);
    expect(drain(q), 'nothing while the save is pending').toEqual([]);
    q.saved(0);
    expect(drain(q)).toEqual([
      'send RequestVote to=2', 'apply 1', 'timer startHeartbeat',
      'send AppendEntries to=1 entries=1', 'send AppendEntries to=2 entries=1',
    ]);
    expect(q.queuedSteps).toBe(0);
  });

  test('with a synchronous persister everything of a step leaves at once', () => {
    const q = new ReadyQueue();
    q.push([save(0), voteReply(1)]);
    expect(drain(q, () => true)).toEqual(['save#0 log=0', 'send RequestVoteReply to=1']);
  });

  test('a step without a save still waits behind an earlier step whose save is pending', () => {
    const q = new ReadyQueue();
    q.push([save(1), apply(1)]);
    q.push([voteReply(2)]);
    expect(drain(q)).toEqual(['save#0 log=1']);
    q.saved(0);
    expect(drain(q)).toEqual(['apply 1', 'send RequestVoteReply to=2']);
  });

  test('group commit: the saves queued behind a pending save are handed out at once, in step order, and nothing else', () => {
    const q = new ReadyQueue();
    q.push([save(1), append(1, 1)]);
    expect(drain(q)).toEqual(['save#0 log=1']);
    q.push([save(2), vote(1)]);
    q.push([save(3), apply(1)]);
    expect(drain(q)).toEqual(['save#1 log=2', 'save#2 log=3']);
    q.push([save(4)]);
    expect(drain(q), 'a step pushed while the head waits: its save goes too').toEqual(['save#3 log=4']);
  });

  test('saves completing out of order still release their steps in step order', () => {
    const q = new ReadyQueue();
    q.push([save(1), vote(1)]);
    q.push([save(2), vote(2)]);
    q.push([save(3), apply(3)]);
    expect(drain(q)).toEqual(['save#0 log=1', 'save#1 log=2', 'save#2 log=3']);
    q.saved(2);
    q.saved(1);
    expect(drain(q), 'the first save is still pending').toEqual([]);
    q.saved(0);
    expect(drain(q)).toEqual(['send RequestVote to=1', 'send RequestVote to=2', 'apply 3']);
  });

  test('coalescing: of the AppendEntries of steps run back to back only the latest per peer leaves, peers in the order of their latest', () => {
    const q = new ReadyQueue();
    q.push([save(1), append(1, 1), append(2, 1)]);
    q.push([save(2), append(2, 2), append(1, 2)]);
    q.push([save(3), append(1, 3)]);
    expect(drain(q)).toEqual(['save#0 log=1', 'save#1 log=2', 'save#2 log=3']);
    for (const id of [2, 1, 0]) q.saved(id);
    expect(drain(q)).toEqual(['send AppendEntries to=2 entries=2', 'send AppendEntries to=1 entries=3']);
  });

  test('the AppendEntries of steps that ran leave when the queue pauses on a later save, not after it', () => {
    const q = new ReadyQueue();
    q.push([save(1), append(1, 1), append(2, 1)]);
    q.push([save(2), append(1, 2), append(2, 2)]);
    expect(drain(q)).toEqual(['save#0 log=1', 'save#1 log=2']);
    q.saved(0);
    expect(drain(q)).toEqual(['send AppendEntries to=1 entries=1', 'send AppendEntries to=2 entries=1']);
    q.saved(1);
    expect(drain(q)).toEqual(['send AppendEntries to=1 entries=2', 'send AppendEntries to=2 entries=2']);
  });

  test('other messages are never coalesced: every request and reply leaves, in step order', () => {
    const q = new ReadyQueue();
    q.push([vote(1), vote(1)]);
    q.push([voteReply(2), voteReply(2)]);
    expect(drain(q)).toEqual(['send RequestVote to=1', 'send RequestVote to=1', 'send RequestVoteReply to=2', 'send RequestVoteReply to=2']);
  });

  test('a crash drops everything not yet released, durable or not, and the queue answers nothing more', () => {
    const q = new ReadyQueue();
    q.push([save(1), append(1, 1), apply(1)]);
    q.push([save(2), vote(2)]);
    expect(drain(q)).toEqual(['save#0 log=1', 'save#1 log=2']);
    q.saved(1);
    q.crash();
    q.saved(0);
    expect(drain(q)).toEqual([]);
    q.push([vote(1)]);
    expect(drain(q)).toEqual([]);
    expect(q.queuedSteps).toBe(0);
  });

  test('a crash between two released operations keeps what left and drops the rest (a failed save is one: the node fail-stops)', () => {
    const q = new ReadyQueue();
    q.push([save(1), vote(1), vote(2), apply(1)]);
    expect(drain(q)).toEqual(['save#0 log=1']);
    q.saved(0);
    expect(describeAction(q.next()!)).toBe('send RequestVote to=1');
    q.crash();
    expect(q.next()).toBeNull();
  });

  test('group commit with snapshots: every save is handed out whole, in step order, the snapshot with its Raft state; none is merged or dropped', () => {
    const q = new ReadyQueue();
    q.push([save(10), append(1, 10)]);
    expect(drain(q)).toEqual(['save#0 log=10']);
    q.push([snapshotSave(10, 0)]); // the service's snapshot through 10
    q.push([save(1), apply(11)]); // a later save that does not change the snapshot
    q.push([snapshotSave(11, 0), vote(2)]);
    expect(drain(q)).toEqual(['save#1 snapshot=s10@10 log=0', 'save#2 log=1', 'save#3 snapshot=s11@11 log=0']);
    for (const id of [3, 2, 1]) q.saved(id);
    expect(drain(q), 'nothing before the first save is durable').toEqual([]);
    q.saved(0);
    expect(drain(q)).toEqual(['apply 11', 'send RequestVote to=2', 'send AppendEntries to=1 entries=10']);
  });

  test('an InstallSnapshot and the snapshot applied from it wait for their step\'s save', () => {
    const q = new ReadyQueue();
    q.push([snapshotSave(20, 0), installSnapshot(1, 20), snapshotApply(20)]);
    expect(drain(q)).toEqual(['save#0 snapshot=s20@20 log=0']);
    q.saved(0);
    expect(drain(q)).toEqual(['apply snapshot@20', 'send InstallSnapshot to=1']);
  });

  test('coalescing takes InstallSnapshot as a replication request: only the latest of them and AppendEntries per peer leaves', () => {
    const q = new ReadyQueue();
    q.push([save(1), installSnapshot(1, 10), installSnapshot(2, 10)]);
    q.push([save(2), installSnapshot(1, 20), append(2, 1)]);
    q.push([save(3), append(1, 1), installSnapshot(2, 20), vote(1)]);
    expect(drain(q)).toEqual(['save#0 log=1', 'save#1 log=2', 'save#2 log=3']);
    for (const id of [0, 1, 2]) q.saved(id);
    expect(drain(q)).toEqual(['send RequestVote to=1', 'send AppendEntries to=1 entries=1', 'send InstallSnapshot to=2']);
  });
});
