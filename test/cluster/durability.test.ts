/**
 * Durability under kill -9: three real `pure-raft node` processes on loopback, clients
 * submitting commands, repeated SIGKILL of random nodes (the leader half the time) and restarts
 * from disk. At the end, every command the cluster acknowledged is applied on every node at the
 * index it was acknowledged at, all nodes applied the same sequence, and nothing any node
 * applied along the way differs from it. The nodes snapshot every DURABILITY_SNAPSHOT_ENTRIES
 * entries (default 100), so kills land before, during and after snapshots, and restarted nodes
 * come back from them and catch up through InstallSnapshot.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { freshSeed, seededRandom } from '../../src/runtime/index.js';
import { ClusterClient, type SubmitOutcome } from '../../src/server/clusterClient.js';
import { LocalCluster } from '../../src/server/localCluster.js';
import { durabilityProblems } from './verdict.js';

const SEED = Number(process.env['DURABILITY_SEED'] ?? freshSeed());
const CHAOS_MS = Number(process.env['DURABILITY_MS'] ?? 20_000);
const CLIENTS = 4;
const SNAPSHOT_ENTRIES = Number(process.env['DURABILITY_SNAPSHOT_ENTRIES'] ?? 100);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('durability under SIGKILL (real processes, real disk, real sockets)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pure-raft-durability-'));
  let cluster: LocalCluster | undefined;
  const output: string[] = [];
  afterAll(async () => {
    await cluster?.killAll();
    rmSync(dir, { recursive: true, force: true });
  });

  test(`no acknowledged command is lost or reordered (seed ${SEED}, a snapshot every ${SNAPSHOT_ENTRIES} entries)`, async () => {
    const random = seededRandom(SEED);
    cluster = await LocalCluster.create({
      size: 3, dir, onLine: (id, line) => output.push(`[${id}] ${line}`), nodeFlags: ['--snapshot-entries', String(SNAPSHOT_ENTRIES)],
    });
    const c = cluster;
    await Promise.all([0, 1, 2].map((id) => c.start(id)));
    const client = new ClusterClient(c.addresses, c.secret, 1_000);

    // acked[command] = its place in the replicated list of commands, as acknowledged
    const acked = new Map<string, number>();
    let unknown = 0;
    let running = true;
    const workers = Array.from({ length: CLIENTS }, async (_, w) => {
      for (let n = 0; running; n++) {
        const command = `w${w}-${n}`;
        const outcome = await client.submit(command, 3_000);
        if (outcome.committed) acked.set(command, outcome.position!);
        else unknown++;
      }
    });

    // snapshots[id] = applied sequences read while the chaos ran
    const snapshots: unknown[][][] = [[], [], []];
    let kills = 0;
    let leaderKills = 0;
    const chaosEnd = Date.now() + CHAOS_MS;
    while (Date.now() < chaosEnd) {
      await sleep(700 + random.int(1200));
      const leader = await findLeader(client, c);
      const victim = leader !== null && random.next() < 0.5 ? leader : random.int(3);
      if (victim === leader) leaderKills++;
      for (let id = 0; id < 3; id++) {
        if (id !== victim && c.isRunning(id)) snapshots[id]!.push(await client.readAll(id).catch(() => []));
      }
      await c.kill(victim);
      client.drop(victim);
      kills++;
      await sleep(200 + random.int(800));
      await c.start(victim);
    }
    running = false;
    await Promise.all(workers);

    const { last, finals } = await quiesce(client);

    expect(finals[0]![last.position! - 1]).toBe('final');
    expect(durabilityProblems({ finals, upTo: last.position!, acked, snapshots })).toEqual([]);
    const restarts = output.filter((l) => /starting at .*currentTerm/.test(l)).length;
    const fromSnapshot = output.filter((l) => /starting at .*a snapshot through index/.test(l)).length;
    console.log(`durability seed ${SEED}: ${kills} SIGKILLs (${leaderKills} of the leader), ${restarts} restarts from disk (${fromSnapshot} from a snapshot), ` +
      `${acked.size} commands acknowledged, ${unknown} unknown, ${last.position} applied on every node`);
    expect(kills).toBeGreaterThan(3);
    expect(acked.size).toBeGreaterThan(100);
  });
});

async function findLeader(client: ClusterClient, cluster: LocalCluster): Promise<number | null> {
  let best: { id: number; term: number } | null = null;
  for (let id = 0; id < 3; id++) {
    if (!cluster.isRunning(id)) continue;
    const s = await client.status(id, 500).catch(() => null);
    if (s?.role === 'leader' && (!best || s.currentTerm > best.term)) best = { id, term: s.currentTerm };
  }
  return best?.id ?? null;
}

/**
 * One last command through a leader, then every node's applied commands once all three have
 * applied it. Closes the client.
 */
async function quiesce(client: ClusterClient): Promise<{ last: SubmitOutcome; finals: unknown[][] }> {
  const last = await client.submit('final', 30_000);
  expect(last.committed, 'a leader commits the final command').toBe(true);
  await waitFor(async () => {
    const statuses = await Promise.all([0, 1, 2].map((id) => client.status(id).catch(() => null)));
    return statuses.every((s) => s !== null && s.lastApplied >= last.index!);
  }, 30_000);
  const finals = await Promise.all([0, 1, 2].map((id) => client.readAll(id)));
  client.close();
  return { last, finals };
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error(`not reached within ${timeoutMs} ms`);
    await sleep(100);
  }
}

describe('the durability test can fail', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pure-raft-forgetful-'));
  let cluster: LocalCluster | undefined;
  afterAll(async () => {
    await cluster?.killAll();
    rmSync(dir, { recursive: true, force: true });
  });

  test('nodes that forget their state on restart (fixtures/forgetful-node.ts) lose acknowledged commands', async () => {
    const fault = { entry: fileURLToPath(new URL('./fixtures/forgetful-node.ts', import.meta.url)) };
    cluster = await LocalCluster.create({ size: 3, dir });
    const c = cluster;
    await Promise.all([0, 1, 2].map((id) => c.start(id, fault)));
    const client = new ClusterClient(c.addresses, c.secret, 1_000);
    const acked = new Map<string, number>();
    for (let n = 0; n < 20; n++) {
      const outcome = await client.submit(`c${n}`, 5_000);
      if (outcome.committed) acked.set(`c${n}`, outcome.position!);
    }
    expect(acked.size).toBe(20);
    await c.killAll();
    for (let id = 0; id < 3; id++) client.drop(id);
    await Promise.all([0, 1, 2].map((id) => c.start(id, fault)));
    const { last, finals } = await quiesce(client);
    const problems = durabilityProblems({ finals, upTo: last.position!, acked, snapshots: [] });
    expect(problems).toContain(`acknowledged c0 at position 1, but position 1 holds "final"`);
  });
});
