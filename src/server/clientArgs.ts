import type { Address } from '../runtime/net/index.js';
import { commandProblem } from './clientApi.js';
import { parseClusterId } from './clusterIdentity.js';
import { FlagReader, parseCount, parsePeers, UsageError } from './flags.js';

/** The client commands: `pure-raft status`, `pure-raft submit <command>`, `pure-raft read`. */
export type ClientVerb = 'status' | 'submit' | 'read';

export const CLIENT_VERBS: readonly ClientVerb[] = ['status', 'submit', 'read'];

interface CommonConfig {
  /** Every server's host:port, as the nodes' --peers (the same order). */
  readonly peers: readonly Address[];
  /** Where the cluster secret is read from; absent means $PURE_RAFT_SECRET. */
  readonly secretFile?: string;
  /** The cluster to reach; absent means the nodes' default (defaultClusterId of --peers and the secret). */
  readonly clusterId?: string;
  /** How long the whole operation may take (--timeout SECONDS, default 10). */
  readonly timeoutMs: number;
  /** One JSON object per line instead of words. */
  readonly json: boolean;
}

export type ClientConfig = CommonConfig & (
  | { readonly verb: 'status' }
  | { readonly verb: 'submit'; readonly command: unknown }
  /** Applied commands from position `from` (1-based), at most `limit` of them (null: all). */
  | { readonly verb: 'read'; readonly from: number; readonly limit: number | null }
);

export const DEFAULT_CLIENT_TIMEOUT_MS = 10_000;

const COMMON_FLAGS = `  --peers       every server of the cluster, as the nodes' --peers (the same order)
  --secret-file the shared cluster secret (at least 16 bytes); default: $PURE_RAFT_SECRET
  --cluster-id  the cluster's name, as the nodes' --cluster-id; default: the nodes' default
                (derived from --peers and the secret)
  --timeout     give up after SECONDS (default ${DEFAULT_CLIENT_TIMEOUT_MS / 1000})
  --json        one JSON object per line instead of words`;

const COMMON_USAGE = '--peers HOST:PORT,... [--secret-file FILE] [--cluster-id NAME] [--timeout SECONDS] [--json]';

export const CLIENT_USAGE: Record<ClientVerb, string> = {
  status: `usage: pure-raft status ${COMMON_USAGE}
  one line per server: id, address, role, currentTerm, commitIndex, lastApplied,
  lastIncludedIndex, or unreachable
${COMMON_FLAGS}
exit: 0 a leader was found; 1 none; 2 bad flags`,
  submit: `usage: pure-raft submit <command> ${COMMON_USAGE}
  submits one command to the leader and waits until it is committed and applied; the command
  is a JSON value if it parses as JSON (42, true, '{"k":"v"}', '"42"'), else the string as given
  (put -- before a command that starts with --)
${COMMON_FLAGS}
exit: 0 committed; 1 not committed (no leader before the timeout, lost to a new leader, or
      unknown: it may have committed); 2 bad flags`,
  read: `usage: pure-raft read [--from N] [--limit K] ${COMMON_USAGE}
  one line per command the leader has applied: its position (1-based) and the command (JSON)
  --from        the first position to list (default 1)
  --limit       list at most K commands (default: all)
${COMMON_FLAGS}
exit: 0 listed; 1 no leader answered before the timeout; 2 bad flags`,
};

/**
 * `submit`'s argument: a JSON value if it parses as one, else the string itself (so `pure-raft
 * submit hello` submits "hello", `pure-raft submit 42` the number 42 and `'"42"'` the string).
 */
export function parseCommand(raw: string): unknown {
  let command: unknown;
  try {
    command = JSON.parse(raw);
  } catch {
    command = raw;
  }
  const problem = commandProblem(command);
  if (problem !== null) throw new UsageError(problem);
  return command;
}

export function parseClientArgs(verb: ClientVerb, argv: readonly string[]): ClientConfig | 'help' {
  const flags = new FlagReader(argv);
  let peers: Address[] | undefined;
  let secretFile: string | undefined;
  let clusterId: string | undefined;
  let timeoutMs = DEFAULT_CLIENT_TIMEOUT_MS;
  let json = false;
  let from = 1;
  let limit: number | null = null;
  const positional: string[] = [];
  for (let arg = flags.next(); arg !== undefined; arg = flags.next()) {
    if (arg === '--') {
      const rest = flags.verbatim();
      if (rest !== undefined) positional.push(rest);
      continue;
    }
    if (!arg.startsWith('--') && arg !== '-h') { // -5 is a command (JSON), not a flag
      positional.push(arg);
      continue;
    }
    const readOnly = (): void => { if (verb !== 'read') throw new UsageError(`${arg} is a flag of read, not of ${verb}`); };
    switch (arg) {
      case '--peers': peers = parsePeers(flags.value(arg)); break;
      case '--secret-file': secretFile = flags.value(arg); break;
      case '--cluster-id': clusterId = parseClusterId(flags.value(arg)); break;
      case '--timeout': timeoutMs = parseSeconds(arg, flags.value(arg)); break;
      case '--json': json = true; break;
      case '--from': readOnly(); from = positiveCount(arg, flags.value(arg)); break;
      case '--limit': readOnly(); limit = positiveCount(arg, flags.value(arg)); break;
      case '--help': case '-h': return 'help';
      default: throw new UsageError(`unknown flag '${arg}'`);
    }
  }
  if (!peers) throw new UsageError('--peers is required');
  const common: CommonConfig = { peers, timeoutMs, json, ...(secretFile !== undefined ? { secretFile } : {}), ...(clusterId !== undefined ? { clusterId } : {}) };
  if (verb === 'submit') {
    if (positional.length !== 1) throw new UsageError(positional.length === 0 ? 'submit needs a command' : `submit takes one command, got ${positional.length} (quote it)`);
    return { ...common, verb, command: parseCommand(positional[0]!) };
  }
  if (positional.length > 0) throw new UsageError(`${verb} takes no argument, got '${positional[0]}'`);
  return verb === 'read' ? { ...common, verb, from, limit } : { ...common, verb };
}

function positiveCount(flag: string, raw: string): number {
  const n = parseCount(flag, raw, 'a positive integer');
  if (n === 0) throw new UsageError(`${flag} must be a positive integer, got '${raw}'`);
  return n;
}

/** `--timeout SECONDS`: a positive decimal number of seconds (0.5, 3, 30), at most a day. */
export function parseSeconds(flag: string, raw: string): number {
  const seconds = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : NaN;
  if (!(seconds > 0 && seconds <= 86_400)) throw new UsageError(`${flag} must be a number of seconds in (0, 86400], got '${raw}'`);
  return Math.round(seconds * 1000);
}
