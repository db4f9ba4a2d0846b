/**
 * Membership change in real processes: a 3-node cluster (ids 0..5, --max-servers 6) has every
 * server replaced one by one under continuous client load, with the CLI a user types: add s3,
 * remove s0, add s4, remove s1, add s5, remove s2 (`pure-raft add-server`: a learner, caught up,
 * promoted; `pure-raft remove-server`). s3 and s4 start with the cluster's flags (--peers,
 * --max-servers, --address), s5 with --join through s3 and s4. The nodes snapshot every 100
 * entries, so a new server may be brought up by InstallSnapshot, and the address book by the
 * list's snapshot. At the end every acknowledged command is in the final committed list at the
 * position it was acknowledged at (so in order), nothing is applied twice, the new servers agree,
 * and the cluster committed after every step; then the whole new cluster (none of whose servers
 * is a founder) is restarted and commits again, from what its data directories hold. Printed per
 * run: commands acknowledged, each add's and remove's time, and the longest time without an
 * acknowledgement.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, test } from 'vitest';
import type { NodeStatus } from '../../src/server/clientApi.js';
import { ClusterClient } from '../../src/server/clusterClient.js';
import { LocalCluster } from '../../src/server/localCluster.js';
import { durabilityProblems } from './verdict.js';

const BIN = fileURLToPath(new URL('../../bin/pure-raft.mjs', import.meta.url));
const CLIENTS = 4;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Run { readonly status: number | null; readonly stdout: string; readonly stderr: string }
function cli(args: readonly string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ status: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'pure-raft-membership-'));
let cluster: LocalCluster | undefined;
afterAll(async () => {
  await cluster?.killAll();
  rmSync(dir, { recursive: true, force: true });
});

test('every server of a 3-node cluster replaced one by one under load: no acknowledged command lost, the cluster keeps committing', async () => {
  const lines: string[] = [];
  cluster = await LocalCluster.create({
    size: 3, maxServers: 6, dir: join(dir, 'c'), nodeFlags: ['--snapshot-entries', '100'], onLine: (id, line) => lines.push(`[${id}] ${line}`),
  });
  const c = cluster;
  await Promise.all([0, 1, 2].map((id) => c.start(id)));
  const flags = ['--peers', c.addresses.join(','), '--secret-file', c.secretFile, '--cluster-id', c.clusterId, '--json'];
  const client = new ClusterClient(c.addresses, c.secret, { requestTimeoutMs: 1_000, clusterId: c.clusterId });

  // acked: command -> its acknowledged place in the list; ackTimes: when each acknowledgement came
  const acked = new Map<string, number>();
  const ackTimes: number[] = [];
  let notAcked = 0;
  let running = true;
  const loadStart = Date.now();
  const workers = Array.from({ length: CLIENTS }, async (_, w) => {
    for (let n = 0; running; n++) {
      const command = `w${w}-${n}`;
      const outcome = await client.submit(command, 3_000);
      if (outcome.committed) {
        acked.set(command, outcome.position!);
        ackTimes.push(Date.now());
      } else {
        notAcked++;
      }
    }
  });
  const ackedBy = (t: number) => ackTimes.filter((a) => a > t).length;
  await sleep(1_500);
  expect(acked.size, lines.join('\n')).toBeGreaterThan(0);

  const figures: string[] = [];
  const steps: { readonly add: number; readonly remove: number }[] = [{ add: 3, remove: 0 }, { add: 4, remove: 1 }, { add: 5, remove: 2 }];
  const stoppedByItself: number[] = [];
  for (const { add, remove } of steps) {
    await c.start(add, add === 5 ? { args: c.joinArgs(5, [3, 4]) } : {});
    const addStart = Date.now();
    const added = await cli(['add-server', '--id', String(add), '--address', c.addresses[add]!, ...flags]);
    const addMs = Date.now() - addStart;
    expect(added.status, `${added.stdout}${added.stderr}\n${lines.join('\n')}`).toBe(0);
    const phases = added.stdout.trim().split('\n').map((l) => JSON.parse(l) as { result: string; ms: number; configuration?: { voters: number[] } });
    expect(phases.map((p) => p.result)).toEqual(['learner', 'caught-up', 'voter']);
    expect(phases[2]!.configuration!.voters).toContain(add);

    const removeStart = Date.now();
    const removed = await cli(['remove-server', '--id', String(remove), ...flags]);
    const removeMs = Date.now() - removeStart;
    expect(removed.status, `${removed.stdout}${removed.stderr}\n${lines.join('\n')}`).toBe(0);
    expect((JSON.parse(removed.stdout.trim()) as { configuration: { voters: number[] } }).configuration.voters).not.toContain(remove);
    // A removed server that learns of its removal's commit stops by itself; one that never got the entry is stopped here.
    for (let waited = 0; c.isRunning(remove) && waited < 1_500; waited += 50) await sleep(50);
    if (c.isRunning(remove)) await c.stop(remove);
    else {
      stoppedByItself.push(remove); // and said why
      expect(lines.some((l) => l.startsWith(`[${remove}]`) && /removed from the cluster by the configuration committed at index \d+ \(voters \[.*\]\); stopping$/.test(l)), lines.join('\n')).toBe(true);
    }
    client.drop(remove);
    const before = Date.now();
    const committedAfter = async () => ackedBy(before) > 0;
    for (let waited = 0; !(await committedAfter()) && waited < 10_000; waited += 100) await sleep(100);
    expect(ackedBy(before), `no command acknowledged after removing ${remove}\n${lines.join('\n')}`).toBeGreaterThan(0);
    figures.push(`add s${add} ${addMs} ms (learner ${phases[0]!.ms} ms, caught up ${phases[1]!.ms} ms, voter ${phases[2]!.ms} ms as the CLI measured), remove s${remove} ${removeMs} ms (CLI ${(JSON.parse(removed.stdout.trim()) as { ms: number }).ms} ms)`);
  }
  await sleep(1_000);
  running = false;
  await Promise.all(workers);
  const loadEnd = Date.now();

  // The new servers hold the same list: every acknowledged command at its place, none twice.
  const status = (id: number) => client.status(id, 2_000) as Promise<NodeStatus>;
  const until = Date.now() + 10_000;
  let statuses = await Promise.all([3, 4, 5].map(status));
  const top = () => Math.max(...statuses.map((s) => s.commitIndex));
  while (statuses.some((s) => s.lastApplied < top()) && Date.now() < until) {
    await sleep(100);
    statuses = await Promise.all([3, 4, 5].map(status));
  }
  expect(statuses.map((s) => s.configuration)).toEqual([3, 4, 5].map(() => ({ voters: [3, 4, 5], learners: [] })));
  const finals = await Promise.all([3, 4, 5].map((id) => client.readAll(id)));
  expect(finals[1]).toEqual(finals[0]);
  expect(finals[2]).toEqual(finals[0]);
  // The durability test's verdict (shown to fail in test/server/durabilityVerdict.test.ts and by its forgetful node).
  expect(durabilityProblems({ finals, upTo: Math.max(...acked.values()), acked, snapshots: [] })).toEqual([]);

  // The whole new cluster restarted: addresses from its logs and snapshots, s5's definition from its CLUSTER record.
  await Promise.all([3, 4, 5].map((id) => c.stop(id)));
  for (const id of [3, 4, 5]) client.drop(id);
  const restartAt = Date.now();
  await Promise.all([3, 4, 5].map((id) => c.start(id, id === 5 ? { args: c.joinArgs(5, [3, 4]) } : {})));
  const after = await client.submit('after the restart', 20_000);
  expect(after.committed, lines.slice(-40).join('\n')).toBe(true);
  const restartMs = Date.now() - restartAt;
  client.close();

  // What cannot be done is one line and exit 1; what is done already is exit 0.
  const outside = await cli(['add-server', '--id', '6', '--address', '127.0.0.1:1', ...flags]);
  expect([outside.status, outside.stderr]).toEqual([1, 'pure-raft add-server: server 6 is outside the cluster\'s ids (the nodes\' --max-servers)\n']);
  const again = await cli(['remove-server', '--id', '0', ...flags]);
  expect(again.status, again.stderr).toBe(0);
  expect(JSON.parse(again.stdout.trim())).toMatchObject({ result: 'removed', already: true });

  const times = [loadStart, ...ackTimes.slice().sort((a, b) => a - b), loadEnd];
  const longestGap = Math.max(...times.slice(1).map((t, i) => t - times[i]!));
  process.stdout.write(`membership: ${acked.size} commands acknowledged (${notAcked} not) over ${((loadEnd - loadStart) / 1000).toFixed(1)} s; `
    + `longest gap without an acknowledgement ${longestGap} ms; removed servers that stopped by themselves: [${stoppedByItself.join(',')}]\n`
    + figures.map((f) => `  ${f}\n`).join('') + `  the new cluster restarted whole committed again ${restartMs} ms after the restart began\n`);
}, 120_000);
