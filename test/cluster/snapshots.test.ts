/**
 * Snapshots in real `pure-raft node` processes: the replicated list snapshots itself every 20
 * entries (--snapshot-entries 20), so the log on disk keeps only the suffix; a server stopped
 * while the others move on restarts from its own snapshot and catches up through the leader's
 * InstallSnapshot, ending with the same list as the others.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import type { NodeStatus } from '../../src/server/clientApi.js';
import { ClusterClient } from '../../src/server/clusterClient.js';
import { LocalCluster } from '../../src/server/localCluster.js';

const dir = mkdtempSync(join(tmpdir(), 'pure-raft-snapshots-'));
let cluster: LocalCluster | undefined;
afterAll(async () => {
  await cluster?.killAll();
  rmSync(dir, { recursive: true, force: true });
});

async function waitFor(what: string, check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('a node restarts from its snapshot and catches up from the leader\'s snapshot; the logs on disk keep only the suffix', async () => {
  const lines: string[] = [];
  cluster = await LocalCluster.create({ size: 3, dir: join(dir, 'c'), nodeFlags: ['--snapshot-entries', '20'], onLine: (id, line) => lines.push(`[${id}] ${line}`) });
  const c = cluster;
  await Promise.all([0, 1, 2].map((id) => c.start(id)));
  const client = new ClusterClient(c.addresses, c.secret, { coalesce: false });
  // A submit can be lost in an election (at the start, or after a stop): its fate is then
  // unknown, so the check is on what was acknowledged, in order, and on the nodes agreeing.
  const acked: string[] = [];
  const submit = async (command: string) => { if ((await client.submit(command, 10_000)).committed) acked.push(command); };
  for (let i = 1; i <= 50; i++) await submit(`before ${i}`); // one entry each: two snapshots or more on every server
  const status = (id: number) => client.status(id, 2_000) as Promise<NodeStatus>;
  await waitFor('node 2 to snapshot', async () => (await status(2)).lastIncludedIndex >= 40);

  // Node 2 stops with a snapshot; the others move well past it (and snapshot past it).
  client.drop(2);
  await c.stop(2);
  expect(existsSync(join(c.dataDir(2), 'raft.snapshot'))).toBe(true);
  for (let i = 1; i <= 60; i++) await submit(`while 2 was down ${i}`);

  lines.length = 0;
  await c.start(2);
  const start = lines.find((l) => l.startsWith('[2]') && l.includes('starting at'));
  expect(Number(/a snapshot through index (\d+)/.exec(start ?? '')?.[1]), lines.join('\n')).toBeGreaterThanOrEqual(40);
  await submit('after the restart');
  expect(acked.length).toBeGreaterThan(100);
  const leader = await Promise.all([0, 1].map(status)).then((s) => s.find((x) => x.role === 'leader') ?? s[0]!);
  await waitFor('node 2 to catch up', async () => (await status(2)).lastApplied >= leader.commitIndex);
  const two = await status(2);
  expect(two.lastIncludedIndex).toBeGreaterThan(60); // it holds a snapshot it did not take before it stopped
  const list = await client.readAll(2);
  expect(await client.readAll(0)).toEqual(list);
  expect(list.filter((command) => acked.includes(command as string))).toEqual(acked); // every acknowledged one, in order
  // the logs keep only what follows each snapshot: a few entries, never the whole history
  for (const id of [0, 1, 2]) {
    const s = await status(id);
    expect(s.logLength - s.lastIncludedIndex).toBeLessThanOrEqual(25);
    expect(statSync(join(c.dataDir(id), 'raft.log')).size).toBeLessThan(4096);
  }
  client.close();
}, 120_000);
