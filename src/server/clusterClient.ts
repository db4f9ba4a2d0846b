import { ClientRequestError, TcpClient } from '../runtime/net/index.js';
import { commandProblem, SUBMIT_MANY_LIMIT, type NodeStatus, type ReadReply, type SubmitManyReply } from './clientApi.js';
import type { SubmitReply } from './replicatedLog.js';
import { withTimeout } from './timeout.js';

/**
 * What became of a submit: `committed` (acknowledged); `lost` (a new leader overwrote its entry:
 * not committed); `unknown` (it may have committed: the request timed out or broke after it was
 * sent, or a snapshot replaced its entry before the server applied it); `no-leader` (never
 * appended: no server took it before the deadline); `refused` (a bad request, see `reason`).
 */
export type SubmitFate = 'committed' | 'lost' | 'unknown' | 'no-leader' | 'refused';

export interface SubmitOutcome {
  /** Acknowledged: the command is committed in the entry at Raft `index` and applied by the node that answered. */
  readonly committed: boolean;
  readonly fate: SubmitFate;
  /** The entry's Raft log index and term (committed), or what the server said of it. */
  readonly index?: number;
  readonly term?: number;
  /** Its place (1-based) in the replicated list of commands. */
  readonly position?: number;
  /** Which server answered last, and how many servers were tried. */
  readonly server: number;
  readonly attempts: number;
  /** Why, for a refused or unknown outcome. */
  readonly reason?: string;
}

/** The server could not be reached: the request was never sent, so it is safe to send elsewhere. */
export class NotSentError extends Error {}

interface Queued {
  readonly command: unknown;
  readonly resolve: (reply: SubmitReply) => void;
  readonly reject: (error: unknown) => void;
}

export interface ClusterClientOptions {
  /** A request unanswered this long fails (default 2 s). */
  readonly requestTimeoutMs?: number;
  /**
   * Coalesce the submits made in one turn of the event loop into one `submit-many` request per
   * server (default true): one frame each way instead of one per command. Each submit is still
   * acknowledged on its own. Off: one `submit` request per command.
   */
  readonly coalesce?: boolean;
  /** The cluster to reach (its --cluster-id): a server of another one is refused. Default: any. */
  readonly clusterId?: string;
}

/**
 * A client of a running cluster: one authenticated connection per server, opened lazily and
 * reopened after a failure; submits go to the last server that said it was leader, and move
 * on to the next server on 'not-leader', on a broken connection, or after the request timeout.
 */
export class ClusterClient {
  private readonly connections: (Promise<TcpClient> | null)[];
  private readonly queues: Queued[][];
  private leader = 0;
  private readonly requestTimeoutMs: number;
  private readonly coalesce: boolean;
  private readonly clusterId: string | undefined;
  private closed = false;

  constructor(
    private readonly addresses: readonly string[],
    private readonly secret: string,
    options: ClusterClientOptions | number = {},
  ) {
    const o = typeof options === 'number' ? { requestTimeoutMs: options } : options;
    this.requestTimeoutMs = o.requestTimeoutMs ?? 2_000;
    this.coalesce = o.coalesce ?? true;
    this.clusterId = o.clusterId;
    this.connections = addresses.map(() => null);
    this.queues = addresses.map(() => []);
  }

  /** One command to one server: coalesced with the others of this turn, or a request of its own. */
  private submitTo(server: number, command: unknown, timeoutMs: number): Promise<SubmitReply> {
    if (!this.coalesce) return this.request(server, { op: 'submit', command }, timeoutMs) as Promise<SubmitReply>;
    return new Promise((resolve, reject) => {
      const queue = this.queues[server]!;
      if (queue.length === 0) setImmediate(() => this.flush(server));
      queue.push({ command, resolve, reject });
    });
  }

  private flush(server: number): void {
    const batch = this.queues[server]!.splice(0, SUBMIT_MANY_LIMIT);
    if (batch.length === 0) return;
    if (this.queues[server]!.length > 0) setImmediate(() => this.flush(server)); // the rest in requests of their own
    if (this.closed) {
      const error = new NotSentError('the client is closed');
      for (const q of batch) q.reject(error);
      return;
    }
    this.request(server, { op: 'submit-many', commands: batch.map((q) => q.command) }).then(
      (reply) => {
        const replies = (reply as SubmitManyReply).replies;
        if (!Array.isArray(replies) || replies.length !== batch.length) {
          const error = new Error(`submit-many: ${batch.length} commands but ${Array.isArray(replies) ? replies.length : 'no'} replies`);
          for (const q of batch) q.reject(error);
          return;
        }
        batch.forEach((q, i) => q.resolve(replies[i]!));
      },
      (error: unknown) => { for (const q of batch) q.reject(error); },
    );
  }

  /** Sends one request to one server; rejects on timeout or a broken connection. */
  async request(server: number, payload: unknown, timeoutMs = this.requestTimeoutMs): Promise<unknown> {
    if (this.closed) throw new NotSentError('the client is closed');
    let connection = this.connections[server] ?? null;
    if (!connection) {
      connection = TcpClient.connect(this.addresses[server]!, this.secret, this.clusterId === undefined ? {} : { clusterId: this.clusterId });
      connection.catch(() => undefined);
      this.connections[server] = connection;
    }
    let client: TcpClient;
    try {
      client = await withTimeout(connection, timeoutMs, 'connect');
    } catch (error) {
      this.drop(server, connection);
      throw new NotSentError(`server ${server} unreachable: ${(error as Error).message}`);
    }
    try {
      return await withTimeout(client.request(payload), timeoutMs, 'request');
    } catch (error) {
      this.drop(server, connection);
      if (error instanceof ClientRequestError && error.kind === 'not-sent') throw new NotSentError(`server ${server}: ${error.message}`);
      throw error;
    }
  }

  /**
   * Submits a command until some leader acknowledges it or `deadlineMs` passes. A server that
   * cannot be reached, or says it is not the leader, never appended the command: the next one is
   * tried with it. A timed-out, broken or lost attempt is NOT retried with the same command (it
   * may yet commit): the outcome then says `committed: false`, meaning unknown.
   */
  async submit(command: unknown, deadlineMs = 10_000): Promise<SubmitOutcome> {
    // Refused here, alone: in a submit-many with others it would refuse them all.
    const problem = commandProblem(command);
    if (problem !== null) return { committed: false, fate: 'refused', server: this.leader, attempts: 0, reason: problem };
    const until = Date.now() + deadlineMs;
    let attempts = 0;
    let server = this.leader;
    while (Date.now() < until) {
      attempts++;
      let reply: SubmitReply;
      try {
        reply = await this.submitTo(server, command, Math.min(this.requestTimeoutMs, Math.max(1, until - Date.now())));
      } catch (error) {
        if (error instanceof NotSentError) {
          // never sent: try the next server with the same command
          server = (server + 1) % this.addresses.length;
          if (server === this.leader) await sleep(50);
          continue;
        }
        // the command may have been appended before the failure: its fate is unknown
        this.leader = (server + 1) % this.addresses.length;
        return { committed: false, fate: 'unknown', server, attempts, reason: (error as Error).message };
      }
      if (reply.ok) {
        this.leader = server;
        return { committed: true, fate: 'committed', index: reply.index, term: reply.term, position: reply.position, server, attempts };
      }
      if (reply.error !== 'not-leader') return failed(reply, server, attempts);
      server = (server + 1) % this.addresses.length; // not-leader: it never appended the command
      if (server === this.leader) await sleep(50); // a full round without a leader: an election is on
    }
    return { committed: false, fate: 'no-leader', server, attempts };
  }

  status(server: number, timeoutMs?: number): Promise<NodeStatus> {
    return this.request(server, { op: 'status' }, timeoutMs) as Promise<NodeStatus>;
  }

  /** Every command the server has applied, in order (paged). */
  async readAll(server: number): Promise<unknown[]> {
    const all: unknown[] = [];
    for (;;) {
      const page = (await this.request(server, { op: 'read', from: all.length + 1 })) as ReadReply;
      if (!page.ok) throw new Error(`read failed: ${JSON.stringify(page)}`);
      all.push(...page.commands);
      if (page.commands.length === 0) return all;
    }
  }

  /** Forgets a server's connection (e.g. after it was killed); given `only`, only if it is still that one. */
  drop(server: number, only?: Promise<TcpClient>): void {
    const connection = this.connections[server];
    if (only !== undefined && connection !== only) return;
    this.connections[server] = null;
    void connection?.then((c) => c.close(), () => undefined);
  }

  close(): void {
    this.closed = true;
    for (let i = 0; i < this.connections.length; i++) this.drop(i);
  }
}

/** A reply that is neither an acknowledgement nor not-leader. */
function failed(reply: { readonly error?: unknown; readonly reason?: unknown; readonly index?: number; readonly term?: number }, server: number, attempts: number): SubmitOutcome {
  const where = { ...(reply.index !== undefined ? { index: reply.index } : {}), ...(reply.term !== undefined ? { term: reply.term } : {}) };
  if (reply.error === 'lost') return { committed: false, fate: 'lost', ...where, server, attempts };
  if (reply.error === 'unknown') return { committed: false, fate: 'unknown', ...where, server, attempts, reason: 'a snapshot replaced its entry before the server applied it' };
  return { committed: false, fate: 'refused', server, attempts, reason: typeof reply.reason === 'string' ? reply.reason : JSON.stringify(reply) };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
