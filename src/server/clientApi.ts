import { lastLogIndex, type RaftState } from '../core/index.js';
import { nestsDeeperThan } from '../runtime/net/index.js';
import type { LeaderHint } from './leaderHint.js';
import type { ReplicatedLog, SubmitReply } from './replicatedLog.js';

/**
 * The node's client protocol, one JSON object per request:
 *   { op: 'submit', command }          -> SubmitReply (answered once the entry is applied)
 *   { op: 'submit-many', commands }    -> { ok: true, replies: SubmitReply[] } (one per command, in order)
 *   { op: 'status' }                   -> NodeStatus
 *   { op: 'read', from?, limit? }      -> { from, commands } (applied commands, 1-based from)
 * Anything else gets { ok: false, error: 'bad-request', reason }.
 */
export type ClientRequest =
  | { readonly op: 'submit'; readonly command: unknown }
  | { readonly op: 'submit-many'; readonly commands: readonly unknown[] }
  | { readonly op: 'status' }
  | { readonly op: 'read'; readonly from?: number; readonly limit?: number };

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

export type ClientReply = SubmitReply | SubmitManyReply | NodeStatus | ReadReply | BadRequest;

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
    default:
      return bad(`unknown op ${JSON.stringify(p['op'])}: expected submit, submit-many, status or read`);
  }
}

/** Answers one client request against the running node and its replicated log (and who leads, given a hint). */
export function answerClient(
  payload: unknown,
  node: { readonly raftState: RaftState },
  app: ReplicatedLog,
  hint: LeaderHint | null = null,
): ClientReply | Promise<ClientReply> {
  const request = parseClientRequest(payload);
  if ('ok' in request) return request;
  switch (request.op) {
    case 'submit':
      return app.submit(request.command);
    case 'submit-many':
      return Promise.all(request.commands.map((c) => app.submit(c))).then((replies) => ({ ok: true, replies }));
    case 'status': {
      const s = node.raftState;
      return {
        ok: true, id: s.id, currentTerm: s.currentTerm, role: s.role, votedFor: s.votedFor, leaderId: hint?.leaderId(s) ?? (s.role === 'leader' ? s.id : null),
        logLength: lastLogIndex(s), lastIncludedIndex: s.lastIncludedIndex, commitIndex: s.commitIndex, lastApplied: app.lastApplied, appliedCommands: app.length, pendingSubmits: app.pending,
      };
    }
    case 'read': {
      const from = request.from ?? 1;
      return { ok: true, from, commands: app.read(from, request.limit ?? READ_LIMIT) };
    }
  }
}
