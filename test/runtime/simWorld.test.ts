/**
 * Scenarios in the simulated world (src/runtime/sim/world.ts): real RaftNodes on the virtual
 * clock, the world's one random source and its network, where a partition may cut one
 * direction of a link only.
 */
import { describe, expect, test } from 'vitest';
import { make, MemoryPersister, simWorld, type RaftNode, type SimWorld } from '../../src/runtime/index.js';

function cluster(world: SimWorld, n: number): { nodes: RaftNode[]; net: ReturnType<SimWorld['network']> } {
  const net = world.network(n);
  const nodes: RaftNode[] = [];
  for (let i = 0; i < n; i++) {
    let node: RaftNode | null = null;
    const transport = net.attach(i, { onReceive: (m) => node?.onReceive(m) });
    node = make(transport, i, new MemoryPersister(), () => undefined, { clock: world.clock, random: world.random });
    nodes.push(node);
  }
  return { nodes, net };
}

const leaders = (nodes: readonly RaftNode[]): number[] => nodes.flatMap((n, i) => (n.getState().isLeader ? [i] : []));

async function run(seed: number, body: (world: SimWorld, nodes: RaftNode[], net: ReturnType<SimWorld['network']>) => Promise<void>): Promise<string> {
  const world = simWorld(seed);
  const { nodes, net } = cluster(world, 3);
  try {
    await body(world, nodes, net);
    expect(world.clock.failure).toBeUndefined();
    return world.fingerprint();
  } finally {
    for (const n of nodes) n.kill();
    net.cleanup();
    world.stop();
  }
}

describe('the simulated world', () => {
  test('a leader cut off one way (it hears, it cannot speak) is replaced, and steps down on hearing the new term', async () => {
    await run(11, async (world, nodes, net) => {
      await world.clock.sleep(3000);
      const before = leaders(nodes);
      expect(before).toHaveLength(1);
      const old = before[0];
      const oldTerm = nodes[old!]!.getState().term;
      for (let peer = 0; peer < 3; peer++) if (peer !== old) net.setLink(old!, peer, false); // outgoing only
      await world.clock.sleep(5000);
      const now = leaders(nodes);
      expect(now).toHaveLength(1);
      expect(now[0]).not.toBe(old);
      const newTerm = nodes[now[0]!]!.getState().term;
      expect(newTerm).toBeGreaterThan(oldTerm);
      // The new leader's messages reach the old one, which follows it: a one-way cut, not an isolation.
      expect(nodes[old!]!.getState()).toEqual({ term: newTerm, isLeader: false });
      expect(nodes[old!]!.raftState.role).toBe('follower');
    });
  });

  test('the same seed gives the same run, to the timer', async () => {
    // What each server ended with as well as the clock's count, so that two runs that only fired
    // as many events do not pass for one.
    const once = async (seed: number): Promise<string> => {
      let servers = '';
      const fingerprint = await run(seed, async (world, nodes) => {
        await world.clock.sleep(2000);
        for (const n of nodes) n.start('x');
        await world.clock.sleep(1000);
        servers = JSON.stringify(nodes.map((n) => [n.raftState.currentTerm, n.raftState.role, n.raftState.votedFor, n.raftState.log, n.raftState.commitIndex]));
      });
      return `${fingerprint} ${servers}`;
    };
    const first = await once(5);
    expect(await once(5)).toBe(first);
    expect(await once(6)).not.toBe(first); // the comparison can tell runs apart
  });
});
