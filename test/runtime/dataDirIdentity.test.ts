import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { claimDataDir, DataDirIdentityError, IDENTITY_FILE, type ClaimOptions } from '../../src/runtime/dataDirIdentity.js';
import { scratchDirs } from '../helpers/scratchDir.js';

const scratch = scratchDirs('identity');

function refusal(dir: string, clusterId: string, nodeId: number, options?: ClaimOptions): string {
  try {
    claimDataDir(dir, { clusterId, nodeId }, options);
  } catch (error) {
    expect(error).toBeInstanceOf(DataDirIdentityError);
    return (error as Error).message;
  }
  throw new Error('claimed');
}

describe('claimDataDir: a data directory is one server\'s of one cluster', () => {
  test('a new directory is recorded; the same cluster and server match later', () => {
    const dir = scratch();
    expect(claimDataDir(dir, { clusterId: 'blue', nodeId: 2 })).toBe('created');
    expect(JSON.parse(readFileSync(join(dir, IDENTITY_FILE), 'utf8'))).toEqual({ format: 1, clusterId: 'blue', nodeId: 2 });
    expect(readdirSync(dir)).toEqual([IDENTITY_FILE]); // no temp file left
    expect(claimDataDir(dir, { clusterId: 'blue', nodeId: 2 })).toBe('matched');
  });

  test('another cluster\'s directory is refused, naming both', () => {
    const dir = scratch();
    claimDataDir(dir, { clusterId: 'blue', nodeId: 0 });
    expect(refusal(dir, 'green', 0)).toBe(`${dir} belongs to cluster blue, and this node is in cluster green (a data directory from another cluster)`);
  });

  test('with a derived cluster id, the refusal says how to start the same cluster under its recorded id', () => {
    const dir = scratch();
    claimDataDir(dir, { clusterId: 'blue', nodeId: 0 });
    expect(refusal(dir, 'green', 0, { clusterIdDerived: true })).toBe(`${dir} belongs to cluster blue, and this node is in cluster green (a data directory from another cluster; if this is the same cluster with changed --peers or secret, start it with --cluster-id blue)`);
  });

  test('another server\'s directory is refused, naming both ids', () => {
    const dir = scratch();
    claimDataDir(dir, { clusterId: 'blue', nodeId: 0 });
    expect(refusal(dir, 'blue', 1)).toBe(`${dir} belongs to server 0 of cluster blue, and this is server 1`);
  });

  test('state without an IDENTITY (an older directory, or not pure-raft\'s) is refused, saying how to claim it', () => {
    const dir = scratch();
    writeFileSync(join(dir, 'raft.log'), 'x');
    writeFileSync(join(dir, 'LOCK'), 'x'); // the lock is not state
    expect(refusal(dir, 'blue', 0)).toBe(`${dir} holds raft.log but no IDENTITY: whose state it is cannot be told (if it is this node's, write {"format":1,"clusterId":"blue","nodeId":0} to ${join(dir, IDENTITY_FILE)})`);
  });

  test('only the persister\'s files are state: a new directory at a file system\'s root (lost+found) or with a .DS_Store is claimed', () => {
    const dir = scratch();
    mkdirSync(join(dir, 'lost+found'));
    writeFileSync(join(dir, '.DS_Store'), 'x');
    expect(claimDataDir(dir, { clusterId: 'blue', nodeId: 0 })).toBe('created');
    for (const name of ['raft.seal', 'raft.marker', 'raft.log.tmp']) {
      const other = scratch();
      writeFileSync(join(other, name), 'x');
      expect(refusal(other, 'blue', 0)).toMatch(new RegExp(`^${other} holds ${name.replace('.', '\\.')} but no IDENTITY`));
    }
  });

  test('a torn identity write (IDENTITY.tmp alone) is a new directory', () => {
    const dir = scratch();
    writeFileSync(join(dir, `${IDENTITY_FILE}.tmp`), '{"format":1,');
    expect(claimDataDir(dir, { clusterId: 'blue', nodeId: 0 })).toBe('created');
    expect(readdirSync(dir)).toEqual([IDENTITY_FILE]);
  });

  test('an IDENTITY that does not parse is refused, not rewritten', () => {
    const dir = scratch();
    writeFileSync(join(dir, IDENTITY_FILE), '{"format":1,"clusterId":"bl');
    expect(refusal(dir, 'blue', 0)).toMatch(/IDENTITY is not readable JSON/);
    writeFileSync(join(dir, IDENTITY_FILE), '{"format":7,"clusterId":"blue","nodeId":0}');
    expect(refusal(dir, 'blue', 0)).toMatch(/IDENTITY is not a format-1 identity record/);
  });
});
