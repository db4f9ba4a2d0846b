import type { Message, ServerId } from '../../core/index.js';
import type { Clock, TimerHandle } from '../clock.js';
import { messageSize } from '../messageSize.js';
import type { RandomSource } from '../random.js';
import { isRequest, type Receiver, type Transport } from '../transport.js';
import { messageFate, type NetworkSettings } from './faults.js';
import { allConnected, isCut, withLink, type Links } from './links.js';

export interface SimNetworkOptions {
  /** Server ids are 0..servers-1. */
  readonly servers: number;
  readonly clock: Clock;
  readonly random: RandomSource;
  /**
   * Adds a uniform 0..jitterMs delay to each message of a reliable network, standing in for the
   * scheduling of labrpc's goroutines (the simulator uses it to reorder messages as a real
   * machine would); 0 in real time, where the event loop does that on its own.
   */
  readonly jitterMs?: number;
}

/** One running instance of a server: a restart attaches a new one. */
interface Instance {
  readonly receiver: Receiver;
  /** Requests delivered to it (the lab's per-server RPC count). */
  count: number;
}

/**
 * The one simulated network: messages in memory with the fault model of the Raft lab's labrpc,
 * on a real or a virtual clock (the lab harness runs it on both; `npm run sim` on the virtual
 * one).
 *
 * Every message is independent (so they reorder even when reliable), and every link has a
 * direction: the link from a to b may be cut while b to a still carries. A request
 * (RequestVote, AppendEntries, InstallSnapshot) and its reply are two messages, each on its own link; the lab's
 * RPC semantics are these rules:
 * - when a message is sent, its link, its sender and its receiver are read: a message on a
 *   disabled link, from a server instance that has been superseded (killed and restarted, or
 *   detached), or to a server that is not attached, is lost. So a reply from a server the
 *   harness has since replaced never arrives: it must not vouch for a write to a persister the
 *   harness has superseded;
 * - nothing reaches an instance once it is superseded;
 * - what becomes of a message its link carries is the world's fault model (faults.ts), with
 *   the lab's numbers: a request, unreliable: 0-26 ms delay, lost with probability 0.1; a
 *   reply, unreliable: lost with probability 0.1; long reordering: with probability 2/3
 *   delayed 200 + rand(1 + rand(2000)) ms; otherwise 0-jitterMs.
 * labrpc fails a call on a disabled link after a long delay (long delays), to catch senders
 * that block on RPCs; here a loss is silence either way, since no one waits on a reply.
 *
 * Counters, as labrpc's: every request sent counts once in the total and adds its bytes; a
 * server counts the requests delivered to it; a delivered reply adds its bytes.
 */
export class SimNetwork {
  readonly servers: number;
  private readonly clock: Clock;
  private readonly random: RandomSource;
  private readonly jitterMs: number;
  private reliable = true;
  private longReordering = false;
  private longDelays = false;
  private links: Links;
  private readonly attached: (Instance | null)[];
  private readonly inFlight = new Set<TimerHandle>();
  private done = false;
  private totalCount = 0;
  private totalBytes = 0;

  constructor(options: SimNetworkOptions) {
    const { servers } = options;
    this.links = allConnected(servers);
    this.servers = servers;
    this.clock = options.clock;
    this.random = options.random;
    this.jitterMs = options.jitterMs ?? 0;
    this.attached = new Array<Instance | null>(servers).fill(null);
  }

  /**
   * A new instance of server `id` joins, superseding the one attached before (if any): what it
   * sends from now on is lost, and nothing more reaches it. Returns the new instance's way out;
   * what reaches it goes to `receiver`.
   */
  attach(id: ServerId, receiver: Receiver): Transport {
    this.checkId(id);
    const instance: Instance = { receiver, count: 0 };
    this.attached[id] = instance;
    return {
      clusterSize: this.servers,
      send: (message) => {
        if (message.from !== id) throw new RangeError(`${message.type} from ${message.from} sent by server ${id}`);
        this.checkId(message.to);
        this.send(instance, message);
      },
    };
  }

  /** Server `id` leaves the network (crashed): its instance is superseded by none. */
  detach(id: ServerId): void {
    this.checkId(id);
    this.attached[id] = null;
  }

  /** Enables or disables the link from `from` to `to` (one direction). */
  setLink(from: ServerId, to: ServerId, enabled: boolean): void {
    this.checkId(from);
    this.checkId(to);
    this.links = withLink(this.links, from, to, !enabled);
  }

  linkEnabled(from: ServerId, to: ServerId): boolean {
    return !isCut(this.links, from, to);
  }

  /** The links now, per direction (a value: later changes make a new one). */
  get linkState(): Links {
    return this.links;
  }

  setReliable(yes: boolean): void {
    this.reliable = yes;
  }

  setLongReordering(yes: boolean): void {
    this.longReordering = yes;
  }

  /** Kept for the lab's API; see the class comment for why losses need no delay here. */
  setLongDelays(yes: boolean): void {
    this.longDelays = yes;
  }

  get longDelaysEnabled(): boolean {
    return this.longDelays;
  }

  /** Requests delivered to the instance of server `id` attached now (0 if none). */
  getCount(id: ServerId): number {
    return this.attached[id]?.count ?? 0;
  }

  getTotalCount(): number {
    return this.totalCount;
  }

  getTotalBytes(): number {
    return this.totalBytes;
  }

  /** Ends the network: nothing in flight is delivered any more, nothing sent leaves. */
  cleanup(): void {
    this.done = true;
    for (const timer of this.inFlight) timer.cancel();
    this.inFlight.clear();
  }

  private send(sender: Instance, message: Message): void {
    if (this.done) return;
    const request = isRequest(message);
    if (request) {
      this.totalCount++;
      this.totalBytes += messageSize(message);
    }
    const target = this.attached[message.to];
    const current = this.attached[message.from] === sender;
    if (!current || !target || !this.linkEnabled(message.from, message.to)) return; // lost: the sender hears nothing
    const fate = messageFate(this.settings(), request, () => this.random.next());
    if (fate.lost) return;
    this.after(fate.delayMs, () => {
      if (this.attached[message.to] !== target) return;
      if (request) target.count++;
      else this.totalBytes += messageSize(message);
      target.receiver.onReceive(message);
    });
  }

  /** The fault model's settings now: labrpc's switches, and a reliable delay of 0..jitterMs. */
  private settings(): NetworkSettings {
    return { reliable: this.reliable, longReordering: this.longReordering, delayMinMs: 0, delayMaxMs: this.jitterMs };
  }

  /** Schedules a delivery, always asynchronously, so no node steps inside another's step. */
  private after(ms: number, fn: () => void): void {
    const timer = this.clock.setTimeout(() => {
      this.inFlight.delete(timer);
      if (!this.done) fn();
    }, ms);
    this.inFlight.add(timer);
  }

  private checkId(id: ServerId): void {
    if (!(Number.isSafeInteger(id) && id >= 0 && id < this.servers)) throw new RangeError(`no server ${id} (servers 0..${this.servers - 1})`);
  }
}
