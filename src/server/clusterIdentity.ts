import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { clusterIdProblem, formatAddress, type Address } from '../runtime/net/index.js';
import { UsageError } from './flags.js';

/**
 * What names a cluster to its servers and clients alike: the shared secret and the cluster id.
 * `pure-raft node` and the client commands read them with these same functions, so a client
 * given the node's --peers and secret derives the node's default cluster id.
 */

/** At least 16 bytes after trimming trailing whitespace (a newline from `echo` is not part of it). */
export function checkSecret(raw: string, source: string): string {
  const secret = raw.replace(/\s+$/, '');
  if (Buffer.byteLength(secret) < 16) throw new UsageError(`the cluster secret from ${source} is shorter than 16 bytes`);
  return secret;
}

/** The secret from `--secret-file`, or when none is given from $PURE_RAFT_SECRET. */
export function readSecret(secretFile: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (secretFile === undefined) {
    const fromEnv = env['PURE_RAFT_SECRET'];
    if (fromEnv === undefined) throw new UsageError('no cluster secret: give --secret-file FILE or set PURE_RAFT_SECRET');
    return checkSecret(fromEnv, 'PURE_RAFT_SECRET');
  }
  let raw: string;
  try {
    raw = readFileSync(secretFile, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read --secret-file ${secretFile}: ${(error as Error).message}`);
  }
  return checkSecret(raw, secretFile);
}

/** `--cluster-id NAME`: letters, digits, `.`, `_`, `-`, up to 64 bytes. */
export function parseClusterId(raw: string): string {
  const problem = clusterIdProblem(raw);
  if (problem !== null) throw new UsageError(`--cluster-id: ${problem}`);
  return raw;
}

/**
 * The cluster id when --cluster-id is not given, after etcd's cluster token: a digest of the
 * member list keyed by the secret, so clusters with other members or another secret differ.
 * (A cluster re-made on the same addresses with the same secret gets the same one: give it
 * --cluster-id.)
 */
export function defaultClusterId(peers: readonly Address[], secret: string): string {
  const digest = createHmac('sha256', secret).update('pure-raft cluster id\0').update(peers.map(formatAddress).join(',')).digest('hex');
  return `cluster-${digest.slice(0, 16)}`;
}
