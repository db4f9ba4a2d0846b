/**
 * The client a user types: `pure-raft status|submit|read` as child processes against a real
 * 3-node cluster, and the nodes' HTTP API (`--http`) through fetch(). Exit codes, the one line
 * per result, a follower's not-leader, and the HTTP limits (413, 400).
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MAX_COMMAND_BYTES } from '../../src/server/clientApi.js';
import { LocalCluster } from '../../src/server/localCluster.js';

const BIN = fileURLToPath(new URL('../../bin/pure-raft.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'pure-raft-client-'));

interface Run { readonly status: number | null; readonly stdout: string; readonly stderr: string; readonly ms: number }

/** The CLI as a child process (asynchronously: the nodes' output pipes keep draining meanwhile). */
function cli(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      const status = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ status, stdout, stderr, ms: Date.now() - started });
    });
  });
}

async function until<T>(what: string, attempt: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const got = await attempt();
    if (got !== undefined) return got;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

let cluster: LocalCluster;
let flags: string[];
const lines: string[] = [];

beforeAll(async () => {
  cluster = await LocalCluster.create({ size: 3, dir: join(dir, 'c'), http: true, onLine: (id, line) => lines.push(`[${id}] ${line}`) });
  await Promise.all([0, 1, 2].map((id) => cluster.start(id)));
  flags = ['--peers', cluster.addresses.join(','), '--secret-file', cluster.secretFile, '--cluster-id', cluster.clusterId];
});

afterAll(async () => {
  await cluster?.killAll();
  rmSync(dir, { recursive: true, force: true });
});

describe('pure-raft status, submit, read against a running cluster', () => {
  let leader: number;

  test('status: one line per server, a leader among them, exit 0', async () => {
    const r = await until('a leader in status', async () => {
      const run = await cli(['status', ...flags]);
      return run.status === 0 ? run : undefined;
    });
    const out = r.stdout.trim().split('\n');
    expect(out, r.stdout).toHaveLength(3);
    out.forEach((line, id) => {
      expect(line).toMatch(new RegExp(`^${id} ${cluster.addresses[id]} (leader|follower|preCandidate|candidate) currentTerm=\\d+ commitIndex=\\d+ lastApplied=\\d+ lastIncludedIndex=0$`));
    });
    leader = out.findIndex((l) => / leader /.test(l));
    expect(leader).toBeGreaterThanOrEqual(0);
    expect(lines.some((l) => /HTTP API on http:\/\/127\.0\.0\.1:\d+ \(loopback only\)/.test(l)), lines.join('\n')).toBe(true);
  });

  test('submit: a string and a JSON value commit (exit 0, one line each, --json an object)', async () => {
    const plain = await cli(['submit', 'hello world', ...flags]);
    expect(plain.status, plain.stderr).toBe(0);
    expect(plain.stdout).toMatch(/^committed index=\d+ term=\d+ position=1\n$/);
    const json = await cli(['submit', '{"set":"x","to":1}', '--json', ...flags]);
    expect(json.status, json.stderr).toBe(0);
    expect(json.stdout.split('\n')).toHaveLength(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ result: 'committed', position: 2, term: expect.any(Number), index: expect.any(Number) });
  });

  test('read: one line per applied command from --from, at most --limit', async () => {
    const all = await cli(['read', ...flags]);
    expect(all.status, all.stderr).toBe(0);
    expect(all.stdout).toBe('1 "hello world"\n2 {"set":"x","to":1}\n');
    const one = await cli(['read', '--from', '2', '--limit', '1', '--json', ...flags]);
    expect(one.status, one.stderr).toBe(0);
    expect(one.stdout).toBe('{"position":2,"command":{"set":"x","to":1}}\n');
  });

  test('a bad flag is one line and exit 2; --help is exit 0', async () => {
    const bad = await cli(['submit', 'x', '--timeout', 'soon', ...flags]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe("pure-raft submit: --timeout must be a number of seconds in (0, 86400], got 'soon' (pure-raft submit --help)\n");
    const noSecret = await cli(['status', '--peers', cluster.addresses.join(',')], { PURE_RAFT_SECRET: '' });
    expect(noSecret.status).toBe(2);
    expect(noSecret.stderr).toMatch(/^pure-raft status: the cluster secret from PURE_RAFT_SECRET is shorter than 16 bytes/);
    const help = await cli(['read', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: pure-raft read /);
  });

  test('the secret from $PURE_RAFT_SECRET works as --secret-file does; another cluster id is refused (exit 1)', async () => {
    const peers = ['--peers', cluster.addresses.join(',')];
    const env = await cli(['status', ...peers, '--cluster-id', cluster.clusterId], { PURE_RAFT_SECRET: cluster.secret });
    expect(env.status, env.stdout + env.stderr).toBe(0);
    // No --cluster-id: the nodes' default (derived from --peers and the secret), not this cluster's explicit one.
    const derived = await cli(['status', ...peers, '--timeout', '2'], { PURE_RAFT_SECRET: cluster.secret });
    expect(derived.status).toBe(1);
    expect(derived.stdout.trim().split('\n').every((l) => / unreachable \(/.test(l)), derived.stdout).toBe(true);
  });
});

describe('the HTTP API (--http)', () => {
  const url = (id: number, path: string): string => `http://${cluster.httpAddresses[id]}${path}`;
  let leader: number;

  test('POST /commands on the leader commits: 200 {index, term, position}; GET /commands lists it', async () => {
    leader = await until('a leader over HTTP', async () => {
      for (let id = 0; id < 3; id++) {
        const s = (await (await fetch(url(id, '/status'))).json()) as { role: string };
        if (s.role === 'leader') return id;
      }
      return undefined;
    });
    const status = await fetch(url(leader, '/status'));
    expect(status.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await status.json()).toMatchObject({ id: leader, role: 'leader', currentTerm: expect.any(Number), commitIndex: expect.any(Number) });

    const posted = await fetch(url(leader, '/commands'), { method: 'POST', body: JSON.stringify({ via: 'http' }) });
    expect(posted.status).toBe(200);
    const body = (await posted.json()) as Record<string, unknown>;
    expect(body).toEqual({ index: expect.any(Number), term: expect.any(Number), position: expect.any(Number) });
    const position = body['position'] as number;

    const listed = await fetch(url(leader, `/commands?from=${position}`));
    expect(listed.status).toBe(200);
    expect(await listed.json()).toEqual({ from: position, commands: [{ via: 'http' }] });
    // and the CLI's read sees it too
    const read = await cli(['read', '--from', String(position), ...flags]);
    expect(read.stdout).toBe(`${position} {"via":"http"}\n`);
  });

  test('a follower answers 421 not-leader naming the leader, and appends nothing', async () => {
    const follower = (leader + 1) % 3;
    const r = await fetch(url(follower, '/commands'), { method: 'POST', body: '"to a follower"' });
    expect(r.status).toBe(421);
    expect(await r.json()).toEqual({ error: 'not-leader', leaderId: leader });
    expect(await (await fetch(url(follower, '/status'))).json()).toMatchObject({ role: 'follower', leaderId: leader });
    const all = (await (await fetch(url(leader, '/commands'))).json()) as { commands: unknown[] };
    expect(all.commands).not.toContain('to a follower');
  });

  test('a body over 16 KiB is 413; a malformed one 400; bad paging 400; an unknown path 404; a wrong method 405', async () => {
    const big = await fetch(url(leader, '/commands'), { method: 'POST', body: JSON.stringify('x'.repeat(MAX_COMMAND_BYTES)) });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ error: 'too-large' });
    const malformed = await fetch(url(leader, '/commands'), { method: 'POST', body: '{"not json' });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual({ error: 'bad-request', reason: 'the body is not one JSON value' });
    const empty = await fetch(url(leader, '/commands'), { method: 'POST' });
    expect(empty.status).toBe(400);
    const deep = await fetch(url(leader, '/commands'), { method: 'POST', body: '['.repeat(100) + ']'.repeat(100) });
    expect(deep.status).toBe(400);
    expect(await deep.json()).toMatchObject({ error: 'bad-request', reason: expect.stringMatching(/deeper than 64/) });
    expect((await fetch(url(leader, '/commands?from=0'))).status).toBe(400);
    expect((await fetch(url(leader, '/commands?limit=ten'))).status).toBe(400);
    expect((await fetch(url(leader, '/nope'))).status).toBe(404);
    const put = await fetch(url(leader, '/status'), { method: 'PUT' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET');
  });
});

describe('an unreachable cluster', () => {
  test('status, submit and read exit 1 within the timeout', async () => {
    await cluster.killAll();
    const status = await cli(['status', ...flags, '--timeout', '1']);
    expect(status.status).toBe(1);
    expect(status.stdout.trim().split('\n').map((l) => l.replace(/ \(.*$/, ''))).toEqual(cluster.addresses.map((a, id) => `${id} ${a} unreachable`));
    const submit = await cli(['submit', 'nobody home', ...flags, '--timeout', '1']);
    expect(submit.status).toBe(1);
    expect(submit.stdout).toMatch(/^no leader: no server took the command before the timeout \(\d+ attempts\); not committed\n$/);
    const read = await cli(['read', ...flags, '--timeout', '1']);
    expect(read.status).toBe(1);
    expect(read.stderr).toBe('pure-raft read: no leader answered within 1 s\n');
    // within the timeout: a second of trying, plus the process's own start-up (tsx)
    for (const r of [status, submit, read]) expect(r.ms).toBeLessThan(10_000);
  });
});

describe('--http beyond loopback, and closing with the node', () => {
  let single: LocalCluster | undefined;
  afterAll(async () => { await single?.killAll(); });

  test('a host given explicitly is listened on, and the log line says UNAUTHENTICATED; SIGTERM closes it', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: p } = probe.address() as { port: number };
        probe.close(() => resolve(p));
      });
    });
    const seen: string[] = [];
    single = await LocalCluster.create({ size: 1, dir: join(dir, 'wide'), nodeFlags: ['--http', `0.0.0.0:${port}`], onLine: (_, line) => seen.push(line) });
    await single.start(0);
    expect(seen.some((l) => l.endsWith(`node 0: HTTP API on http://0.0.0.0:${port}: UNAUTHENTICATED, anyone who reaches this address can submit commands`)), seen.join('\n')).toBe(true);
    const committed = await until('a one-server cluster commits over HTTP', async () => {
      const r = await fetch(`http://127.0.0.1:${port}/commands`, { method: 'POST', body: '"wide"' });
      return r.status === 200 ? ((await r.json()) as { position: number }) : undefined;
    });
    expect(committed.position).toBe(1);
    // The process ends on its own after SIGTERM only if the HTTP server was closed (an open one keeps it alive).
    expect(await single.stop(0)).toEqual({ code: 0, signal: null });
    await expect(fetch(`http://127.0.0.1:${port}/status`)).rejects.toThrow();
  });
});
