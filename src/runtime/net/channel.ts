import { connect, type Socket } from 'node:net';
import type { ServerId } from '../../core/index.js';
import type { Clock, TimerHandle } from '../clock.js';
import { formatAddress, type Address } from './address.js';
import type { NetCounters, NetLogger } from './counters.js';
import { oneLine, WireError } from './errors.js';
import { FrameOpener, FrameSealer, TAG_BYTES } from './frameAuth.js';
import { encodeFrame, FrameDecoder } from './framing.js';
import { InitiatorHandshake, MAX_HANDSHAKE_FRAME_BYTES, ResponderHandshake, type Identity } from './handshake.js';

/** What every connection of one transport, listener or client shares. */
export interface ChannelSettings {
  readonly secret: Buffer;
  readonly clusterSize: number;
  /** The cluster's name, bound into every handshake ('' or absent: none; for a client: any). */
  readonly clusterId?: string;
  /** Largest frame accepted (and sent) once authenticated. */
  readonly maxFrameBytes: number;
  /** A connection not authenticated this long after it began is dropped. */
  readonly handshakeTimeoutMs: number;
  readonly counters: NetCounters;
  readonly log: NetLogger;
  readonly clock: Clock;
  /** Prefix of this end's log lines, e.g. "raft-net[0]". */
  readonly name: string;
}

export interface ChannelEvents {
  /** Authenticated: `remote` is the other end (for a dialer, the server it reached). */
  open(remote: Identity): void;
  /** An authenticated payload, in order. Throw a WireError to reject it: counted, logged, connection dropped. */
  payload(payload: Buffer): void;
  /** The connection is over (called once); `error` says why, null when this end closed it. */
  close(error: Error | null): void;
}

type Handshake =
  | { readonly side: 'initiator'; readonly steps: InitiatorHandshake }
  | { readonly side: 'responder'; readonly steps: ResponderHandshake; claimed: Identity | null };

/**
 * One authenticated connection: framing, the handshake, then tagged frames both ways.
 * Until the handshake is done a frame may be no larger than the largest handshake frame, so
 * an unauthenticated sender cannot make this end buffer more than that. Whatever arrives
 * that is wrong (oversized, malformed, failing authentication) ends the connection: counted,
 * logged in one line, nothing of it passed on.
 */
export class SecureChannel {
  private state: 'handshake' | 'open' | 'closed' = 'handshake';
  private readonly decoder = new FrameDecoder(MAX_HANDSHAKE_FRAME_BYTES);
  private sealer: FrameSealer | null = null;
  private opener: FrameOpener | null = null;
  private timer: TimerHandle | null;
  private remoteIdentity: Identity | null = null;
  private loggedUnsendable = false;
  /** Resolves once the socket is fully closed. */
  readonly closed: Promise<void>;

  private constructor(
    private readonly socket: Socket,
    private readonly handshake: Handshake,
    private readonly settings: ChannelSettings,
    private readonly events: ChannelEvents,
    private readonly where: string,
  ) {
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 10_000);
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (error) => this.end(new Error(this.during(error.message))));
    socket.on('close', () => this.end(new Error(this.during('connection closed by the other end'))));
    this.timer = settings.clock.setTimeout(() => this.handshakeTimedOut(), settings.handshakeTimeoutMs);
  }

  /** Dials `address` as `me`, meaning to reach server `target` (null: a client, any server). */
  static dial(address: Address, me: Identity, target: ServerId | null, settings: ChannelSettings, events: ChannelEvents): SecureChannel {
    const steps = new InitiatorHandshake(settings.secret, me, target, settings.clusterSize, settings.clusterId);
    const socket = connect({ host: address.host, port: address.port });
    const where = target === null ? formatAddress(address) : `peer ${target} at ${formatAddress(address)}`;
    const channel = new SecureChannel(socket, { side: 'initiator', steps }, settings, events, where);
    channel.write([steps.hello()]);
    return channel;
  }

  /** Takes an accepted socket as server `me`. */
  static accept(socket: Socket, me: ServerId, acceptClients: boolean, settings: ChannelSettings, events: ChannelEvents): SecureChannel {
    const steps = new ResponderHandshake(settings.secret, me, settings.clusterSize, acceptClients, settings.clusterId);
    const where = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    return new SecureChannel(socket, { side: 'responder', steps, claimed: null }, settings, events, where);
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  get remote(): Identity | null {
    return this.remoteIdentity;
  }

  /** Bytes accepted for sending but not yet handed to the operating system. */
  get pendingWriteBytes(): number {
    return this.socket.writableLength;
  }

  /**
   * Sends one payload; false when it was not sent: the channel is not open, the payload would
   * make a frame over the limit (counted and logged), or the socket already holds a frame's
   * worth of unsent bytes (a stalled peer: loss is cheaper than unbounded buffering).
   */
  send(payload: Uint8Array): boolean {
    if (this.state !== 'open' || this.sealer === null) return false;
    const length = payload.length + TAG_BYTES;
    if (length > this.settings.maxFrameBytes) {
      this.settings.counters.oversized++;
      // Raft resends the same entries on every heartbeat: one line per connection is enough.
      if (!this.loggedUnsendable) {
        this.loggedUnsendable = true;
        this.settings.log(`${this.settings.name} ${this.describe()}: not sent: a frame of ${length} bytes exceeds the limit ${this.settings.maxFrameBytes}`);
      }
      return false;
    }
    if (this.socket.writableLength > this.settings.maxFrameBytes) return false;
    this.write([payload, this.sealer.seal(payload)]);
    return true;
  }

  /** Closes the connection from this end. */
  close(): void {
    this.end(null);
  }

  private corked = false;

  private write(parts: readonly Uint8Array[]): void {
    const frame = encodeFrame(parts);
    this.settings.counters.framesOut++;
    this.settings.counters.bytesOut += frame.length;
    // Frames written in one tick (a burst of replies, a broadcast) leave in one writev.
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    this.socket.write(frame);
  }

  private receive(chunk: Buffer): void {
    if (this.state === 'closed') return;
    this.settings.counters.bytesIn += chunk.length;
    this.decoder.push(chunk);
    try {
      // A frame's handler may close the channel (state changes under the loop).
      while ((this.state as SecureChannel['state']) !== 'closed') {
        const frame = this.decoder.next();
        if (frame === null) return;
        this.settings.counters.framesIn++;
        this.onFrame(frame);
      }
    } catch (error) {
      if (!(error instanceof WireError)) throw error;
      this.reject(error);
    }
  }

  private onFrame(frame: Buffer): void {
    if (this.state === 'open' && this.opener) {
      this.events.payload(this.opener.open(frame));
      return;
    }
    const h = this.handshake;
    if (h.side === 'initiator') {
      const { proof, keys, responder } = h.steps.onChallenge(frame);
      this.write([proof]);
      this.becomeOpen({ role: 'peer', id: responder.id }, keys.send, keys.receive);
    } else if (h.claimed === null) {
      const { initiator, challenge } = h.steps.onHello(frame);
      h.claimed = initiator;
      this.write([challenge]);
    } else {
      const keys = h.steps.onProof(frame);
      this.becomeOpen(h.claimed, keys.send, keys.receive);
    }
  }

  private becomeOpen(remote: Identity, sendKey: Buffer, receiveKey: Buffer): void {
    this.timer?.cancel();
    this.timer = null;
    this.sealer = new FrameSealer(sendKey);
    this.opener = new FrameOpener(receiveKey);
    this.remoteIdentity = remote;
    this.decoder.maxFrameBytes = this.settings.maxFrameBytes;
    this.state = 'open';
    this.events.open(remote);
  }

  private handshakeTimedOut(): void {
    this.timer = null;
    const reason = `handshake not finished within ${this.settings.handshakeTimeoutMs} ms`;
    if (this.handshake.side === 'responder') this.reject(new WireError('auth', reason));
    else this.end(new Error(reason));
  }

  /** Drops the connection for what it sent: counted by kind, logged in one line. */
  private reject(error: WireError): void {
    if (this.state === 'closed') return;
    const counters = this.settings.counters;
    if (error.kind === 'oversized') counters.oversized++;
    else if (error.kind === 'malformed') counters.malformed++;
    else counters.authFailures++;
    this.settings.log(`${this.settings.name} ${this.describe()}: ${error.message}; connection dropped`);
    this.end(error);
  }

  private end(error: Error | null): void {
    if (this.state === 'closed') return;
    if (error !== null && !(error instanceof WireError) && this.state === 'handshake' && this.handshake.side === 'responder') {
      // The other end left without authenticating: refused all the same.
      this.reject(new WireError('auth', error.message));
      return;
    }
    this.state = 'closed';
    this.timer?.cancel();
    this.timer = null;
    this.socket.destroy();
    this.events.close(error);
  }

  private during(what: string): string {
    return this.state === 'handshake' ? `${oneLine(what)} during the handshake` : oneLine(what);
  }

  private describe(): string {
    const r = this.remoteIdentity ?? (this.handshake.side === 'responder' ? this.handshake.claimed : null);
    if (this.handshake.side === 'initiator') return this.where;
    const who = r === null ? 'unauthenticated' : r.role === 'client' ? 'client' : `peer ${r.id}`;
    return `${who} (${this.where}${this.state === 'open' ? '' : ', not authenticated'})`;
  }
}
