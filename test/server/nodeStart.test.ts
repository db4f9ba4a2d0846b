/**
 * `pure-raft node` refusals that happen before the node listens: each is one line and exit 1
 * (could not start) or 2 (bad flags), within seconds (never a spin, never a stack).
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { claimDataDir } from '../../src/runtime/dataDirIdentity.js';
import { defaultClusterId, parseAddress } from '../../src/server/args.js';
import { scratchDirs } from '../helpers/scratchDir.js';

const scratch = scratchDirs('start');

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
    const file = join(scratch(), 'not-a-dir');
    writeFileSync(file, 'x');
    expectRefusal(['--id', '0', '--peers', PEERS, '--data-dir', file], 1, new RegExp(`^pure-raft node 0: refusing to start: --data-dir ${file} exists and is not a directory$`));
  });
});

describe('pure-raft node: flags', () => {
  test('--id given twice is exit 2 with one line (the old code started as the last one, node 1)', () => {
    const r = runNodeProcess(['--id', '0', '--id', '1', '--peers', PEERS, '--data-dir', scratch()]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('pure-raft node: --id is given twice (pure-raft node --help)\n');
  });
});

describe('pure-raft node: a data directory of another cluster or server is refused, exit 1 (the old code took it in)', () => {
  const claimed = (clusterId: string, nodeId: number): string => {
    const dir = scratch();
    claimDataDir(dir, { clusterId, nodeId });
    return dir;
  };

  test('--cluster-id differs from the one recorded', () => {
    const dir = claimed('blue', 0);
    expectRefusal(['--id', '0', '--peers', PEERS, '--data-dir', dir, '--cluster-id', 'green'], 1, new RegExp(`^pure-raft node 0: refusing to start: ${dir} belongs to cluster blue, and this node is in cluster green \\(a data directory from another cluster\\)$`));
  });

  test('--id differs from the one recorded', () => {
    const dir = claimed('blue', 0);
    expectRefusal(['--id', '1', '--peers', PEERS, '--data-dir', dir, '--cluster-id', 'blue'], 1, /belongs to server 0 of cluster blue, and this is server 1$/);
  });

  test('without --cluster-id, the default (from the peers and the secret) tells clusters with other members apart', () => {
    const otherPeers = '127.0.0.1:4,127.0.0.1:5,127.0.0.1:6';
    const dir = claimed(defaultClusterId(otherPeers.split(',').map(parseAddress), SECRET), 0);
    const recorded = defaultClusterId(otherPeers.split(',').map(parseAddress), SECRET);
    // The derived id may be this cluster after a change of --peers: the line says how to go on.
    expectRefusal(['--id', '0', '--peers', PEERS, '--data-dir', dir], 1, new RegExp(`belongs to cluster ${recorded}, and this node is in cluster ${defaultClusterId(PEERS.split(',').map(parseAddress), SECRET)} \\(a data directory from another cluster; if this is the same cluster with changed --peers or secret, start it with --cluster-id ${recorded}\\)$`));
    expect(defaultClusterId(PEERS.split(',').map(parseAddress), SECRET)).not.toBe(defaultClusterId(PEERS.split(',').map(parseAddress), `${SECRET}-other`));
  });

  test('a --cluster-id out of the grammar is a bad flag, exit 2', () => {
    const r = runNodeProcess(['--id', '0', '--peers', PEERS, '--data-dir', claimed('blue', 0), '--cluster-id', 'a b']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^pure-raft node: --cluster-id: cluster id 'a b' may hold only letters, digits, '\.', '_' and '-' \(pure-raft node --help\)\n$/);
  });
});

describe('pure-raft node --join: no server to ask is one line, exit 1', () => {
  test('--join servers that do not answer', () => {
    expectRefusal(['--id', '3', '--address', '127.0.0.1:4', '--join', '127.0.0.1:1,127.0.0.1:2', '--data-dir', scratch()], 1,
      /^pure-raft node 3: refusing to start: --join: no --join server told how to join \(127\.0\.0\.1:1: .*; 127\.0\.0\.1:2: .*\)$/);
  });

  test('a malformed CLUSTER record in the data directory', () => {
    const dir = scratch();
    writeFileSync(join(dir, 'CLUSTER'), '{"clusterId":"x"}\n');
    expectRefusal(['--id', '3', '--address', '127.0.0.1:4', '--join', '127.0.0.1:1', '--data-dir', dir], 1,
      /^pure-raft node 3: refusing to start: --join: .*CLUSTER is not a cluster definition \(\{clusterId, maxServers, peers\}\)$/);
  });
});
