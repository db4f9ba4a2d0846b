import type { Message, ServerId } from '../../core/index.js';
import { realClock, type Clock } from '../clock.js';
import { freshSeed, seededRandom, type RandomSource } from '../random.js';
import type { Receiver, Transport } from '../transport.js';
import { formatAddress, parseAddress, type Address } from './address.js';
import { DEFAULT_BACKOFF, type BackoffSettings } from './backoff.js';
import type { ChannelSettings } from './channel.js';
import { consoleLogger, newCounters, type NetCounters, type NetLogger } from './counters.js';
import { DEFAULT_MAX_FRAME_BYTES, MAX_FRAME_LENGTH } from './framing.js';
import { clusterIdProblem, secretBytes, type Secret } from './handshake.js';
import { Listener, type ClientHandler } from './listener.js';
import { PeerLink } from './peerLink.js';
import { decodePeerFrame } from './rpcFrame.js';

export interface TcpTransportOptions {
  /** This server's id. */
  readonly me: ServerId;
  /**
   * "host:port" of every server, indexed by id; addresses[me] is where this one listens. null (or
   * past the end, up to clusterSize) for a server whose address is not known yet: messages to it
   * are dropped until setAddress names it.
   */
  readonly addresses: readonly (string | null)[];
  /** The id space, 0..clusterSize-1 (bound into every handshake). Default addresses.length. */
  readonly clusterSize?: number;
  /** The cluster secret every server and client shares. */
  readonly secret: Secret;
  /** The cluster's name, bound into every handshake: a server of another cluster is refused by name. Default '' (none). */
  readonly clusterId?: string;
  /** Largest frame accepted or sent (payload bytes, MAC tag included). Default 64 MiB. */
  readonly maxFrameBytes?: number;
  /** A connection not authenticated this long after it began is dropped. Default 5 s. */
  readonly handshakeTimeoutMs?: number;
  /** Reconnection backoff. Default 50 ms doubling up to 1 s, with jitter. */
  readonly backoff?: BackoffSettings;
  /**
   * Messages held per peer while its connection opens, at most (the oldest is dropped past
   * it). Default 1024. (The name is from when messages went as calls awaiting replies.)
   */
  readonly maxPendingCalls?: number;
  /** One line per notable event. Default: console.error. */
  readonly log?: NetLogger;
  readonly clock?: Clock;
  /** For backoff jitter. */
  readonly random?: RandomSource;
}

export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 5000;
export const DEFAULT_MAX_PENDING_CALLS = 1024;

/**
 * The runtime's Transport over TCP, for server `me` of a cluster whose addresses are known.
 *
 * Outgoing: `send(message)` writes one frame on this server's own connection to `message.to`
 * (PeerLink), made on the first message, re-made with backoff after a failure; a message a
 * peer cannot take now is dropped, as Raft expects of a network. Requests and replies go the
 * same way: a reply leaves on the replier's connection to the requester.
 * Incoming: `listen` accepts connections on addresses[me] and authenticates them; every
 * message that arrives, on any connection, goes to the one Receiver (a RaftNode), and clients'
 * requests to the ClientHandler. Everything is authenticated with the shared secret
 * (handshake.ts, frameAuth.ts).
 */
export class TcpTransport implements Transport {
  readonly clusterSize: number;
  readonly me: ServerId;
  private readonly addresses: (Address | null)[];
  private readonly counts: NetCounters = newCounters();
  private readonly settings: ChannelSettings;
  /** One per peer, made on the first message to it once its address is known. */
  private readonly links: (PeerLink | null)[];
  private readonly makeLink: (peer: ServerId) => PeerLink;
  /** Peers a message was dropped for because their address is unknown (logged once each). */
  private readonly unknownLogged = new Set<ServerId>();
  private listener: Listener | null = null;
  private receiver: Receiver | null = null;
  private closed = false;

  constructor(options: TcpTransportOptions) {
    const { me, addresses } = options;
    this.clusterSize = options.clusterSize ?? addresses.length;
    if (!(Number.isSafeInteger(this.clusterSize) && this.clusterSize >= addresses.length)) {
      throw new RangeError(`clusterSize ${this.clusterSize} is less than the ${addresses.length} addresses given`);
    }
    if (!(Number.isSafeInteger(me) && me >= 0 && me < this.clusterSize)) {
      throw new RangeError(`me = ${me}, not a server of 0..${this.clusterSize - 1}`);
    }
    this.me = me;
    this.addresses = Array.from({ length: this.clusterSize }, (_, id) => {
      const address = addresses[id];
      return address === undefined || address === null ? null : parseAddress(address);
    });
    if (this.addresses[me] === null) throw new RangeError(`no address for this server (${me})`);
    const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    if (!(Number.isSafeInteger(maxFrameBytes) && maxFrameBytes >= 64 && maxFrameBytes <= MAX_FRAME_LENGTH)) {
      throw new RangeError(`maxFrameBytes = ${maxFrameBytes}, not in 64..${MAX_FRAME_LENGTH}`);
    }
    const clusterId = options.clusterId ?? '';
    const problem = clusterIdProblem(clusterId);
    if (problem !== null) throw new RangeError(problem);
    this.settings = {
      secret: secretBytes(options.secret),
      clusterSize: this.clusterSize,
      clusterId,
      maxFrameBytes,
      handshakeTimeoutMs: options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
      counters: this.counts,
      log: options.log ?? consoleLogger,
      clock: options.clock ?? realClock,
      name: `raft-net[${me}]`,
    };
    const random = options.random ?? seededRandom(freshSeed());
    this.links = this.addresses.map(() => null);
    this.makeLink = (peer) => new PeerLink({
      me,
      peer,
      address: () => this.address(peer),
      channel: this.settings,
      backoff: options.backoff ?? DEFAULT_BACKOFF,
      random,
      maxQueued: options.maxPendingCalls ?? DEFAULT_MAX_PENDING_CALLS,
      receive: (payload) => this.receive(peer, payload),
    });
  }

  /** Sends `message` to `message.to`, or drops it. Throws EncodeError for a command JSON cannot carry. */
  send(message: Message): void {
    if (message.from !== this.me) throw new RangeError(`${message.type} from ${message.from} on the transport of server ${this.me}`);
    const to = message.to;
    if (!(Number.isSafeInteger(to) && to >= 0 && to < this.clusterSize) || to === this.me) {
      throw new RangeError(`no peer ${to} (servers 0..${this.clusterSize - 1}, this is ${this.me})`);
    }
    if (this.closed) return;
    let link = this.links[to] ?? null;
    if (link === null) {
      if (this.addresses[to] === null) {
        // A server whose address this one has not learned yet: dropped, as by a network.
        if (!this.unknownLogged.has(to)) this.settings.log(`${this.settings.name} peer ${to}: address not known yet; dropping messages to it`);
        this.unknownLogged.add(to);
        return;
      }
      link = this.makeLink(to);
      this.links[to] = link;
    }
    link.send(message);
  }

  /**
   * Listens on addresses[me] and hands every message from a peer to `receiver` (and serves
   * clients, given a ClientHandler) until close. Resolves to the bound address, which replaces
   * addresses[me] (port 0 picks one).
   */
  async listen(receiver: Receiver, client?: ClientHandler): Promise<string> {
    if (this.closed) throw new Error('transport closed');
    if (this.listener) throw new Error('already listening');
    this.receiver = receiver;
    const peer = (from: ServerId, payload: Buffer): void => this.receive(from, payload);
    const listener = new Listener(this.me, this.settings, client === undefined ? { peer } : { peer, client });
    this.listener = listener;
    let bound: Address;
    try {
      bound = await listener.listen(this.address(this.me));
    } catch (error) {
      this.listener = null;
      throw error;
    }
    this.addresses[this.me] = bound;
    return formatAddress(bound);
  }

  /** Where server `id` is reached from now on (a peer that listened on port 0, or one a membership change added). */
  setAddress(id: ServerId, address: string): void {
    if (this.addresses[id] === undefined) throw new RangeError(`no server ${id}`);
    this.addresses[id] = parseAddress(address);
    this.unknownLogged.delete(id);
  }

  address(id: ServerId): Address {
    const address = this.addresses[id];
    if (address === undefined || address === null) throw new RangeError(`no ${address === undefined ? 'server' : 'address for server'} ${id}`);
    return address;
  }

  /** A peer's payload, from any connection: decoded (a WireError drops that connection) and handed to the receiver. */
  private receive(from: ServerId, payload: Buffer): void {
    const message = decodePeerFrame(payload, { clusterSize: this.clusterSize, peer: from, me: this.me });
    if (!this.closed) this.receiver?.onReceive(message);
  }

  /** A snapshot of the counters. */
  get counters(): Readonly<NetCounters> {
    return { ...this.counts };
  }

  /** Messages to `peer` waiting for its connection to open (bounded by maxPendingCalls). */
  queuedMessages(peer: ServerId): number {
    return this.links[peer]?.queued ?? 0;
  }

  /** Whether the outgoing connection to `peer` is open now. */
  connectedTo(peer: ServerId): boolean {
    return this.links[peer]?.connected ?? false;
  }

  /** Stops listening, closes every connection, forgets every call; resolves when all sockets are closed. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.links.map((link) => link?.close()), this.listener?.close()]);
  }
}
