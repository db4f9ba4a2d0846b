import { formatAddress, type Address } from '../runtime/net/index.js';
import { parseClusterId } from './clusterIdentity.js';
import { FlagReader, parseAddress, parseCount, parsePeers, UsageError } from './flags.js';
import { DEFAULT_SNAPSHOT_POLICY, type SnapshotPolicy } from './replicatedLog.js';

export { formatAddress, parseAddress, UsageError, type Address };

/** What `pure-raft node [flags]` was asked to do. */
export interface NodeConfig {
  /** This server's id (0-based, as in the core): its index in `peers`, or past them (membership). */
  readonly id: number;
  /**
   * The founding servers' host:port, in id order (ids 0..k-1); empty with `join` (then read from
   * the cluster). Without `maxServers` they are the whole cluster, as before membership.
   */
  readonly peers: readonly Address[];
  /**
   * The id space (--max-servers M: ids 0..M-1, the core's clusterSize), so servers past the
   * founders can be added; the founders are the bootstrap voters. Absent: peers.length, and
   * every server votes (no bootstrap configuration: exactly the cluster before membership).
   */
  readonly maxServers?: number;
  /** Where this server listens when it is not one of `peers` (--address). */
  readonly address?: Address;
  /** Running servers to ask for the cluster's definition (--join): peers, maxServers, cluster id. */
  readonly join?: readonly Address[];
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
  /** Where the HTTP API listens (--http), if anywhere. */
  readonly http?: Address;
}

export const NODE_USAGE = `usage: pure-raft node --id N --peers HOST:PORT,HOST:PORT,... --data-dir DIR [--secret-file FILE] [--cluster-id NAME]
                      [--max-servers M [--address HOST:PORT]] [--snapshot-entries N] [--snapshot-bytes B]
                      [--no-prevote] [--no-check-quorum] [--http [HOST:]PORT]
       pure-raft node --id N --address HOST:PORT --join HOST:PORT,... --data-dir DIR [--secret-file FILE] [--cluster-id NAME] [...]
  --id          this server's index in --peers (0-based), or an id past them (0..M-1) with --address
  --peers       every server of the cluster, in id order, this one included (3 or more is usual);
                with --max-servers, the founding servers: the voters the cluster starts with
  --max-servers the id space: ids 0..M-1, so servers past --peers can be added (pure-raft
                add-server) and any removed (pure-raft remove-server); the same M on every server
                (default: the number of --peers, and every server of --peers votes, as before)
  --address     where this server listens, for an id past --peers: it starts outside the cluster
                and waits for add-server to add it
  --join        instead of --peers and --max-servers: ask these running servers for them (and for
                the cluster id), recorded in the data directory at the first start (CLUSTER)
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
  --http        also serve the HTTP API (POST /commands, GET /commands, GET /status) on PORT of
                127.0.0.1; unauthenticated, so another HOST (e.g. 0.0.0.0) only when given
exit: 0 stopped by SIGTERM/SIGINT; 1 could not start (bad data directory, port in use); 2 bad flags`;

export function parseNodeArgs(argv: readonly string[]): NodeConfig | 'help' {
  const flags = new FlagReader(argv);
  let id: number | undefined;
  let peers: Address[] | undefined;
  let dataDir: string | undefined;
  let secretFile: string | undefined;
  let clusterId: string | undefined;
  let http: Address | undefined;
  let maxServers: number | undefined;
  let address: Address | undefined;
  let join: Address[] | undefined;
  let snapshots: SnapshotPolicy = DEFAULT_SNAPSHOT_POLICY;
  let preVote = true;
  let checkQuorum = true;
  for (let flag = flags.next(); flag !== undefined; flag = flags.next()) {
    switch (flag) {
      case '--id': {
        const raw = flags.value(flag);
        if (!/^\d+$/.test(raw)) throw new UsageError(`--id must be a non-negative integer, got '${raw}'`);
        id = Number(raw);
        break;
      }
      case '--peers': peers = parsePeers(flags.value(flag)); break;
      case '--max-servers': maxServers = parseCount(flag, flags.value(flag), `an integer in 1..${MAX_SERVERS}`); break;
      case '--address': address = parseAddress(flags.value(flag)); break;
      case '--join': join = parsePeers(flags.value(flag)); break;
      case '--data-dir': dataDir = flags.value(flag); break;
      case '--secret-file': secretFile = flags.value(flag); break;
      case '--cluster-id': clusterId = parseClusterId(flags.value(flag)); break;
      case '--http': http = parseHttpAddress(flags.value(flag)); break;
      case '--snapshot-entries': snapshots = { ...snapshots, entries: snapshotCount(flag, flags.value(flag)) }; break;
      case '--snapshot-bytes': snapshots = { ...snapshots, bytes: snapshotCount(flag, flags.value(flag)) }; break;
      case '--no-prevote': preVote = false; break;
      case '--no-check-quorum': checkQuorum = false; break;
      case '--help': case '-h': return 'help';
      default: throw new UsageError(`unknown flag '${flag}'`);
    }
  }
  if (id === undefined) throw new UsageError('--id is required');
  if (dataDir === undefined) throw new UsageError('--data-dir is required');
  if (maxServers !== undefined && !(maxServers >= 1 && maxServers <= MAX_SERVERS)) throw new UsageError(`--max-servers must be an integer in 1..${MAX_SERVERS}, got ${maxServers}`);
  const optional = {
    ...(secretFile !== undefined ? { secretFile } : {}), ...(clusterId !== undefined ? { clusterId } : {}), ...(http !== undefined ? { http } : {}),
  };
  if (join !== undefined) {
    if (peers !== undefined || maxServers !== undefined) throw new UsageError('--join reads --peers and --max-servers from the cluster: give one or the other');
    if (address === undefined) throw new UsageError('--join needs --address (where this server listens)');
    return { id, peers: [], join, address, dataDir, snapshots, preVote, checkQuorum, ...optional };
  }
  if (!peers) throw new UsageError('--peers is required (or --join)');
  return { ...checkMembership(id, peers, maxServers, address), dataDir, snapshots, preVote, checkQuorum, ...optional };
}

/** The largest id space --max-servers takes (every server keeps a slot per id). */
export const MAX_SERVERS = 256;

/** The id, founders, id space and own address, checked against each other (also for what --join read). */
export function checkMembership(id: number, peers: readonly Address[], maxServers: number | undefined, address: Address | undefined):
  Pick<NodeConfig, 'id' | 'peers' | 'maxServers' | 'address'> {
  const size = maxServers ?? peers.length;
  if (maxServers !== undefined && maxServers < peers.length) throw new UsageError(`--max-servers ${maxServers} is less than the ${peers.length} --peers`);
  if (id < peers.length) {
    if (address !== undefined) throw new UsageError(`--address is for an id past --peers; server ${id} listens at its --peers address`);
  } else {
    if (id >= size) {
      throw new UsageError(maxServers === undefined ? `--id ${id} is not an index into --peers (${peers.length} addresses)` : `--id ${id} is outside 0..${size - 1} (--max-servers ${size})`);
    }
    if (address === undefined) throw new UsageError(`--id ${id} is past --peers: give --address (where this server listens)`);
  }
  return { id, peers, ...(maxServers !== undefined ? { maxServers } : {}), ...(address !== undefined ? { address } : {}) };
}

/**
 * `--http [HOST:]PORT`: a port alone is on 127.0.0.1; the API is unauthenticated, so it listens
 * beyond this host only on a host given explicitly.
 */
export function parseHttpAddress(raw: string): Address {
  return parseAddress(/^\d+$/.test(raw) ? `127.0.0.1:${raw}` : raw);
}

/** A loopback host: 127.0.0.0/8, ::1 or localhost (what only this machine reaches). */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** A snapshot trigger's value: a count, 0 for off. */
function snapshotCount(flag: string, raw: string): number {
  return parseCount(flag, raw, 'a non-negative integer (0: off)');
}

export { checkSecret, defaultClusterId } from './clusterIdentity.js';
