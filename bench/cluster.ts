/**
 * Commit throughput and latency of a real 3-process cluster on loopback, fsync on (the
 * DiskPersister always fsyncs before anything that depends on a save leaves the node).
 * A script, not a test: no assertion on time.
 *
 *   npm run bench:cluster
 *   npx tsx bench/cluster.ts [--runs 3] [--seconds 8] [--concurrency 1,64] [--coalesce on,off]
 *
 * Each run starts a fresh cluster (empty data directories), waits for a leader, warms up for a
 * second, then keeps `concurrency` client requests in flight for `seconds` and counts the
 * acknowledged commits (a submit is acknowledged once its entry is committed and applied on
 * the leader). Latency is measured per acknowledged submit, from send to acknowledgement.
 * `--coalesce on`: the client sends the submits of one event-loop turn as one `submit-many`
 * request (each still acknowledged on its own); `off`: one request and one reply frame per
 * command. The node batches either way (one log entry per turn's submits, group commit).
 * Runs of the concurrency levels are interleaved so they see the same machine load; the
 * figures are medians over runs. The client runs in this process, on the same two cores as
 * the three nodes: read the figures with that in mind.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ClusterClient } from '../src/server/clusterClient.js';
import { LocalCluster } from '../src/server/localCluster.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '8' },
    concurrency: { type: 'string', default: '1,64' },
    coalesce: { type: 'string', default: 'on,off' },
  },
});
const runs = Number(values.runs);
const seconds = Number(values.seconds);
const levels = values.concurrency.split(',').map(Number);
const modes = values.coalesce.split(',');
if (!(runs >= 1) || !(seconds > 0) || levels.some((c) => !Number.isInteger(c) || c < 1) || modes.some((m) => m !== 'on' && m !== 'off')) {
  process.stderr.write('bench/cluster: --runs, --seconds and --concurrency must be positive (integers for runs and concurrency); --coalesce on, off or on,off\n');
  process.exit(2);
}

interface Figures {
  readonly commitsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly failed: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const quantile = (sorted: readonly number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

async function measure(concurrency: number, coalesce: boolean): Promise<Figures> {
  const dir = mkdtempSync(join(tmpdir(), 'pure-raft-bench-'));
  const cluster = await LocalCluster.create({ size: 3, dir });
  const client = new ClusterClient(cluster.addresses, cluster.secret, { requestTimeoutMs: 5_000, coalesce, clusterId: cluster.clusterId });
  try {
    await Promise.all([0, 1, 2].map((id) => cluster.start(id)));
    const first = await client.submit('warm-up', 15_000);
    if (!first.committed) throw new Error('no leader within 15 s');
    let phase: 'warm' | 'measure' | 'done' = 'warm';
    const latencies: number[] = [];
    let failed = 0;
    const worker = async (w: number) => {
      for (let n = 0; phase !== 'done'; n++) {
        const started = performance.now();
        const outcome = await client.submit(`w${w}-${n}`, 5_000);
        if (phase !== 'measure') continue;
        if (outcome.committed) latencies.push(performance.now() - started);
        else failed++;
      }
    };
    const workers = Array.from({ length: concurrency }, (_, w) => worker(w));
    await sleep(1_000);
    phase = 'measure';
    const t0 = performance.now();
    await sleep(seconds * 1000);
    const elapsed = (performance.now() - t0) / 1000;
    const count = latencies.length;
    phase = 'done';
    await Promise.all(workers);
    latencies.sort((a, b) => a - b);
    return { commitsPerSecond: count / elapsed, p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), failed };
  } finally {
    client.close();
    await cluster.stopAll();
    rmSync(dir, { recursive: true, force: true });
  }
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
console.log(`3 node processes on loopback, fsync on; ${runs} runs x ${seconds} s per concurrency level, interleaved; load before ${loadavg()[0]!.toFixed(2)}`);
const configs = levels.flatMap((c) => modes.map((m) => ({ concurrency: c, coalesce: m === 'on', name: `${c} ${m}` })));
const results = new Map<string, Figures[]>(configs.map((k) => [k.name, []]));
for (let r = 0; r < runs; r++) {
  for (const k of configs) {
    const f = await measure(k.concurrency, k.coalesce);
    results.get(k.name)!.push(f);
    process.stderr.write(`  run ${r + 1}, concurrency ${k.concurrency}, coalesce ${k.coalesce ? 'on' : 'off'}: ${fmt(f.commitsPerSecond)} commits/s, p50 ${fmt(f.p50, 2)} ms, p99 ${fmt(f.p99, 2)} ms\n`);
  }
}
console.log('\n| concurrent requests | client coalescing | commits/s (median) | p50 latency ms | p99 latency ms | unacknowledged |');
console.log('|---|---|---|---|---|---|');
for (const k of configs) {
  const fs = results.get(k.name)!;
  console.log(`| ${k.concurrency} | ${k.coalesce ? 'on' : 'off'} | ${fmt(median(fs.map((f) => f.commitsPerSecond)))} | ${fmt(median(fs.map((f) => f.p50)), 2)} | ${fmt(median(fs.map((f) => f.p99)), 2)} | ${fmt(median(fs.map((f) => f.failed)))} |`);
}
console.log(`load after ${loadavg()[0]!.toFixed(2)}`);
