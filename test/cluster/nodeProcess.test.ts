/**
 * The `pure-raft node` process's user interface: bad flags, a damaged data directory, a wrong
 * secret. Each gets one clear line and a non-zero exit (or a refused connection), never a stack.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { ClusterClient } from '../../src/server/clusterClient.js';
import { LocalCluster } from '../../src/server/localCluster.js';

const BIN = fileURLToPath(new URL('../../bin/pure-raft.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'pure-raft-node-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function expectOneCleanLine(stderr: string, pattern: RegExp): void {
  const lines = stderr.trim().split('\n');
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe('pure-raft node: bad flags exit 2 with one line', () => {
  const secretFile = join(dir, 'secret');
  writeFileSync(secretFile, 'a-cluster-secret-of-enough-bytes\n');
  const peers = '127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003';
  test.each([
    [['node'], /--id is required/],
    [['node', '--id', 'x', '--peers', peers, '--data-dir', dir], /--id must be a non-negative integer/],
    [['node', '--id', '3', '--peers', peers, '--data-dir', dir, '--secret-file', secretFile], /not an index into --peers/],
    [['node', '--id', '0', '--peers', '127.0.0.1', '--data-dir', dir], /bad address '127.0.0.1'/],
    [['node', '--id', '0', '--peers', '127.0.0.1:70000', '--data-dir', dir], /port must be 1..65535/],
    [['node', '--id', '0', '--peers', peers, '--data-dir', dir, '--bogus'], /unknown flag '--bogus'/],
    [['node', '--id', '0', '--peers', peers, '--data-dir', dir, '--secret-file', join(dir, 'nope')], /cannot read --secret-file/],
    [['node', '--id', '0', '--peers', peers, '--data-dir'], /--data-dir needs a value/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ])('%j', (args, pattern) => {
    const r = run(args as string[], { PURE_RAFT_SECRET: '' });
    expect(r.status).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(pattern);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  test('a short secret is refused', () => {
    writeFileSync(join(dir, 'short'), 'tiny\n');
    const r = run(['node', '--id', '0', '--peers', peers, '--data-dir', dir, '--secret-file', join(dir, 'short')]);
    expect(r.status).toBe(2);
    expectOneCleanLine(r.stderr, /shorter than 16 bytes/);
  });
});

describe('pure-raft node: a damaged data directory is refused, and a wrong secret too', () => {
  let cluster: LocalCluster | undefined;
  afterAll(async () => { await cluster?.killAll(); });

  test('commits, then refuses a corrupt log and a missing log; a wrong secret gets nothing', async () => {
    const lines: string[] = [];
    cluster = await LocalCluster.create({ size: 3, dir: join(dir, 'c'), onLine: (id, line) => lines.push(`[${id}] ${line}`) });
    const c = cluster;
    await Promise.all([0, 1, 2].map((id) => c.start(id)));
    const client = new ClusterClient(c.addresses, c.secret);
    for (let i = 0; i < 20; i++) expect((await client.submit(`cmd-${i}`)).committed).toBe(true);
    // one request per command too (no coalescing): the plain submit op
    const single = new ClusterClient(c.addresses, c.secret, { coalesce: false });
    expect((await single.submit('single')).committed).toBe(true);
    single.close();

    // wrong secret: refused, nothing reaches the node
    const intruder = new ClusterClient(c.addresses, 'not-the-cluster-secret-at-all', { requestTimeoutMs: 1_000, coalesce: false });
    const refused = await intruder.submit('evil', 3_000);
    intruder.close();
    expect(refused.committed).toBe(false);
    const applied = await client.readAll(0);
    expect(applied).not.toContain('evil');
    expect(lines.some((l) => /auth/i.test(l)), lines.join('\n')).toBe(true);

    // corrupt a byte in the middle of node 2's log: it must refuse to start
    client.drop(2);
    await c.stop(2);
    const logPath = join(c.dataDir(2), 'raft.log');
    const bytes = readFileSync(logPath);
    bytes[Math.floor(bytes.length / 3)]! ^= 0xff;
    writeFileSync(logPath, bytes);
    let r = run(c.nodeArgs(2));
    expect(r.status).toBe(1);
    expectOneCleanLine(r.stderr, /^pure-raft node 2: refusing to start: .*raft\.log/);

    // a data directory that held state and lost its log
    unlinkSync(logPath);
    r = run(c.nodeArgs(2));
    expect(r.status).toBe(1);
    expectOneCleanLine(r.stderr, /refusing to start: .*missing/);

    // the other two still commit
    expect((await client.submit('after', 10_000)).committed).toBe(true);
    client.close();
  });
});

describe('pure-raft node: one process per data directory', () => {
  let cluster: LocalCluster | undefined;
  afterAll(async () => { await cluster?.killAll(); });

  test('a second process on a live node\'s directory is refused, naming the holder; after a SIGKILL the restart takes the lock over', async () => {
    cluster = await LocalCluster.create({ size: 3, dir: join(dir, 'lock') });
    const c = cluster;
    await Promise.all([0, 1, 2].map((id) => c.start(id)));
    const client = new ClusterClient(c.addresses, c.secret);
    expect((await client.submit('before')).committed).toBe(true);

    // Node 1's flags on node 0's directory (the old code started it: two nodes on one log).
    const args = c.nodeArgs(1);
    args[args.indexOf('--data-dir') + 1] = c.dataDir(0);
    const r = run(args);
    expect(r.status).toBe(1);
    expectOneCleanLine(r.stderr, new RegExp(`^pure-raft node 1: refusing to start: --data-dir \\S+node-0 is locked by pid ${c.pid(0)} \\(one process per data directory\\)$`));
    expect(r.stdout).toBe(''); // refused before it read the directory (no "starting" line)

    // SIGKILL leaves LOCK behind, naming a process that is gone: the next start takes it over.
    const killedPid = c.pid(0);
    client.drop(0);
    await c.kill(0);
    expect(JSON.parse(readFileSync(join(c.dataDir(0), 'LOCK'), 'utf8')).pid).toBe(killedPid);
    await c.start(0);
    expect(JSON.parse(readFileSync(join(c.dataDir(0), 'LOCK'), 'utf8')).pid).toBe(c.pid(0));
    expect((await client.submit('after', 10_000)).committed).toBe(true);

    // A clean stop removes it.
    client.drop(0);
    await c.stop(0);
    expect(existsSync(join(c.dataDir(0), 'LOCK'))).toBe(false);
    client.close();
  });
});

describe('pure-raft node: one cluster id per cluster', () => {
  let cluster: LocalCluster | undefined;
  let stranger: LocalCluster | undefined;
  afterAll(async () => { await cluster?.killAll(); await stranger?.killAll(); });

  test('a server of another cluster on the same addresses and secret is refused by name both ways; another cluster\'s data directory is refused', async () => {
    const lines: string[] = [];
    cluster = await LocalCluster.create({ size: 3, dir: join(dir, 'ids'), onLine: (id, line) => lines.push(`[${id}] ${line}`) });
    const c = cluster;
    await Promise.all([0, 1].map((id) => c.start(id)));
    const client = new ClusterClient(c.addresses, c.secret, { clusterId: c.clusterId });
    expect((await client.submit('ours', 10_000)).committed).toBe(true);

    // Node 2's place taken by a node that was told another cluster id (same peers, same secret).
    const args = c.nodeArgs(2);
    args[args.indexOf('--cluster-id') + 1] = 'another-cluster';
    args[args.indexOf('--data-dir') + 1] = join(dir, 'ids-stranger');
    const strangerLines: string[] = [];
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => strangerLines.push(...chunk.toString().split('\n')));
    try {
      const ours = new RegExp(`peer 2 is from cluster another-cluster, this node is in cluster ${c.clusterId}`);
      const theirs = new RegExp(`peer [01] is from cluster ${c.clusterId}, this node is in cluster another-cluster`);
      const until = Date.now() + 10_000;
      while (Date.now() < until && !(lines.some((l) => ours.test(l)) && strangerLines.some((l) => theirs.test(l)))) await new Promise((r) => setTimeout(r, 50));
      expect(lines.some((l) => ours.test(l)), lines.join('\n')).toBe(true);
      expect(strangerLines.some((l) => theirs.test(l)), strangerLines.join('\n')).toBe(true);
      expect((await client.submit('still ours', 10_000)).committed).toBe(true);
    } finally {
      child.kill('SIGKILL');
    }

    // Another cluster (fresh id) started on node 0's directory: refused before it reads the log.
    client.close();
    await c.stopAll();
    stranger = await LocalCluster.create({ size: 3, dir: join(dir, 'ids-b') });
    const reuse = stranger.nodeArgs(0);
    reuse[reuse.indexOf('--data-dir') + 1] = c.dataDir(0);
    const r = run(reuse);
    expect(r.status).toBe(1);
    expectOneCleanLine(r.stderr, new RegExp(`^pure-raft node 0: refusing to start: \\S+node-0 belongs to cluster ${c.clusterId}, and this node is in cluster ${stranger.clusterId} \\(a data directory from another cluster\\)$`));
  });
});
