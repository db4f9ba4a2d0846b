import {
  configurationInEffect, lastLogIndex,
  type Configuration, type MembershipChange, type MembershipRefusal, type MembershipResult, type RaftState,
} from '../core/index.js';
import { formatAddress, nestsDeeperThan, parseAddress } from '../runtime/net/index.js';
import { memberContext } from './addressBook.js';
import type { LeaderHint } from './leaderHint.js';
import type { ReplicatedLog, SubmitReply } from './replicatedLog.js';

/**
 * The node's client protocol, one JSON object per request:
 *   { op: 'submit', command }          -> SubmitReply (answered once the entry is applied)
 *   { op: 'submit-many', commands }    -> { ok: true, replies: SubmitReply[] } (one per command, in order)
 *   { op: 'status' }                   -> NodeStatus
 *   { op: 'read', from?, limit? }      -> { from, commands } (applied commands, 1-based from)
 *   { op: 'membership', kind, server, address? } -> MembershipReply (answered once the
 *                                        configuration entry is applied; address: AddLearner's)
 *   { op: 'cluster' }                  -> ClusterReply (what a server needs to join: --join)
 * Anything else gets { ok: false, error: 'bad-request', reason }.
 */
export type ClientRequest =
  | { readonly op: 'submit'; readonly command: unknown }
  | { readonly op: 'submit-many'; readonly commands: readonly unknown[] }
  | { readonly op: 'status' }
  | { readonly op: 'read'; readonly from?: number; readonly limit?: number }
  | { readonly op: 'membership'; readonly change: MembershipChange; readonly address?: string }
  | { readonly op: 'cluster' };

export const MEMBERSHIP_KINDS: readonly MembershipChange['kind'][] = ['AddLearner', 'PromoteLearner', 'RemoveServer'];

/**
 * A membership change's answer: done (its configuration entry committed and applied here, in
 * the term it was appended in), or why not: 'not-leader' (ask the leader: its id and address
 * when known), 'refused' (the core's reason: 'no-commit-in-term' and 'change-in-progress' mean
 * ask again shortly), 'lost' (a new leader overwrote the entry: not done), 'unknown' (a snapshot
 * covered it first: it may be done; ask status).
 */
export type MembershipReply =
  | { readonly ok: true; readonly index: number; readonly term: number; readonly configuration: Configuration }
  | { readonly ok: false; readonly error: 'not-leader'; readonly leaderId: number | null; readonly leaderAddress: string | null }
  | { readonly ok: false; readonly error: 'refused'; readonly reason: Exclude<MembershipRefusal, 'not-leader'>; readonly configuration: Configuration }
  | { readonly ok: false; readonly error: 'lost' | 'unknown'; readonly index: number; readonly term: number };

/** What a server started with --join reads from a running one. */
export interface ClusterReply {
  readonly ok: true;
  readonly clusterId: string;
  /** The id space (--max-servers) and the founding servers' addresses (--peers, ids 0..k-1). */
  readonly maxServers: number;
  readonly peers: readonly string[];
}

export interface NodeStatus {
  readonly ok: true;
  readonly id: number;
  readonly currentTerm: number;
  readonly role: RaftState['role'];
  readonly votedFor: number | null;
  /** The leader of currentTerm as this server knows it (itself, or the one it heard from), else null. */
  readonly leaderId: number | null;
  /** The index of the last log entry (absolute), and of the last one the snapshot replaced (0: none). */
  readonly logLength: number;
  readonly lastIncludedIndex: number;
  readonly commitIndex: number;
  /** The Raft index of the last entry applied, and how many commands those entries carried. */
  readonly lastApplied: number;
  readonly appliedCommands: number;
  readonly pendingSubmits: number;
  /** The configuration in effect (the latest in the log, committed or not). */
  readonly configuration: Configuration;
  /** A leader's matchIndex per server id (its own slot is its last log index); absent on others. */
  readonly matchIndex?: readonly number[];
  /** The leader's address as this server knows it, else null. */
  readonly leaderAddress: string | null;
}

export interface ReadReply {
  readonly ok: true;
  readonly from: number;
  readonly commands: readonly unknown[];
}

export interface SubmitManyReply {
  readonly ok: true;
  readonly replies: readonly SubmitReply[];
}

export interface BadRequest {
  readonly ok: false;
  readonly error: 'bad-request';
  readonly reason: string;
}

export type ClientReply = SubmitReply | SubmitManyReply | NodeStatus | ReadReply | MembershipReply | ClusterReply | BadRequest;

export const READ_LIMIT = 10_000;
export const SUBMIT_MANY_LIMIT = 10_000;
/**
 * A command's limits: its JSON at most 16 KiB and 64 levels deep. With ReplicatedLog's budget
 * per entry and the runtime's cap on entries per AppendEntries, every request a leader builds
 * then fits in a frame, and every reply that carries commands (read) encodes.
 */
export const MAX_COMMAND_BYTES = 16 * 1024;
export const MAX_COMMAND_DEPTH = 64;

/** Why a command cannot be replicated, or null when it can. */
export function commandProblem(command: unknown): string | null {
  if (command === undefined) return 'a command is a JSON value';
  if (nestsDeeperThan(command, MAX_COMMAND_DEPTH)) return `a command nests deeper than ${MAX_COMMAND_DEPTH} levels`;
  const bytes = Buffer.byteLength(JSON.stringify(command), 'utf8');
  if (bytes > MAX_COMMAND_BYTES) return `a command is ${bytes} bytes of JSON, more than ${MAX_COMMAND_BYTES}`;
  return null;
}

export function parseClientRequest(payload: unknown): ClientRequest | BadRequest {
  const bad = (reason: string): BadRequest => ({ ok: false, error: 'bad-request', reason });
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return bad('a request is a JSON object');
  const p = payload as Record<string, unknown>;
  switch (p['op']) {
    case 'submit':
      if (!('command' in p) || p['command'] === undefined) return bad('submit needs a command');
      const problem = commandProblem(p['command']);
      if (problem) return bad(`submit: ${problem}`);
      return { op: 'submit', command: p['command'] };
    case 'submit-many': {
      const commands = p['commands'];
      if (!Array.isArray(commands) || commands.length === 0 || commands.length > SUBMIT_MANY_LIMIT) {
        return bad(`submit-many needs commands: an array of 1..${SUBMIT_MANY_LIMIT} commands`);
      }
      for (let i = 0; i < commands.length; i++) {
        const problem = commandProblem(commands[i]);
        if (problem) return bad(`submit-many: command ${i}: ${problem}`);
      }
      return { op: 'submit-many', commands };
    }
    case 'status':
      return { op: 'status' };
    case 'read': {
      const from = p['from'] ?? 1;
      const limit = p['limit'] ?? READ_LIMIT;
      if (!Number.isSafeInteger(from) || (from as number) < 1) return bad('read.from must be an integer >= 1');
      if (!Number.isSafeInteger(limit) || (limit as number) < 1 || (limit as number) > READ_LIMIT) {
        return bad(`read.limit must be an integer in 1..${READ_LIMIT}`);
      }
      return { op: 'read', from: from as number, limit: limit as number };
    }
    case 'membership': {
      const kind = p['kind'];
      const server = p['server'];
      if (typeof kind !== 'string' || !(MEMBERSHIP_KINDS as readonly string[]).includes(kind)) return bad(`membership.kind must be one of ${MEMBERSHIP_KINDS.join(', ')}`);
      if (!Number.isSafeInteger(server) || (server as number) < 0) return bad('membership.server must be a server id (an integer >= 0)');
      const change: MembershipChange = { kind: kind as MembershipChange['kind'], server: server as number };
      if (kind !== 'AddLearner') return p['address'] === undefined ? { op: 'membership', change } : bad(`membership.address is for AddLearner only`);
      const address = p['address'];
      if (typeof address !== 'string') return bad('membership AddLearner needs address: the new server\'s HOST:PORT');
      try {
        return { op: 'membership', change, address: formatAddress(parseAddress(address)) };
      } catch {
        return bad(`membership.address '${address}' is not HOST:PORT`);
      }
    }
    case 'cluster':
      return { op: 'cluster' };
    default:
      return bad(`unknown op ${JSON.stringify(p['op'])}: expected submit, submit-many, status, read, membership or cluster`);
  }
}

/** What answerClient asks of the node process beyond the state: membership changes, addresses, the cluster's definition. */
export interface ClientContext {
  readonly changeMembership?: (change: MembershipChange, context?: unknown) => MembershipResult;
  /** Where a server listens, as this one knows it. */
  readonly addressOf?: (id: number) => string | undefined;
  readonly cluster?: Omit<ClusterReply, 'ok'>;
}

/** Answers one client request against the running node and its replicated log (and who leads, given a hint). */
export function answerClient(
  payload: unknown,
  node: { readonly raftState: RaftState },
  app: ReplicatedLog,
  hint: LeaderHint | null = null,
  context: ClientContext = {},
): ClientReply | Promise<ClientReply> {
  const request = parseClientRequest(payload);
  if ('ok' in request) return request;
  const leaderId = (): number | null => hint?.leaderId(node.raftState) ?? (node.raftState.role === 'leader' ? node.raftState.id : null);
  const leaderAddress = (): string | null => {
    const id = leaderId();
    return id === null ? null : context.addressOf?.(id) ?? null;
  };
  switch (request.op) {
    case 'submit':
      return app.submit(request.command);
    case 'submit-many':
      return Promise.all(request.commands.map((c) => app.submit(c))).then((replies) => ({ ok: true, replies }));
    case 'status': {
      const s = node.raftState;
      return {
        ok: true, id: s.id, currentTerm: s.currentTerm, role: s.role, votedFor: s.votedFor, leaderId: leaderId(),
        logLength: lastLogIndex(s), lastIncludedIndex: s.lastIncludedIndex, commitIndex: s.commitIndex, lastApplied: app.lastApplied, appliedCommands: app.length, pendingSubmits: app.pending,
        configuration: configurationInEffect(s), ...(s.role === 'leader' ? { matchIndex: s.matchIndex } : {}), leaderAddress: leaderAddress(),
      };
    }
    case 'membership':
      return changeMembership(request.change, request.address, node, app, context, () => ({ leaderId: leaderId(), leaderAddress: leaderAddress() }));
    case 'cluster':
      if (context.cluster === undefined) return { ok: false, error: 'bad-request', reason: 'this server does not say how to join it' };
      return { ok: true, ...context.cluster };
    case 'read': {
      const from = request.from ?? 1;
      return { ok: true, from, commands: app.read(from, request.limit ?? READ_LIMIT) };
    }
  }
}

/** Asks the node for the change; once it is in the leader's log, waits for it to be applied. */
function changeMembership(
  change: MembershipChange, address: string | undefined, node: { readonly raftState: RaftState }, app: ReplicatedLog, context: ClientContext,
  leader: () => { leaderId: number | null; leaderAddress: string | null },
): MembershipReply | Promise<MembershipReply> {
  if (context.changeMembership === undefined) return { ok: false, error: 'not-leader', ...leader() };
  const result = context.changeMembership(change, address === undefined ? undefined : memberContext(change.server, address));
  if (!result.ok) {
    if (result.reason === 'not-leader') return { ok: false, error: 'not-leader', ...leader() };
    return { ok: false, error: 'refused', reason: result.reason, configuration: configurationInEffect(node.raftState) };
  }
  return app.awaitApplied(result.index, result.term).then((fate): MembershipReply => fate === 'applied'
    ? { ok: true, index: result.index, term: result.term, configuration: configurationInEffect(node.raftState) }
    : { ok: false, error: fate, index: result.index, term: result.term });
}
