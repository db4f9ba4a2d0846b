import { createHmac } from 'node:crypto';
import { clusterIdProblem, formatAddress, parseAddress as parseNetAddress, type Address } from '../runtime/net/index.js';
import { DEFAULT_SNAPSHOT_POLICY, type SnapshotPolicy } from './replicatedLog.js';

export { formatAddress, type Address };

/** What `pure-raft node [flags]` was asked to do. */
export interface NodeConfig {
  /** This server's id: its index in `peers` (0-based, as in the core). */
  readonly id: number;
  /** Every server's host:port, in id order, this one included. */
  readonly peers: readonly Address[];
  readonly dataDir: string;
  /** Where the cluster secret is read from; absent means the PURE_RAFT_SECRET environment variable. */
  readonly secretFile?: string;
  /** The cluster's name; absent means defaultClusterId(peers, secret). */
  readonly clusterId?: string;
  /** When the replicated list is snapshotted (--snapshot-entries, --snapshot-bytes). */
  readonly snapshots: SnapshotPolicy;
  /** StepConfig.preVote and .checkQuorum (both on unless --no-prevote / --no-check-quorum). */
  readonly preVote: boolean;
  readonly checkQuorum: boolean;
}

/** A bad command line: printed on one line, exit 2. */
export class UsageError extends Error {}

export const NODE_USAGE = `usage: pure-raft node --id N --peers HOST:PORT,HOST:PORT,... --data-dir DIR [--secret-file FILE] [--cluster-id NAME]
                      [--snapshot-entries N] [--snapshot-bytes B]
                      [--no-prevote] [--no-check-quorum]
  --id          this server's index in --peers (0-based)
  --peers       every server of the cluster, in id order, this one included (3 or more is usual)
  --data-dir    where Raft's persistent state lives (created if missing; a damaged one is refused,
                and so is one in use by another process or recorded for another cluster or --id)
  --secret-file the shared cluster secret (at least 16 bytes); default: $PURE_RAFT_SECRET
  --cluster-id  the cluster's name (letters, digits, . _ -; up to 64), the same on every server;
                default: derived from --peers and the secret. Give each new cluster its own when
                it reuses the addresses and the secret of an old one
  --snapshot-entries  snapshot the replicated list after N entries applied since the last
                snapshot (default ${DEFAULT_SNAPSHOT_POLICY.entries}; 0: not by count)
  --snapshot-bytes    ... or after B bytes of commands applied since it, whichever comes first
                (default ${DEFAULT_SNAPSHOT_POLICY.bytes}; 0: not by size; both 0: no snapshots)
  --no-prevote  turn PreVote off: a server whose timer fires stands at once, raising the term
                (on, a server cut off from the leader asks first and raises no term in vain)
  --no-check-quorum  turn CheckQuorum off: a leader no longer steps down when it has not heard
                from a majority within an election timeout (give both flags alike on every server)
exit: 0 stopped by SIGTERM/SIGINT; 1 could not start (bad data directory, port in use); 2 bad flags`;

/** The transport's own HOST:PORT grammar (so what passes here, the transport takes), port 1..65535. */
export function parseAddress(raw: string): Address {
  const port = /:(\d+)$/.exec(raw)?.[1];
  if (port !== undefined && !(Number(port) >= 1 && Number(port) <= 65535)) throw new UsageError(`bad address '${raw}': port must be 1..65535`);
  try {
    return parseNetAddress(raw);
  } catch {
    throw new UsageError(`bad address '${raw}': expected HOST:PORT (an IPv6 host in brackets)`);
  }
}

export function parseNodeArgs(argv: readonly string[]): NodeConfig | 'help' {
  const args = argv.flatMap((a) => (a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a]));
  let id: number | undefined;
  let peers: Address[] | undefined;
  let dataDir: string | undefined;
  let secretFile: string | undefined;
  let clusterId: string | undefined;
  let snapshots: SnapshotPolicy = DEFAULT_SNAPSHOT_POLICY;
  let preVote = true;
  let checkQuorum = true;
  const given = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const flag = args[i]!;
    // A flag given twice is a mistake to point out, not a choice to make (which --id did they mean?).
    if (flag.startsWith('--') && given.has(flag)) throw new UsageError(`${flag} is given twice`);
    given.add(flag);
    const value = (): string => {
      const raw = args[++i];
      if (raw === undefined || raw.startsWith('--') || raw === '') throw new UsageError(`${flag} needs a value`);
      return raw;
    };
    switch (flag) {
      case '--id': {
        const raw = value();
        if (!/^\d+$/.test(raw)) throw new UsageError(`--id must be a non-negative integer, got '${raw}'`);
        id = Number(raw);
        break;
      }
      case '--peers': peers = value().split(',').map((p) => parseAddress(p.trim())); break;
      case '--data-dir': dataDir = value(); break;
      case '--secret-file': secretFile = value(); break;
      case '--cluster-id': {
        clusterId = value();
        const problem = clusterIdProblem(clusterId);
        if (problem !== null) throw new UsageError(`--cluster-id: ${problem}`);
        break;
      }
      case '--snapshot-entries': snapshots = { ...snapshots, entries: count(flag, value()) }; break;
      case '--snapshot-bytes': snapshots = { ...snapshots, bytes: count(flag, value()) }; break;
      case '--no-prevote': preVote = false; break;
      case '--no-check-quorum': checkQuorum = false; break;
      case '--help': case '-h': return 'help';
      default: throw new UsageError(`unknown flag '${flag}'`);
    }
  }
  if (id === undefined) throw new UsageError('--id is required');
  if (!peers) throw new UsageError('--peers is required');
  if (dataDir === undefined) throw new UsageError('--data-dir is required');
  if (id >= peers.length) throw new UsageError(`--id ${id} is not an index into --peers (${peers.length} addresses)`);
  const seen = new Set<string>();
  for (const p of peers) {
    const key = formatAddress(p);
    if (seen.has(key)) throw new UsageError(`--peers lists ${key} twice`);
    seen.add(key);
  }
  return { id, peers, dataDir, snapshots, preVote, checkQuorum, ...(secretFile !== undefined ? { secretFile } : {}), ...(clusterId !== undefined ? { clusterId } : {}) };
}

/** A count flag's value: a non-negative safe integer written in decimal digits. */
function count(flag: string, raw: string): number {
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) throw new UsageError(`${flag} must be a non-negative integer (0: off), got '${raw}'`);
  return Number(raw);
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

/** At least 16 bytes after trimming trailing whitespace (a newline from `echo` is not part of it). */
export function checkSecret(raw: string, source: string): string {
  const secret = raw.replace(/\s+$/, '');
  if (Buffer.byteLength(secret) < 16) throw new UsageError(`the cluster secret from ${source} is shorter than 16 bytes`);
  return secret;
}
