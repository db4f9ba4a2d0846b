import type { Configuration, MembershipChange } from '../core/index.js';
import { formatAddress, TcpClient, type Address } from '../runtime/net/index.js';
import type { MembershipReply, NodeStatus } from './clientApi.js';
import { parseSeconds } from './clientArgs.js';
import { withTimeout } from './timeout.js';
import { defaultClusterId, parseClusterId } from './clusterIdentity.js';
import { readCommandLine } from './commandLine.js';
import { FlagReader, parseAddress, parseCount, parsePeers, UsageError } from './flags.js';

/**
 * `pure-raft add-server --id N --address HOST:PORT` and `pure-raft remove-server --id N`:
 * single-server membership changes (thesis §4.2) through the client protocol's `membership` op,
 * asked of the leader (found by asking --peers in turn and following each not-leader's
 * leaderAddress).
 *
 * add-server: AddLearner (the entry's context names the address, so every member learns it),
 * then waits until the learner's matchIndex on the leader is within --catch-up entries of the
 * leader's commitIndex (it is sent the log, or the leader's snapshot), then PromoteLearner. A
 * refusal 'no-commit-in-term' (a new leader has not committed in its term yet; it appended a
 * no-op) or 'change-in-progress' (another change is not committed yet) is asked again every
 * 100 ms. Asking again after a lost or timed-out request is safe: a change already made is
 * recognised ('already-member', 'not-a-learner' with the server a voter, 'no-such-server' with
 * the server gone), so re-running a command that failed half-way finishes it.
 */
export type MembershipVerb = 'add-server' | 'remove-server';

export interface MembershipConfig {
  readonly verb: MembershipVerb;
  readonly server: number;
  /** add-server: where the new server listens (its --address). */
  readonly address?: string;
  readonly peers: readonly Address[];
  readonly secretFile?: string;
  readonly clusterId?: string;
  readonly timeoutMs: number;
  /** add-server: promote once matchIndex >= commitIndex - catchUp. */
  readonly catchUp: number;
  readonly json: boolean;
}

export const DEFAULT_MEMBERSHIP_TIMEOUT_MS = 60_000;
export const DEFAULT_CATCH_UP = 64;

const COMMON = `  --peers       servers of the cluster to ask (any of them; the leader is found from there)
  --secret-file the shared cluster secret; default: $PURE_RAFT_SECRET
  --cluster-id  the cluster's name, as the nodes' --cluster-id; default: derived from --peers
                and the secret, as the nodes derive theirs (then give the nodes' --peers, in order)
  --timeout     give up after SECONDS (default ${DEFAULT_MEMBERSHIP_TIMEOUT_MS / 1000})
  --json        one JSON object per line instead of words`;

export const MEMBERSHIP_USAGE: Record<MembershipVerb, string> = {
  'add-server': `usage: pure-raft add-server --id N --address HOST:PORT --peers HOST:PORT,... [--catch-up K] [--secret-file FILE] [--cluster-id NAME] [--timeout SECONDS] [--json]
  adds server N (started with pure-raft node --id N --address HOST:PORT and the cluster's
  --peers and --max-servers, or --join) as a learner, waits until it has caught up with the
  leader, and makes it a voter; one line per step
  --id          the new server's id, in 0..M-1 (the nodes' --max-servers M)
  --address     where it listens (its --address): every member learns it from the change
  --catch-up    promote once its matchIndex is within K entries of the leader's commitIndex
                (default ${DEFAULT_CATCH_UP})
${COMMON}
exit: 0 server N is a voter; 1 not done (no leader before the timeout, or refused: the reason
      is printed; re-running finishes a change made half-way); 2 bad flags`,
  'remove-server': `usage: pure-raft remove-server --id N --peers HOST:PORT,... [--secret-file FILE] [--cluster-id NAME] [--timeout SECONDS] [--json]
  removes server N (a voter or a learner; the leader too: it steps down once its removal
  commits) and waits until the change is committed; then stop server N's process (it stops by
  itself when it learns of its removal)
${COMMON}
exit: 0 server N is no longer a member; 1 not done (no leader before the timeout, or refused:
      the last voter cannot be removed); 2 bad flags`,
};

export function parseMembershipArgs(verb: MembershipVerb, argv: readonly string[]): MembershipConfig | 'help' {
  const flags = new FlagReader(argv);
  let server: number | undefined;
  let address: string | undefined;
  let peers: Address[] | undefined;
  let secretFile: string | undefined;
  let clusterId: string | undefined;
  let timeoutMs = DEFAULT_MEMBERSHIP_TIMEOUT_MS;
  let catchUp = DEFAULT_CATCH_UP;
  let json = false;
  for (let arg = flags.next(); arg !== undefined; arg = flags.next()) {
    const addOnly = (): void => { if (verb !== 'add-server') throw new UsageError(`${arg} is a flag of add-server, not of ${verb}`); };
    switch (arg) {
      case '--id': server = parseCount(arg, flags.value(arg)); break;
      case '--address': addOnly(); address = formatAddress(parseAddress(flags.value(arg))); break;
      case '--catch-up': addOnly(); catchUp = parseCount(arg, flags.value(arg)); break;
      case '--peers': peers = parsePeers(flags.value(arg)); break;
      case '--secret-file': secretFile = flags.value(arg); break;
      case '--cluster-id': clusterId = parseClusterId(flags.value(arg)); break;
      case '--timeout': timeoutMs = parseSeconds(arg, flags.value(arg)); break;
      case '--json': json = true; break;
      case '--help': case '-h': return 'help';
      default: throw new UsageError(arg.startsWith('-') ? `unknown flag '${arg}'` : `${verb} takes no argument, got '${arg}'`);
    }
  }
  if (server === undefined) throw new UsageError('--id is required');
  if (!peers) throw new UsageError('--peers is required');
  if (verb === 'add-server' && address === undefined) throw new UsageError('--address is required (where the new server listens)');
  return {
    verb, server, peers, timeoutMs, catchUp, json,
    ...(address !== undefined ? { address } : {}), ...(secretFile !== undefined ? { secretFile } : {}), ...(clusterId !== undefined ? { clusterId } : {}),
  };
}

/** A failed change: the line printed, exit 1. */
class ChangeFailed extends Error {}

/** Authenticated connections to servers by address, opened on first use and dropped on failure. */
class AdminClient {
  private readonly connections = new Map<string, Promise<TcpClient>>();

  constructor(private readonly secret: string, private readonly clusterId: string) {}

  async ask(address: string, payload: unknown, timeoutMs: number): Promise<Record<string, unknown>> {
    let connection = this.connections.get(address);
    if (connection === undefined) {
      connection = TcpClient.connect(address, this.secret, { clusterId: this.clusterId, requestTimeoutMs: timeoutMs });
      connection.catch(() => undefined);
      this.connections.set(address, connection);
    }
    try {
      const client = await withTimeout(connection, timeoutMs, `connect to ${address}`);
      return await withTimeout(client.request(payload), timeoutMs, `request to ${address}`);
    } catch (error) {
      this.drop(address);
      throw error;
    }
  }

  drop(address: string): void {
    const connection = this.connections.get(address);
    this.connections.delete(address);
    void connection?.then((c) => c.close(), () => undefined);
  }

  close(): void {
    for (const address of [...this.connections.keys()]) this.drop(address);
  }
}

/** Where a change got to: made now (with its entry), or found already made. */
type Made = { readonly index: number; readonly term: number; readonly configuration: Configuration; readonly leader: string } | { readonly already: true; readonly leader: string };

const ids = (list: readonly number[]): string => `[${list.join(',')}]`;
const shown = (c: Configuration): string => `voters ${ids(c.voters)}, learners ${ids(c.learners)}`;

export async function runMembership(verb: MembershipVerb, argv: readonly string[]): Promise<number> {
  const read = readCommandLine(verb, () => parseMembershipArgs(verb, argv), MEMBERSHIP_USAGE[verb]);
  if (typeof read === 'number') return read;
  const { config, secret } = read;
  const client = new AdminClient(secret, config.clusterId ?? defaultClusterId(config.peers, secret));
  const started = Date.now();
  const until = started + config.timeoutMs;
  const print = (words: string, json: Record<string, unknown>): void => {
    process.stdout.write(`${config.json ? JSON.stringify({ server: config.server, ms: Date.now() - started, ...json }) : `${words} (${Date.now() - started} ms)`}\n`);
  };
  const n = config.server;
  try {
    if (verb === 'remove-server') {
      const made = await change(client, config, { kind: 'RemoveServer', server: n }, until);
      print('already' in made ? `server ${n} is not a member` : `removed server ${n} (index ${made.index}, term ${made.term}): ${shown(made.configuration)}`,
        { result: 'removed', ...('already' in made ? { already: true } : { index: made.index, term: made.term, configuration: made.configuration }) });
      return 0;
    }
    const added = await change(client, config, { kind: 'AddLearner', server: n }, until);
    print('already' in added ? `server ${n} is already a member` : `added server ${n} at ${config.address} as a learner (index ${added.index}, term ${added.term})`,
      { result: 'learner', ...('already' in added ? { already: true } : { index: added.index, term: added.term }) });
    const caught = await catchUp(client, config, added.leader, until);
    if (caught === 'voter') {
      print(`server ${n} is already a voter`, { result: 'voter', already: true });
      return 0;
    }
    print(`server ${n} caught up: matchIndex ${caught.matchIndex}, the leader's commitIndex ${caught.commitIndex}`, { result: 'caught-up', ...caught });
    const promoted = await change(client, config, { kind: 'PromoteLearner', server: n }, until);
    print('already' in promoted ? `server ${n} is already a voter` : `server ${n} is a voter (index ${promoted.index}, term ${promoted.term}): ${shown(promoted.configuration)}`,
      { result: 'voter', ...('already' in promoted ? { already: true } : { index: promoted.index, term: promoted.term, configuration: promoted.configuration }) });
    return 0;
  } catch (error) {
    if (!(error instanceof ChangeFailed)) throw error;
    process.stderr.write(`pure-raft ${verb}: ${error.message}\n`);
    return 1;
  } finally {
    client.close();
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Asks for one change until a leader makes it, finds it made, or refuses it for good. */
async function change(client: AdminClient, config: MembershipConfig, change: MembershipChange, until: number): Promise<Made> {
  const peers = config.peers.map(formatAddress);
  let next = 0;
  let target = peers[0]!;
  let lastWhy = 'no server answered';
  const moveOn = async (hint: string | null): Promise<void> => {
    if (hint !== null && hint !== target) {
      target = hint;
      return;
    }
    next = (next + 1) % peers.length;
    target = peers[next]!;
    if (next === 0) await sleep(100); // a full round without a leader: an election is on
  };
  while (Date.now() < until) {
    let reply: MembershipReply;
    try {
      const payload = { op: 'membership', kind: change.kind, server: change.server, ...(change.kind === 'AddLearner' ? { address: config.address } : {}) };
      reply = (await client.ask(target, payload, Math.max(1, Math.min(10_000, until - Date.now())))) as unknown as MembershipReply;
    } catch (error) {
      lastWhy = `${target}: ${(error as Error).message}`;
      await moveOn(null);
      continue;
    }
    if (reply.ok) return { index: reply.index, term: reply.term, configuration: reply.configuration, leader: target };
    switch (reply.error) {
      case 'not-leader':
        lastWhy = `${target} is not the leader`;
        await moveOn(reply.leaderAddress);
        continue;
      case 'lost': case 'unknown':
        lastWhy = `the change at index ${reply.index} was ${reply.error}`;
        continue; // asked again: a change that was made is recognised below
      case 'refused': {
        const c = reply.configuration;
        switch (reply.reason) {
          case 'no-commit-in-term': case 'change-in-progress':
            lastWhy = `${target} refused for now (${reply.reason})`;
            await sleep(100);
            continue;
          case 'already-member':
            return { already: true, leader: target };
          case 'not-a-learner':
            if (c.voters.includes(change.server)) return { already: true, leader: target };
            throw new ChangeFailed(`server ${change.server} is not a learner (${shown(c)}): add it first (pure-raft add-server)`);
          case 'no-such-server':
            if (change.kind === 'RemoveServer') return { already: true, leader: target }; // not a member (now, or ever)
            throw new ChangeFailed(`server ${change.server} is outside the cluster's ids (the nodes' --max-servers)`);
          case 'last-voter':
            throw new ChangeFailed(`server ${change.server} is the only voter (${shown(c)}): the last voter cannot be removed`);
        }
      }
    }
  }
  throw new ChangeFailed(`${change.kind} of server ${change.server} not done within ${config.timeoutMs / 1000} s (${lastWhy})`);
}

/** Waits until the learner's matchIndex on the leader is within `catchUp` of its commitIndex; 'voter' when it already is one. */
async function catchUp(client: AdminClient, config: MembershipConfig, leader: string, until: number): Promise<'voter' | { matchIndex: number; commitIndex: number }> {
  let target = leader;
  const peers = config.peers.map(formatAddress);
  let next = 0;
  while (Date.now() < until) {
    let status: NodeStatus;
    try {
      status = (await client.ask(target, { op: 'status' }, Math.max(1, Math.min(2_000, until - Date.now())))) as unknown as NodeStatus;
    } catch {
      next = (next + 1) % peers.length;
      target = peers[next]!;
      await sleep(50);
      continue;
    }
    if (status.configuration.voters.includes(config.server)) return 'voter';
    if (status.role !== 'leader' || status.matchIndex === undefined) {
      const hint = status.leaderAddress;
      if (hint !== null && hint !== target) target = hint;
      else {
        next = (next + 1) % peers.length;
        target = peers[next]!;
      }
      await sleep(50);
      continue;
    }
    const matchIndex = status.matchIndex[config.server] ?? 0;
    if (matchIndex >= status.commitIndex - config.catchUp) return { matchIndex, commitIndex: status.commitIndex };
    await sleep(50);
  }
  throw new ChangeFailed(`server ${config.server} did not catch up within ${config.timeoutMs / 1000} s (is it running, at ${config.address}?)`);
}
