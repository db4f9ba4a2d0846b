import { afterEach, describe, expect, test } from 'vitest';
import type { ApplyMsg } from '../../../src/core/index.js';
import { make, MemoryPersister, realClock, seededRandom, type RaftNode } from '../../../src/runtime/index.js';
import { TcpTransport } from '../../../src/runtime/net/index.js';
import { SECRET, tcpHandles, waitFor } from './helpers.js';

const handlesBefore = tcpHandles();
const nodes: RaftNode[] = [];
const transports: TcpTransport[] = [];

afterEach(async () => {
  for (const node of nodes.splice(0)) node.kill();
  await Promise.all(transports.splice(0).map((t) => t.close()));
  expect(tcpHandles()).toBe(handlesBefore);
});

/** Three RaftNodes over TCP on loopback; each transport listens before any node runs. */
async function startCluster(applied: ApplyMsg[][]): Promise<void> {
  const addresses = ['127.0.0.1:0', '127.0.0.1:0', '127.0.0.1:0'];
  for (let me = 0; me < 3; me++) transports.push(new TcpTransport({ me, addresses, secret: SECRET }));
  const bound = await Promise.all(transports.map((t, me) => t.listen({ onReceive: (message) => nodes[me]?.onReceive(message) })));
  for (const t of transports) bound.forEach((address, id) => { if (id !== t.me) t.setAddress(id, address); });
  transports.forEach((t, me) => {
    nodes.push(make(t, me, new MemoryPersister(), (msg) => { applied[me]!.push(msg); }, { clock: realClock, random: seededRandom(1000 + me) }));
  });
}

/** The leader, once exactly one server in the highest term that has a leader believes it leads; never two leaders in one term. */
function oneLeader(): RaftNode | null {
  const byTerm = new Map<number, RaftNode[]>();
  for (const node of nodes) {
    const { term, isLeader } = node.getState();
    if (isLeader) byTerm.set(term, [...(byTerm.get(term) ?? []), node]);
  }
  for (const [term, leaders] of byTerm) expect(leaders, `leaders of term ${term}`).toHaveLength(1);
  const latest = Math.max(...byTerm.keys());
  return byTerm.get(latest)?.[0] ?? null;
}

describe('a Raft cluster over TCP', () => {
  test('three nodes elect exactly one leader and commit a command submitted with start()', async () => {
    const applied: ApplyMsg[][] = [[], [], []];
    await startCluster(applied);
    const command = { op: 'set', key: 'x', value: 42 };
    let index = -1;
    await waitFor('a leader to accept the command', () => {
      const leader = oneLeader();
      if (leader === null) return false;
      const answer = leader.start(command);
      index = answer.index;
      return answer.isLeader;
    }, 10_000);
    expect(index).toBe(1);
    await waitFor('every node to apply it', () => applied.every((a) => a.length >= 1), 10_000);
    for (const a of applied) expect(a).toEqual([{ commandValid: true, command, commandIndex: 1 }]);
    for (const node of nodes) expect(node.raftState.log).toEqual([{ term: expect.any(Number), command }]);
    expect(oneLeader()).not.toBeNull();
    for (const t of transports) expect(t.counters).toMatchObject({ malformed: 0, oversized: 0, authFailures: 0 });
  });
});
