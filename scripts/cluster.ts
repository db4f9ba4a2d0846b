/**
 * `npm run cluster`: a live demo of three `pure-raft node` processes on loopback, with a tiny
 * replicated log application. It shows them electing, committing, losing the leader to SIGKILL,
 * electing again and committing, and the killed node restarting from disk and catching up.
 * Every node's own lines (one per role change) are shown, prefixed with its id.
 *
 *   npm run cluster [-- --nodes 3|5] [--rate N commands/s] [--keep]
 *
 * Exit: 0 when every node ends with the same applied log; 1 otherwise; 2 on bad flags.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ClusterClient } from '../src/server/clusterClient.js';
import { LocalCluster } from '../src/server/localCluster.js';

const USAGE = 'usage: npm run cluster -- [--nodes 3|5] [--rate N] [--keep]';

function options(): { nodes: number; rate: number; keep: boolean } {
  try {
    const { values } = parseArgs({
      options: { nodes: { type: 'string', default: '3' }, rate: { type: 'string', default: '20' }, keep: { type: 'boolean', default: false } },
      strict: true,
      allowPositionals: false,
    });
    const nodes = Number(values.nodes);
    const rate = Number(values.rate);
    if (!(nodes === 3 || nodes === 5)) throw new Error(`--nodes must be 3 or 5, got '${values.nodes}'`);
    if (!Number.isInteger(rate) || rate < 1 || rate > 1000) throw new Error(`--rate must be an integer in 1..1000, got '${values.rate}'`);
    return { nodes, rate, keep: values.keep };
  } catch (error) {
    process.stderr.write(`cluster: ${(error as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
}

const { nodes, rate, keep } = options();
const COLORS = ['\x1b[36m', '\x1b[33m', '\x1b[35m', '\x1b[32m', '\x1b[34m'];
const tty = process.stdout.isTTY;
const paint = (id: number, s: string) => (tty ? `${COLORS[id % COLORS.length]}${s}\x1b[0m` : s);
const say = (s: string) => process.stdout.write(`${tty ? '\x1b[1m' : ''}== ${s}${tty ? '\x1b[0m' : ''}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const dir = mkdtempSync(join(tmpdir(), 'pure-raft-cluster-'));
const cluster = await LocalCluster.create({
  size: nodes,
  dir,
  onLine: (id, line) => process.stdout.write(paint(id, `[node ${id}] ${line.replace(/^\S+Z /, '').replace(/^(pure-raft )?node \d+: /, '')}`) + '\n'),
});
const ids = Array.from({ length: nodes }, (_, i) => i);
const client = new ClusterClient(cluster.addresses, cluster.secret, { requestTimeoutMs: 1_000, clusterId: cluster.clusterId });
let failed = false;

async function leader(): Promise<number | null> {
  for (const id of ids) {
    if (!cluster.isRunning(id)) continue;
    const s = await client.status(id, 500).catch(() => null);
    if (s?.role === 'leader') return id;
  }
  return null;
}

let committed = 0;
let submitting = true;
async function submitter(): Promise<void> {
  for (let n = 1; submitting; n++) {
    const started = Date.now();
    const outcome = await client.submit(`set x=${n}`, 5_000);
    if (outcome.committed) committed++;
    await sleep(Math.max(0, 1000 / rate - (Date.now() - started)));
  }
}

try {
  say(`starting ${nodes} nodes in ${dir}: ${cluster.addresses.join(' ')}`);
  await Promise.all(ids.map((id) => cluster.start(id)));
  const app = submitter();
  await sleep(3_000);
  const first = await leader();
  say(`leader: node ${first}; ${committed} commands committed so far`);
  if (first === null) throw new Error('no leader after 3 s');

  say(`SIGKILL node ${first} (the leader)`);
  const before = committed;
  const killedAt = Date.now();
  await cluster.kill(first);
  client.drop(first);
  while (committed === before) {
    if (Date.now() - killedAt > 15_000) throw new Error('no commit within 15 s of losing the leader');
    await sleep(20);
  }
  say(`a new leader committed again ${Date.now() - killedAt} ms after the kill (node ${await leader()})`);
  await sleep(2_000);

  say(`restarting node ${first} from its data directory`);
  await cluster.start(first);
  await sleep(2_000);
  submitting = false;
  await app;

  const last = await client.submit('end of demo', 10_000);
  const until = Date.now() + 10_000;
  let statuses = await Promise.all(ids.map((id) => client.status(id)));
  while (statuses.some((s) => s.lastApplied < (last.index ?? 0)) && Date.now() < until) {
    await sleep(100);
    statuses = await Promise.all(ids.map((id) => client.status(id)));
  }
  const logs = await Promise.all(ids.map((id) => client.readAll(id)));
  const same = logs.every((l) => JSON.stringify(l) === JSON.stringify(logs[0]));
  for (const s of statuses) say(`node ${s.id}: ${s.role}, currentTerm ${s.currentTerm}, commitIndex ${s.commitIndex}, applied ${s.lastApplied}`);
  say(same ? `every node applied the same ${logs[0]!.length} commands; ${committed} acknowledged during the demo`
    : 'the nodes applied DIFFERENT logs');
  failed = !same;
} catch (error) {
  process.stderr.write(`cluster: ${(error as Error).message}\n`);
  failed = true;
} finally {
  client.close();
  await cluster.stopAll();
  if (!keep) rmSync(dir, { recursive: true, force: true });
  else say(`data kept in ${dir}`);
}
process.exit(failed ? 1 : 0);
