import { closeSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerId } from '../core/index.js';
import { STATE_FILES as PERSISTER_FILES } from './diskPersister.js';
import { clusterIdProblem } from './net/handshake.js';
import { fsyncDirectory } from '../fs/ensureDirectory.js';

/**
 * Whose a data directory is. A directory carried over from another cluster (or another
 * server of this one) holds votes and entries that belong to a different history; started
 * here, its old commands would show up in this cluster's log. So IDENTITY records the cluster
 * id and the server id when the directory is first used, and every later start checks both.
 */
export const IDENTITY_FILE = 'IDENTITY';
const FORMAT = 1;

export interface DataDirIdentity {
  readonly clusterId: string;
  readonly nodeId: ServerId;
}

/** The directory belongs to another cluster or server, or its IDENTITY is unreadable: one line. */
export class DataDirIdentityError extends Error {
  override readonly name = 'DataDirIdentityError';
}

function parse(raw: string, path: string): DataDirIdentity {
  let o: { format?: unknown; clusterId?: unknown; nodeId?: unknown };
  try {
    o = JSON.parse(raw) as typeof o;
  } catch {
    throw new DataDirIdentityError(`${path} is not readable JSON: the directory's owner cannot be told`);
  }
  if (o.format !== FORMAT || typeof o.clusterId !== 'string' || clusterIdProblem(o.clusterId) !== null || o.clusterId === '' || typeof o.nodeId !== 'number' || !Number.isSafeInteger(o.nodeId) || o.nodeId < 0) {
    throw new DataDirIdentityError(`${path} is not a format-${FORMAT} identity record: the directory's owner cannot be told`);
  }
  return { clusterId: o.clusterId, nodeId: o.nodeId };
}

const recordOf = (identity: DataDirIdentity): string => `${JSON.stringify({ format: FORMAT, clusterId: identity.clusterId, nodeId: identity.nodeId })}\n`;

/** temp file, fsync, rename, fsync of the directory: after a crash IDENTITY is whole or absent. */
function writeDurably(dir: string, record: string): void {
  const path = join(dir, IDENTITY_FILE);
  const temp = `${path}.tmp`;
  const fd = openSync(temp, 'w', 0o644);
  try {
    writeSync(fd, record);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
  fsyncDirectory(dir);
}

/**
 * The persister's own files: a directory holding any of them holds some owner's state. Nothing
 * else counts: a new directory at a file system's root holds lost+found, one on macOS may hold
 * .DS_Store, and neither is Raft state.
 */
const STATE_FILES: ReadonlySet<string> = new Set(PERSISTER_FILES);

function stateFiles(dir: string): string[] {
  return readdirSync(dir).filter((name) => STATE_FILES.has(name));
}

export interface ClaimOptions {
  /**
   * The expected cluster id was derived (from --peers and the secret), not given: then a
   * mismatch may be this very cluster after a change of members or secret, and the refusal
   * says how to start it under its recorded id.
   */
  readonly clusterIdDerived?: boolean;
}

/**
 * Checks that `dir` (locked, existing) is `expected`'s, recording it if the directory is new.
 * Run before the persister opens the directory. Returns 'created' or 'matched'; throws
 * DataDirIdentityError (one line: which field differs and what was expected) otherwise, and
 * for a directory that holds files but no IDENTITY, whose owner cannot be known.
 */
export function claimDataDir(dir: string, expected: DataDirIdentity, options: ClaimOptions = {}): 'created' | 'matched' {
  const problem = clusterIdProblem(expected.clusterId);
  if (problem !== null || expected.clusterId === '') throw new RangeError(problem ?? 'the cluster id is empty');
  const path = join(dir, IDENTITY_FILE);
  let raw: string | null;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new DataDirIdentityError(`cannot read ${path}: ${(error as Error).message}`);
    raw = null;
  }
  if (raw === null) {
    const found = stateFiles(dir);
    if (found.length > 0) {
      throw new DataDirIdentityError(`${dir} holds ${found.slice(0, 3).join(', ')}${found.length > 3 ? ', ...' : ''} but no ${IDENTITY_FILE}: whose state it is cannot be told (if it is this node's, write ${recordOf(expected).trim()} to ${path})`);
    }
    const leftover = `${path}.tmp`;
    try {
      unlinkSync(leftover);
    } catch {
      // none
    }
    writeDurably(dir, recordOf(expected));
    return 'created';
  }
  const recorded = parse(raw, path);
  if (recorded.clusterId !== expected.clusterId) {
    const way = options.clusterIdDerived === true ? `; if this is the same cluster with changed --peers or secret, start it with --cluster-id ${recorded.clusterId}` : '';
    throw new DataDirIdentityError(`${dir} belongs to cluster ${recorded.clusterId}, and this node is in cluster ${expected.clusterId} (a data directory from another cluster${way})`);
  }
  if (recorded.nodeId !== expected.nodeId) {
    throw new DataDirIdentityError(`${dir} belongs to server ${recorded.nodeId} of cluster ${recorded.clusterId}, and this is server ${expected.nodeId}`);
  }
  return 'matched';
}
