import type { Clock, TimerHandle } from './clock.js';
import { messageSize } from './messageSize.js';
import type { RandomSource } from './random.js';
import type { ReplyCallback, RequestMessage, RpcHandler, Transport } from './transport.js';

/**
 * An in-memory network with the semantics of the Raft lab's labrpc.
 *
 * Clients call through ends; an end is wired to one server id and is enabled or not. Every
 * request is independent (so replies reorder even when reliable). Per call:
 * - the link state, the target server, reliability and long reordering are read when the call
 *   is made;
 * - on a disabled end or a missing server the call fails. labrpc fails it after 0-6999 ms
 *   (long delays), to catch senders that block on RPCs; here a failure is silence either way,
 *   since the core never waits for a reply, so nothing needs to be scheduled;
 * - unreliable: 0-26 ms delay, then the request is dropped with probability 0.1 (handler not
 *   run);
 * - the handler runs on the server read at call time; if by the time it responds that server
 *   was removed or replaced, or the end was disabled, the reply is discarded (a reply must not
 *   vouch for a write to a persister the harness has since superseded);
 * - unreliable: the reply is dropped with probability 0.1 (the handler did run);
 * - long reordering: with probability 2/3 the reply is delayed 200 + rand(1 + rand(2000)) ms.
 *
 * Counters: every call counts once in the total and adds its request's bytes; a server counts
 * the requests its handler ran; a delivered reply adds its bytes.
 *
 * `jitterMs` adds a uniform 0..jitterMs delay to each hop of a reliable network, standing in
 * for the scheduling of labrpc's goroutines (the simulator uses it to reorder messages as a
 * real machine would); 0 in real time, where the event loop does that on its own.
 */
export interface End {
  readonly id: number;
}

interface EndState {
  enabled: boolean;
  server: number | null;
}

interface Server {
  readonly handler: RpcHandler;
  count: number;
}

export class MemoryNetwork {
  private reliable = true;
  private longReordering = false;
  private longDelays = false;
  private readonly ends = new Map<End, EndState>();
  private readonly servers = new Map<number, Server>();
  private readonly inFlight = new Set<TimerHandle>();
  private nextEndId = 0;
  private done = false;
  private totalCount = 0;
  private totalBytes = 0;

  constructor(
    private readonly clock: Clock,
    private readonly random: RandomSource,
    private readonly jitterMs = 0,
  ) {}

  makeEnd(): End {
    const end: End = { id: this.nextEndId++ };
    this.ends.set(end, { enabled: false, server: null });
    return end;
  }

  /** Wires an end to a server id (disabled until enabled). */
  connect(end: End, server: number): void {
    this.endState(end).server = server;
  }

  enable(end: End, enabled: boolean): void {
    this.endState(end).enabled = enabled;
  }

  addServer(id: number, handler: RpcHandler): void {
    this.servers.set(id, { handler, count: 0 });
  }

  deleteServer(id: number): void {
    this.servers.delete(id);
  }

  setReliable(yes: boolean): void {
    this.reliable = yes;
  }

  setLongReordering(yes: boolean): void {
    this.longReordering = yes;
  }

  /** Kept for the lab's API; see the class comment for why failures need no delay here. */
  setLongDelays(yes: boolean): void {
    this.longDelays = yes;
  }

  get longDelaysEnabled(): boolean {
    return this.longDelays;
  }

  /** RPCs whose handler ran on the server now registered under `id` (0 if none). */
  getCount(id: number): number {
    return this.servers.get(id)?.count ?? 0;
  }

  getTotalCount(): number {
    return this.totalCount;
  }

  getTotalBytes(): number {
    return this.totalBytes;
  }

  /** Ends the network: nothing in flight is delivered any more. */
  cleanup(): void {
    this.done = true;
    for (const timer of this.inFlight) timer.cancel();
    this.inFlight.clear();
  }

  /** A Transport for one client: requests to peer j go through ends[j]. */
  transport(ends: readonly End[]): Transport {
    return {
      clusterSize: ends.length,
      call: (request, onReply) => {
        const end = ends[request.to];
        if (end === undefined) throw new RangeError(`no end for server ${request.to}`);
        this.call(end, request, onReply);
      },
    };
  }

  call(end: End, request: RequestMessage, onReply: ReplyCallback): void {
    if (this.done) return;
    this.totalCount++;
    this.totalBytes += messageSize(request);
    const link = this.endState(end);
    const serverId = link.server;
    const server = serverId === null ? undefined : this.servers.get(serverId);
    if (!link.enabled || serverId === null || server === undefined) return; // fails: the caller hears nothing
    const reliable = this.reliable;
    const longReordering = this.longReordering;

    this.after(reliable ? this.jitter() : this.random.int(27), () => {
      if (!reliable && this.random.int(1000) < 100) return; // request lost
      server.count++;
      let answered = false;
      server.handler.handle(request, (reply) => {
        if (answered || this.done) return;
        answered = true;
        const serverDead = !link.enabled || this.servers.get(serverId) !== server;
        if (serverDead) return;
        if (!reliable && this.random.int(1000) < 100) return; // reply lost
        const delay = longReordering && this.random.int(900) < 600
          ? 200 + this.random.int(1 + this.random.int(2000))
          : this.jitter();
        this.after(delay, () => {
          this.totalBytes += messageSize(reply);
          onReply(reply);
        });
      });
    });
  }

  private jitter(): number {
    return this.jitterMs > 0 ? this.random.next() * this.jitterMs : 0;
  }

  /** Schedules a delivery, always asynchronously, so no node steps inside another's step. */
  private after(ms: number, fn: () => void): void {
    const timer = this.clock.setTimeout(() => {
      this.inFlight.delete(timer);
      if (!this.done) fn();
    }, ms);
    this.inFlight.add(timer);
  }

  private endState(end: End): EndState {
    const state = this.ends.get(end);
    if (!state) throw new Error(`end ${end.id} does not belong to this network`);
    return state;
  }
}
