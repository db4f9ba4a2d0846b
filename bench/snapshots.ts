/**
 * What snapshots buy the node process: disk bytes, memory and restart time after appending
 * 1M commands, with and without snapshots. A script, not a test: no assertion on time.
 *
 *   npm run bench:snapshots
 *   npx tsx bench/snapshots.ts [--commands 1000000] [--per-entry 100] [--policies off,1000:0,10000:16777216]
 *
 * What runs: the node process's own code path in one process, without the network: a one-server
 * RaftNode (the core's step, the ReadyQueue, group commit) on a DiskPersister in a fresh
 * directory on the real disk (fsync on), with the ReplicatedLog the process runs as its
 * service, snapshotting by the same policy as `--snapshot-entries N --snapshot-bytes B`
 * (`N:B`; `off` is 0:0). One server, so what is measured is the disk and the snapshot path, not
 * replication or loopback TCP (bench/cluster.ts measures that); one process per policy, so each
 * RSS figure is that policy's alone.
 *
 * Each policy's child process appends `commands` commands, `per-entry` per log entry (the
 * submits of one event-loop turn share an entry, as a client's burst does), waits until all are
 * applied, and reports the data directory's bytes and its RSS. Then it closes everything and
 * restarts from the directory as the process would: DiskPersister.open, a new RaftNode (which
 * delivers the snapshot to the service first), the election (timeouts of 5-10 ms here, so they
 * barely count), and the re-application of the log after the snapshot, until one new command is
 * acknowledged (Raft commits the old entries only with one of the new term's) with the whole
 * list behind it; it reports that time, split into open + restore and the rest.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DiskPersister, make, realClock, seededRandom, type RaftNode } from '../src/runtime/index.js';
import { ReplicatedLog, termOfEntry, type SnapshotPolicy } from '../src/server/replicatedLog.js';

const { values } = parseArgs({
  options: {
    commands: { type: 'string', default: '1000000' },
    'per-entry': { type: 'string', default: '100' },
    policies: { type: 'string', default: 'off,1000:0,10000:16777216' },
    child: { type: 'string' },
  },
});
const commands = Number(values.commands);
const perEntry = Number(values['per-entry']);
const policies = values.policies.split(',');
const parsePolicy = (p: string): SnapshotPolicy | null => {
  if (p === 'off') return { entries: 0, bytes: 0 };
  const m = /^(\d+):(\d+)$/.exec(p);
  return m ? { entries: Number(m[1]), bytes: Number(m[2]) } : null;
};
if (!Number.isSafeInteger(commands) || commands < 1 || !Number.isSafeInteger(perEntry) || perEntry < 1 || policies.some((p) => parsePolicy(p) === null)) {
  process.stderr.write('bench/snapshots: --commands and --per-entry must be positive integers; --policies a list of off or ENTRIES:BYTES\n');
  process.exit(2);
}

interface Figures {
  readonly policy: string;
  readonly appendSeconds: number;
  readonly snapshots: number;
  readonly logBytes: number;
  readonly snapshotBytes: number;
  readonly dirBytes: number;
  readonly rssAfterAppendMiB: number;
  readonly openRestoreMs: number;
  readonly catchUpMs: number;
  readonly restartMs: number;
  readonly rssAfterRestartMiB: number;
  readonly entriesReapplied: number;
}

const TIMING = { electionTimeoutMinMs: 5, electionTimeoutMaxMs: 10, heartbeatIntervalMs: 2 };
const mib = (bytes: number): number => Math.round(bytes / (1024 * 1024) * 10) / 10;

function dirBytes(dir: string): number {
  return readdirSync(dir).reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
}

/** A one-server node on the directory with the replicated list on it, as main.ts wires them. */
function startNode(disk: DiskPersister, policy: SnapshotPolicy, seed: number): { node: RaftNode; app: ReplicatedLog; applies: { count: number } } {
  // eslint-disable-next-line prefer-const -- the app and the node refer to each other
  let node: RaftNode;
  const applies = { count: 0 };
  const app = new ReplicatedLog((command) => node.start(command), (index) => termOfEntry(node.raftState, index), undefined, {
    policy, snapshot: (index, snapshot) => node.snapshot(index, snapshot),
  });
  node = make({ clusterSize: 1, send: () => undefined }, 0, disk, (msg) => { applies.count++; app.apply(msg); }, {
    clock: realClock, random: seededRandom(seed), timing: TIMING,
  });
  return { node, app, applies };
}

async function until(done: () => boolean, node: RaftNode): Promise<void> {
  while (!done()) {
    if (node.failure !== undefined) throw node.failure;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

async function child(name: string): Promise<Figures> {
  const policy = parsePolicy(name)!;
  const dir = mkdtempSync(join(tmpdir(), 'pure-raft-bench-snapshots-'));
  try {
    const disk = await DiskPersister.open(dir);
    const first = startNode(disk, policy, 1);
    await until(() => first.node.getState().isLeader, first.node);
    const started = performance.now();
    let submitted = 0;
    const inFlight: Promise<unknown>[] = [];
    while (submitted < commands) {
      // One entry's worth of submits in this turn; then let the event loop run (group commit).
      for (let k = 0; k < perEntry && submitted < commands; k++) inFlight.push(first.app.submit(`command ${++submitted}`));
      if (inFlight.length >= perEntry * 64) {
        const replies = await Promise.all(inFlight.splice(0));
        if (replies.some((r) => !(r as { ok: boolean }).ok)) throw new Error('a submit was not acknowledged');
      } else {
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    await Promise.all(inFlight);
    await until(() => first.app.length === commands, first.node);
    const appendSeconds = (performance.now() - started) / 1000;
    const lastIndex = first.app.lastApplied;
    const rssAfterAppendMiB = mib(process.memoryUsage().rss);
    const snapshots = first.app.snapshotsTaken;
    first.node.kill();
    await disk.close();
    const logBytes = statSync(join(dir, 'raft.log')).size;
    const snapshotBytes = statSync(join(dir, 'raft.snapshot'), { throwIfNoEntry: false })?.size ?? 0;
    const bytes = dirBytes(dir);

    const restart = performance.now();
    const again = await DiskPersister.open(dir);
    const second = startNode(again, policy, 2);
    const openRestoreMs = performance.now() - restart;
    // Raft commits the old entries only with one of the new term's: the first new command's
    // acknowledgement is the moment the restarted server serves again, its list whole.
    await until(() => second.node.getState().isLeader, second.node);
    const probe = await second.app.submit('after restart');
    const restartMs = performance.now() - restart;
    if (!probe.ok || second.app.length !== commands + 1 || second.app.lastApplied <= lastIndex) throw new Error(`restart: ${JSON.stringify(probe)}, ${second.app.length} commands`);
    const rssAfterRestartMiB = mib(process.memoryUsage().rss);
    const entriesReapplied = second.applies.count;
    second.node.kill();
    await again.close();
    return {
      policy: name, appendSeconds: Math.round(appendSeconds * 10) / 10, snapshots, logBytes, snapshotBytes, dirBytes: bytes, rssAfterAppendMiB,
      openRestoreMs: Math.round(openRestoreMs), catchUpMs: Math.round(restartMs - openRestoreMs), restartMs: Math.round(restartMs),
      rssAfterRestartMiB, entriesReapplied,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (values.child !== undefined) {
  const figures = await child(values.child);
  process.stdout.write(`${JSON.stringify(figures)}\n`);
  process.exit(0);
}

const self = fileURLToPath(import.meta.url);
process.stdout.write(`bench/snapshots: ${commands} commands, ${perEntry} per entry, policies ${policies.join(' ')} (ENTRIES:BYTES as --snapshot-entries:--snapshot-bytes)\n`);
const rows: Figures[] = [];
for (const policy of policies) {
  const run = spawnSync(process.execPath, [...process.execArgv, self, '--commands', String(commands), '--per-entry', String(perEntry), '--child', policy], {
    encoding: 'utf8', maxBuffer: 1 << 24,
  });
  if (run.status !== 0) {
    process.stderr.write(`bench/snapshots: policy ${policy} failed (exit ${run.status}): ${run.stderr.trim().split('\n').slice(-3).join(' | ')}\n`);
    process.exit(1);
  }
  rows.push(JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Figures);
}
const header = ['policy', 'append s', 'snapshots', 'raft.log B', 'raft.snapshot B', 'dir B', 'RSS MiB', 'restart ms (open+restore / catch-up)', 'applies at restart', 'RSS after restart MiB'];
process.stdout.write(`| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|\n`);
for (const r of rows) {
  process.stdout.write(`| ${[r.policy, r.appendSeconds, r.snapshots, r.logBytes, r.snapshotBytes, r.dirBytes, r.rssAfterAppendMiB,
    `${r.restartMs} (${r.openRestoreMs} / ${r.catchUpMs})`, r.entriesReapplied, r.rssAfterRestartMiB].join(' | ')} |\n`);
}
