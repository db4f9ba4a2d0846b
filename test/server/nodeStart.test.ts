/**
 * `pure-raft node` refusals that happen before the node listens: each is one line and exit 1
 * (could not start) or 2 (bad flags), within seconds (never a spin, never a stack).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/pure-raft.mjs', import.meta.url));
const SECRET = 'a-cluster-secret-of-enough-bytes';
// Ports nobody listens on: these nodes never get as far as listening.
const PEERS = '127.0.0.1:1,127.0.0.1:2,127.0.0.1:3';

function runNodeProcess(args: readonly string[], timeout = 15_000) {
  const r = spawnSync(process.execPath, [BIN, 'node', ...args], { encoding: 'utf8', env: { ...process.env, PURE_RAFT_SECRET: SECRET }, timeout });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function expectRefusal(args: readonly string[], status: number, line: RegExp): void {
  const r = runNodeProcess(args);
  expect(r.status, r.stderr).toBe(status);
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(line);
  expect(r.stdout).toBe(''); // nothing started
}

describe('pure-raft node: a --data-dir that cannot be a directory is one line, exit 1', () => {
  test('--data-dir under /proc (the old code spun at 100% CPU in recursive mkdir)', () => {
    expectRefusal(['--id', '0', '--peers', PEERS, '--data-dir', '/proc/x/data'], 1, /^pure-raft node 0: refusing to start: cannot create --data-dir \/proc\/x\/data \(at \/proc\/x\): it cannot be created there/);
  });

  test('--data-dir naming a regular file (the old code printed "Error: EEXIST: file already exists, mkdir")', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'pure-raft-start-')), 'not-a-dir');
    writeFileSync(file, 'x');
    expectRefusal(['--id', '0', '--peers', PEERS, '--data-dir', file], 1, new RegExp(`^pure-raft node 0: refusing to start: --data-dir ${file} exists and is not a directory$`));
  });
});

describe('pure-raft node: flags', () => {
  test('--id given twice is exit 2 with one line (the old code started as the last one, node 1)', () => {
    const r = runNodeProcess(['--id', '0', '--id', '1', '--peers', PEERS, '--data-dir', mkdtempSync(join(tmpdir(), 'pure-raft-start-'))]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('pure-raft node: --id is given twice (pure-raft node --help)\n');
  });
});
