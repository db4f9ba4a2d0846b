import { describe, expect, test } from 'vitest';
import type { ApplyMsg, Message, PersistEffect, PersistentState, StepConfig } from '../../src/core/index.js';
import {
  MemoryPersister, make, RUNTIME_STEP_CONFIG, seededRandom,
  type Persister, type Transport,
} from '../../src/runtime/index.js';
import { ManualClock } from './manualClock.js';

/** A persister whose saves stay pending until the test settles them, logging every event. */
class GatedPersister implements Persister {
  private state: PersistentState | null = null;
  readonly gates: (() => void)[] = [];
  constructor(private readonly events: string[]) {}
  save(effect: PersistEffect): Promise<void> {
    this.events.push(`save term=${effect.currentTerm} log=${effect.log.length}`);
    return new Promise((resolve) => {
      this.gates.push(() => {
        this.state = effect;
        this.events.push(`saved term=${effect.currentTerm} log=${effect.log.length}`);
        resolve();
      });
    });
  }
  load(): PersistentState | null {
    return this.state;
  }
  async release(): Promise<void> {
    const gate = this.gates.shift();
    if (!gate) throw new Error('no save pending');
    gate();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Server 0 of 3, elected leader of term 1 (one vote is a majority), on a disk the test gates. */
async function leaderWithGatedDisk() {
  const events: string[] = [];
  const sent: Message[] = [];
  const clock = new ManualClock();
  const persister = new GatedPersister(events);
  const node = make(recordingTransport(3, events, sent), 0, persister, () => undefined, env(clock));
  clock.fireNext();
  await persister.release();
  node.onReceive({ type: 'RequestVoteReply', from: 1, to: 0, term: 1, voteGranted: true });
  expect(node.getState()).toEqual({ term: 1, isLeader: true });
  return { events, sent, persister, node };
}

function recordingTransport(clusterSize: number, events: string[], sent: Message[]): Transport {
  return {
    clusterSize,
    send(message) {
      events.push(`send ${message.type} to=${message.to}`);
      sent.push(message);
    },
  };
}

/** The AppendEntries among the messages sent. */
const appends = (sent: readonly Message[]) => sent.flatMap((m) => (m.type === 'AppendEntries' ? [m] : []));

/**
 * These tests follow a step's effects through an election timeout's save and RequestVote, so they
 * run the plain algorithm: with PreVote a timeout saves nothing (it asks for pre-votes first).
 */
const PLAIN: StepConfig = { ...RUNTIME_STEP_CONFIG, preVote: false, checkQuorum: false };
const env = (clock: ManualClock) => ({ clock, random: seededRandom(1), stepConfig: PLAIN });

describe('RaftNode', () => {
  test('carries out a step in the core order: save (awaited), then send', async () => {
    const events: string[] = [];
    const clock = new ManualClock();
    const persister = new GatedPersister(events);
    make(recordingTransport(3, events, []), 0, persister, () => undefined, env(clock));
    clock.fireNext(); // election timeout: term 1, vote for self, RequestVote to both peers
    expect(events).toEqual(['save term=1 log=0']);
    await persister.release();
    expect(events).toEqual(['save term=1 log=0', 'saved term=1 log=0', 'send RequestVote to=1', 'send RequestVote to=2']);
  });

  test('an effect that throws (here the transport) stops the node as a crash would, keeping the reason', () => {
    const clock = new ManualClock();
    const broken: Transport = { clusterSize: 3, send: () => { throw new RangeError('no route'); } };
    const node = make(broken, 0, new MemoryPersister(), () => undefined, env(clock));
    clock.fireNext(); // the election's RequestVotes go out through the transport, which throws
    expect(node.failure).toBeInstanceOf(RangeError);
    expect(node.killed).toBe(true);
    expect(node.start('x')).toMatchObject({ isLeader: false });
  });

  test('a save that fails stops the node as a crash would, keeping the reason: nothing of its step leaves', async () => {
    const events: string[] = [];
    const clock = new ManualClock();
    const failing: Persister = { save: () => Promise.reject(new Error('disk full')), load: () => null };
    const node = make(recordingTransport(3, events, []), 0, failing, () => undefined, env(clock));
    clock.fireNext(); // election: the save of term 1 fails
    await new Promise((resolve) => setImmediate(resolve));
    expect(node.failure).toEqual(new Error('disk full'));
    expect(node.killed).toBe(true);
    expect(events).toEqual([]); // the RequestVotes never leave
    expect(clock.pending()).toBe(0);
  });

  test('answers a request only after the save of the step that handled it; the reply leaves through send', async () => {
    const events: string[] = [];
    const clock = new ManualClock();
    const persister = new GatedPersister(events);
    const sent: Message[] = [];
    const node = make(recordingTransport(3, events, sent), 1, persister, () => undefined, env(clock));
    node.onReceive({ type: 'RequestVote', from: 0, to: 1, term: 1, candidateId: 0, lastLogIndex: 0, lastLogTerm: 0 });
    expect(sent).toEqual([]);
    await persister.release();
    expect(events).toEqual(['save term=1 log=0', 'saved term=1 log=0', 'send RequestVoteReply to=0']);
    expect(sent).toEqual([{ type: 'RequestVoteReply', from: 1, to: 0, term: 1, voteGranted: true }]);
  });

  test('start answers at once while a save is pending; later saves go ahead (group commit), sends wait for their own save', async () => {
    const { events, sent, persister, node } = await leaderWithGatedDisk();
    const heartbeats = events.filter((e) => e.startsWith('send AppendEntries')).length;
    expect(heartbeats).toBe(2);

    events.length = 0;
    expect(node.start('x')).toEqual({ index: 1, term: 1, isLeader: true }); // at once
    expect(node.start('y')).toEqual({ index: 2, term: 1, isLeader: true }); // still at once
    // y's save is handed to the persister while x's is pending, so both can share one fsync
    expect(events).toEqual(['save term=1 log=1', 'save term=1 log=2']);
    await persister.release();
    // x's AppendEntries leave once x's save is durable, while y's save is still pending
    expect(events.slice(2)).toEqual(['saved term=1 log=1', 'send AppendEntries to=1', 'send AppendEntries to=2']);
    await persister.release();
    expect(events.slice(5)).toEqual(['saved term=1 log=2', 'send AppendEntries to=1', 'send AppendEntries to=2']);
    const entries = appends(sent).slice(-4).map((m) => m.entries.map((e) => e.command));
    expect(entries).toEqual([['x'], ['x'], ['x', 'y'], ['x', 'y']]);
  });

  test('group commit: a batch whose own save settles first still waits for the earlier save', async () => {
    const { events, sent, persister, node } = await leaderWithGatedDisk();
    events.length = 0;
    node.start('x');
    node.start('y');
    node.start('z');
    expect(events).toEqual(['save term=1 log=1', 'save term=1 log=2', 'save term=1 log=3']);
    // settle y's save before x's: nothing may be sent yet
    const [gx, gy] = persister.gates.splice(0, 2);
    gy!();
    await new Promise((resolve) => setImmediate(resolve));
    expect(events.filter((e) => e.startsWith('send'))).toEqual([]);
    gx!();
    await new Promise((resolve) => setImmediate(resolve));
    // x and then y (already durable) run back to back: y's requests replace x's and leave when
    // the drain pauses on z's save; z's wait for it
    expect(events.slice(3)).toEqual([
      'saved term=1 log=2', 'saved term=1 log=1',
      'send AppendEntries to=1', 'send AppendEntries to=2',
    ]);
    await persister.release();
    expect(events.slice(7)).toEqual(['saved term=1 log=3', 'send AppendEntries to=1', 'send AppendEntries to=2']);
    const entries = appends(sent).slice(-4).map((m) => m.entries.length);
    expect(entries).toEqual([2, 2, 3, 3]);
  });

  test('coalescing: of the AppendEntries of batches run back to back, only the latest per peer leaves', async () => {
    const { events, sent, persister, node } = await leaderWithGatedDisk();
    node.start('w'); // its save blocks the drain
    node.start('x');
    node.start('y');
    node.start('z');
    events.length = 0;
    sent.length = 0;
    // settle x's, y's and z's saves first (one group, as one fsync would), then w's
    const [gw, ...rest] = persister.gates.splice(0, 4);
    for (const g of rest) g();
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent, 'nothing leaves before the first save is durable').toEqual([]);
    gw!();
    await new Promise((resolve) => setImmediate(resolve));
    // w, x, y and z run back to back (their saves are durable): only z's requests leave, one per peer
    expect(sent.map((m) => m.type === 'AppendEntries' && `${m.to}:${m.entries.length}`)).toEqual(['1:4', '2:4']);
    expect(events.filter((e) => e.startsWith('saved'))).toEqual(['saved term=1 log=2', 'saved term=1 log=3', 'saved term=1 log=4', 'saved term=1 log=1']);
  });

  test('a one-server cluster applies each command once, in order, one at a time', () => {
    const clock = new ManualClock();
    const applied: ApplyMsg[] = [];
    const node = make({ clusterSize: 1, send: () => undefined }, 0, new MemoryPersister(), (m) => applied.push(m), env(clock));
    clock.fireNext();
    expect(node.getState()).toEqual({ term: 1, isLeader: true });
    node.start('a');
    node.start('b');
    expect(applied).toEqual([
      { commandValid: true, command: 'a', commandIndex: 1 },
      { commandValid: true, command: 'b', commandIndex: 2 },
    ]);
  });

  test('membership: changeMembership answers at once; the configuration entry is applied as a ConfigApplyMsg in order, never as a command', () => {
    const clock = new ManualClock();
    const applied: ApplyMsg[] = [];
    const sent: Message[] = [];
    // Ids 0..1, only 0 votes (the bootstrap configuration): server 0 leads alone.
    const node = make({ clusterSize: 2, send: (m) => sent.push(m) }, 0, new MemoryPersister(), (m) => applied.push(m),
      { ...env(clock), bootstrapConfig: { voters: [0], learners: [] } });
    clock.fireNext();
    expect(node.getState()).toEqual({ term: 1, isLeader: true });
    expect(sent).toEqual([]); // server 1 is outside: no RequestVote, no AppendEntries
    // No entry of term 1 committed yet: refused, and the leader appends a no-op (applied at once, alone).
    expect(node.changeMembership({ kind: 'AddLearner', server: 1 }, { server: 1, address: 'h:1' })).toEqual({ ok: false, reason: 'no-commit-in-term' });
    node.start('a');
    expect(node.changeMembership({ kind: 'AddLearner', server: 1 }, { server: 1, address: 'h:1' })).toEqual({ ok: true, index: 3, term: 1 });
    expect(applied).toEqual([
      { configValid: true, configIndex: 1, config: null, context: null },
      { commandValid: true, command: 'a', commandIndex: 2 },
      { configValid: true, configIndex: 3, config: { voters: [0], learners: [1] }, context: { server: 1, address: 'h:1' } },
    ]);
    expect(sent.filter((m) => m.type === 'AppendEntries').map((m) => m.to)).toEqual([1]); // the learner is replicated to
    expect(node.changeMembership({ kind: 'RemoveServer', server: 0 })).toEqual({ ok: false, reason: 'last-voter' });
    node.kill();
    expect(node.changeMembership({ kind: 'RemoveServer', server: 1 })).toEqual({ ok: false, reason: 'not-leader' });
  });

  test('restarts from what was persisted, as a follower', () => {
    const clock = new ManualClock();
    const persister = new MemoryPersister();
    const first = make({ clusterSize: 1, send: () => undefined }, 0, persister, () => undefined, env(clock));
    clock.fireNext();
    first.start('a');
    first.kill();
    const second = make({ clusterSize: 1, send: () => undefined }, 0, persister.copy(), () => undefined, env(new ManualClock()));
    expect(second.getState()).toEqual({ term: 1, isLeader: false });
    expect(second.raftState.log).toEqual([{ term: 1, command: 'a' }]);
    expect(second.raftState.commitIndex).toBe(0);
  });

  test('a killed node is never leader, ignores input, stops its timers and drops unexecuted effects', async () => {
    const events: string[] = [];
    const clock = new ManualClock();
    const persister = new GatedPersister(events);
    const node = make(recordingTransport(3, events, []), 0, persister, () => undefined, env(clock));
    clock.fireNext();
    node.kill();
    await persister.release();
    expect(events).toEqual(['save term=1 log=0', 'saved term=1 log=0']); // the RequestVotes never leave
    expect(node.start('x')).toEqual({ index: -1, term: 1, isLeader: false });
    expect(node.getState().isLeader).toBe(false);
    expect(clock.pending()).toBe(0);
  });

  test('the election timer keeps running while leader, so a deposed leader still times out', () => {
    const clock = new ManualClock();
    const node = make({ clusterSize: 1, send: () => undefined }, 0, new MemoryPersister(), () => undefined, env(clock));
    clock.fireNext();
    expect(node.getState().isLeader).toBe(true);
    // an election timer and a heartbeat timer are pending
    expect(clock.timers.filter((t) => !t.cancelled).length).toBe(2);
  });

  test('the timer rule: an election timer firing on a leader is re-armed and ignored', () => {
    const clock = new ManualClock();
    const node = make({ clusterSize: 1, send: () => undefined }, 0, new MemoryPersister(), () => undefined, env(clock));
    clock.fireNext(); // elected in term 1
    const electionAt = (): number => clock.timers.filter((t) => !t.cancelled).map((t) => t.at).reduce((a, b) => Math.max(a, b));
    const firstElection = electionAt();
    while (clock.now() < firstElection) clock.fireNext(); // heartbeats, then the election timer itself
    expect(node.getState()).toEqual({ term: 1, isLeader: true });
    expect(clock.pending()).toBe(2); // re-armed, and the heartbeat still ticks
    expect(electionAt()).toBeGreaterThan(firstElection);
  });
});
