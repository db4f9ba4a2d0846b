/**
 * Snapshots in the runtime: RaftNodes on the virtual clock of the simulated world, each serving
 * a small replicated list that snapshots itself every few commands (as the lab's applierSnap).
 */
import { afterEach, describe, expect, test, vi } from 'vitest';
import type { ApplyMsg, InstallSnapshotArgs, Message, PersistentState } from '../../src/core/index.js';
import { make, MemoryPersister, messageSize, SimNetwork, simWorld, type RaftNode, type SimWorld } from '../../src/runtime/index.js';
import { envFor, runLabTest } from '../lab/harness/runner.js';
import { LAB_2D } from '../lab/suite/lab2D.js';
import { ManualClock } from './manualClock.js';

const SNAPSHOT_EVERY = 5;

/** A replicated list: what one server applied, and every apply message as it came. */
class ListService {
  values: unknown[] = [];
  readonly stream: ApplyMsg[] = [];
  node: RaftNode | null = null;

  apply(m: ApplyMsg): void {
    this.stream.push(m);
    if ('snapshotValid' in m) {
      this.values = [...(m.snapshot as unknown[])];
      return;
    }
    if ('configValid' in m) return; // membership is not used here
    if (m.commandIndex !== this.values.length + 1) throw new Error(`apply out of order: ${m.commandIndex} after ${this.values.length}`);
    this.values.push(m.command);
    if (m.commandIndex % SNAPSHOT_EVERY === 0) this.node!.snapshot(m.commandIndex, [...this.values]);
  }
}

interface Cluster {
  readonly world: SimWorld;
  readonly net: SimNetwork;
  readonly nodes: RaftNode[];
  readonly services: ListService[];
  readonly persisters: MemoryPersister[];
  /** Every message any server sent. */
  readonly sent: Message[];
}

function cluster(seed: number, n: number): Cluster {
  const world = simWorld(seed);
  const net = world.network(n);
  const c: Cluster = { world, net, nodes: [], services: [], persisters: [], sent: [] };
  for (let i = 0; i < n; i++) {
    c.persisters.push(new MemoryPersister());
    c.services.push(new ListService());
    startNode(c, i);
  }
  return c;
}

/** Starts (or restarts, on a copy of its persister and a fresh service) server i. */
function startNode(c: Cluster, i: number): RaftNode {
  let node: RaftNode | null = null;
  const transport = c.net.attach(i, { onReceive: (m) => node?.onReceive(m) });
  const service = c.services[i]!;
  node = make(
    { clusterSize: transport.clusterSize, send: (m) => { c.sent.push(m); transport.send(m); } },
    i, c.persisters[i]!, (m) => service.apply(m), { clock: c.world.clock, random: c.world.random },
  );
  service.node = node;
  c.nodes[i] = node;
  return node;
}

function isolate(c: Cluster, i: number, cut: boolean): void {
  for (let j = 0; j < c.nodes.length; j++) {
    if (j === i) continue;
    c.net.setLink(i, j, !cut);
    c.net.setLink(j, i, !cut);
  }
}

/** Submits `command` to whichever server leads, retrying until one does (virtual time). */
async function submit(c: Cluster, command: unknown): Promise<void> {
  for (let tries = 0; tries < 100; tries++) {
    for (const node of c.nodes) if (!node.killed && node.start(command).isLeader) return;
    await c.world.clock.sleep(100);
  }
  throw new Error('no leader');
}

async function stop(c: Cluster): Promise<void> {
  for (const node of c.nodes) node.kill();
  c.net.cleanup();
  c.world.stop();
}

/** A server's persisted state after a snapshot through 4 (one entry after it). */
const restored: PersistentState = {
  currentTerm: 2, votedFor: null, lastIncludedIndex: 4, lastIncludedTerm: 2, snapshot: ['a', 'b', 'c', 'd'],
  log: [{ term: 2, command: 'e' }],
};
const lone = { clusterSize: 1, send: () => undefined };

describe('snapshots in the runtime', () => {
  test('a follower far behind catches up by InstallSnapshot, then applies commands from snapshotIndex + 1', async () => {
    const c = cluster(7, 3);
    try {
      await c.world.clock.sleep(2000);
      await submit(c, 'c1');
      await c.world.clock.sleep(500);
      const lagging = c.nodes.findIndex((n) => !n.getState().isLeader);
      expect(c.services[lagging]!.values).toEqual(['c1']);
      isolate(c, lagging, true);
      for (let k = 2; k <= 23; k++) await submit(c, `c${k}`);
      await c.world.clock.sleep(2000);
      const leader = c.nodes.findIndex((n) => n.getState().isLeader);
      expect(c.nodes[leader]!.raftState.lastIncludedIndex, 'the leader compacted past what the follower holds').toBeGreaterThanOrEqual(20);

      isolate(c, lagging, false);
      await c.world.clock.sleep(3000);
      await submit(c, 'c24');
      await c.world.clock.sleep(1000);

      const installs = c.sent.filter((m): m is InstallSnapshotArgs => m.type === 'InstallSnapshot' && m.to === lagging);
      expect(installs.length).toBeGreaterThan(0);
      const stream = c.services[lagging]!.stream;
      const at = stream.findIndex((m) => 'snapshotValid' in m);
      expect(at, 'a snapshot reached the follower\'s service').toBe(1); // after c1, before anything else
      const snap = stream[at]!;
      if (!('snapshotValid' in snap)) throw new Error('unreachable');
      expect(snap.snapshotIndex).toBeGreaterThanOrEqual(20);
      expect(snap.snapshotIndex % SNAPSHOT_EVERY).toBe(0);
      const after = stream.slice(at + 1).map((m) => ('commandValid' in m ? m.commandIndex : -1));
      expect(after).toEqual(Array.from({ length: 24 - snap.snapshotIndex }, (_, k) => snap.snapshotIndex + 1 + k));
      const expected = Array.from({ length: 24 }, (_, k) => `c${k + 1}`);
      for (const service of c.services) expect(service.values).toEqual(expected);
      // Compaction bounds what the follower persists: its log holds only what follows its latest snapshot.
      expect(c.persisters[lagging]!.load()!.lastIncludedIndex).toBeGreaterThanOrEqual(20);
      expect(c.persisters[lagging]!.load()!.log.length).toBeLessThan(SNAPSHOT_EVERY);
      expect(c.world.clock.failure).toBeUndefined();
    } finally {
      await stop(c);
    }
  });

  test('a restarted node delivers its snapshot first, from its constructor, and applies from the next index on', async () => {
    const c = cluster(3, 3);
    try {
      await c.world.clock.sleep(2000);
      for (let k = 1; k <= 12; k++) await submit(c, `c${k}`);
      await c.world.clock.sleep(1000);
      const victim = c.nodes.findIndex((n) => !n.getState().isLeader);
      c.nodes[victim]!.kill();
      c.net.detach(victim);
      const persisted = c.persisters[victim]!.load()!;
      expect(persisted.lastIncludedIndex).toBe(10);
      c.persisters[victim] = c.persisters[victim]!.copy();
      c.services[victim] = new ListService();

      startNode(c, victim);
      expect(c.services[victim]!.stream, 'delivered before the constructor returned').toEqual([
        { snapshotValid: true, snapshot: persisted.snapshot, snapshotTerm: persisted.lastIncludedTerm, snapshotIndex: 10 },
      ]);
      await submit(c, 'c13');
      await c.world.clock.sleep(1000);
      const commands = c.services[victim]!.stream.slice(1).map((m) => ('commandValid' in m ? m.commandIndex : -1));
      expect(commands).toEqual([11, 12, 13]);
      expect(c.services[victim]!.values).toEqual(Array.from({ length: 13 }, (_, k) => `c${k + 1}`));
      expect(c.world.clock.failure).toBeUndefined();
    } finally {
      await stop(c);
    }
  });

  test('a node without a snapshot delivers nothing at construction', () => {
    const applied: ApplyMsg[] = [];
    make(lone, 0, new MemoryPersister({ ...restored, lastIncludedIndex: 0, lastIncludedTerm: 0, snapshot: null }), (m) => applied.push(m), { clock: new ManualClock(), random: simWorld(1).random });
    expect(applied).toEqual([]);
  });

  test('an apply callback that throws on the restored snapshot fail-stops the node, as any effect that throws', () => {
    const node = make(lone, 0, new MemoryPersister(restored), () => { throw new Error('bad snapshot'); }, { clock: new ManualClock(), random: simWorld(1).random });
    expect(node.failure).toEqual(new Error('bad snapshot'));
    expect(node.killed).toBe(true);
  });

  test('snapshot() trims the log through an applied index and persists the snapshot with the state; a killed node ignores it', () => {
    const clock = new ManualClock();
    const persister = new MemoryPersister();
    const node = make(lone, 0, persister, () => undefined, { clock, random: simWorld(1).random });
    clock.fireNext(); // elected: a one-server cluster commits at once
    for (const command of ['a', 'b', 'c']) node.start(command);
    node.snapshot(5, 'beyond what was applied');
    expect(persister.load()!.lastIncludedIndex).toBe(0);
    node.snapshot(2, 'ab');
    expect(persister.load()).toMatchObject({ lastIncludedIndex: 2, lastIncludedTerm: 1, snapshot: 'ab', log: [{ term: 1, command: 'c' }] });
    node.kill();
    node.snapshot(3, 'abc');
    expect(persister.load()!.lastIncludedIndex).toBe(2);
  });
});

describe('MemoryPersister with snapshots', () => {
  test('raftStateSize is the Raft state without the snapshot; readSnapshot the last saved snapshot; a copy holds both', () => {
    const persister = new MemoryPersister();
    expect(persister.raftStateSize()).toBe(0);
    expect(persister.readSnapshot()).toBeNull();
    const big = 'x'.repeat(10_000);
    persister.save({ ...restored, snapshot: big, logChangedFrom: 5, snapshotChanged: true });
    const { snapshot: _, ...raftState } = restored;
    expect(persister.raftStateSize()).toBe(JSON.stringify(raftState).length);
    expect(persister.raftStateSize()).toBeLessThan(200);
    expect(persister.readSnapshot()).toBe(big);
    const copy = persister.copy();
    persister.save({ ...restored, currentTerm: 3, snapshot: 'later', logChangedFrom: 6, snapshotChanged: true });
    expect(copy.readSnapshot()).toBe(big);
    expect(copy.load()!.currentTerm).toBe(2);
  });

  test('a save that does not change the snapshot keeps it (every effect carries the current one)', () => {
    const persister = new MemoryPersister();
    persister.save({ ...restored, logChangedFrom: 5, snapshotChanged: true });
    persister.save({ ...restored, currentTerm: 3, log: [], logChangedFrom: 5, snapshotChanged: false });
    expect(persister.load()).toEqual({ ...restored, currentTerm: 3, log: [] });
    expect(persister.readSnapshot()).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('InstallSnapshot on the simulated network', () => {
  test('its size is its JSON length, and the network counts it as a request (labrpc counts RPCs and their bytes)', async () => {
    const world = simWorld(1);
    const net = world.network(2);
    const received: Message[] = [];
    const client = net.attach(0, { onReceive: (m) => received.push(m) });
    net.attach(1, { onReceive: (m) => received.push(m) });
    const install: InstallSnapshotArgs = {
      type: 'InstallSnapshot', from: 0, to: 1, term: 3, leaderId: 0, lastIncludedIndex: 9, lastIncludedTerm: 2, data: '[9,[null,"a\\"b"]]',
    };
    expect(messageSize(install)).toBe(JSON.stringify(install).length);
    client.send(install);
    await world.clock.sleep(100);
    expect(received).toEqual([install]);
    expect(net.getTotalCount()).toBe(1);
    expect(net.getCount(1)).toBe(1);
    expect(net.getTotalBytes()).toBe(messageSize(install));
    net.cleanup();
    world.stop();
  });
});

describe('lab 2D on the virtual clock (one seed each; the lab project runs them in real time)', () => {
  afterEach(() => { vi.restoreAllMocks(); });

  test.each(LAB_2D.map((t) => [t.name, t] as const))('%s', async (name, t) => {
    let installs = 0;
    const attach = SimNetwork.prototype.attach;
    vi.spyOn(SimNetwork.prototype, 'attach').mockImplementation(function (this: SimNetwork, id, receiver) {
      const transport = attach.call(this, id, receiver);
      return { clusterSize: transport.clusterSize, send: (m) => { if (m.type === 'InstallSnapshot') installs++; transport.send(m); } };
    });
    await runLabTest(t, envFor(t, 'sim', 1));
    // A victim cut off or crashed for 11+ commands is behind its leader's snapshot: it catches up by InstallSnapshot.
    if (/Install/.test(name)) expect(installs).toBeGreaterThan(0);
  });
});
