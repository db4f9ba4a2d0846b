import type { Message, ServerId } from '../../core/index.js';
import type { RandomSource } from '../random.js';
import type { Address } from './address.js';
import { Backoff, type BackoffSettings } from './backoff.js';
import { SecureChannel, type ChannelSettings } from './channel.js';
import { oneLine, WireError } from './errors.js';
import { encodePeerFrame } from './rpcFrame.js';

export interface PeerLinkSettings {
  readonly me: ServerId;
  readonly peer: ServerId;
  /** Read at every connection attempt. */
  readonly address: () => Address;
  readonly channel: ChannelSettings;
  readonly backoff: BackoffSettings;
  readonly random: RandomSource;
  /** Messages held while the connection opens, at most; past it the oldest is dropped. */
  readonly maxQueued: number;
  /** A payload the peer sent on this connection (a peer frame, decoded by the receiver). */
  readonly receive: (payload: Buffer) => void;
}

/**
 * This server's one outgoing connection to one peer, which carries every message this server
 * sends that peer (requests and replies alike).
 *
 * It connects on the first message; messages sent while it connects wait (bounded) and leave
 * once it is open. After a failure or a drop it waits out a backoff, and messages in that time
 * are dropped (Raft retries on its own timers); the first message after the wait connects
 * again. Nothing waits for an answer: a message is written or lost.
 */
export class PeerLink {
  private state: 'idle' | 'connecting' | 'open' | 'waiting' | 'closed' = 'idle';
  private channel: SecureChannel | null = null;
  private retryAt = 0;
  /** Messages sent while connecting, written once open. */
  private readonly queue: Uint8Array[] = [];
  private readonly backoff: Backoff;

  constructor(private readonly settings: PeerLinkSettings) {
    this.backoff = new Backoff(settings.backoff, settings.random);
  }

  /** Throws EncodeError when the message cannot be encoded; otherwise writes it, queues it, or drops it. */
  send(message: Message): void {
    if (this.state === 'closed') return;
    const payload = encodePeerFrame(message);
    if (this.state === 'waiting') {
      if (this.settings.channel.clock.now() < this.retryAt) return;
      this.settings.channel.counters.reconnects++;
      this.connect();
    } else if (this.state === 'idle') {
      this.connect();
    }
    if (this.state === 'connecting') {
      this.queue.push(payload);
      if (this.queue.length > this.settings.maxQueued) this.queue.shift();
    } else {
      this.channel?.send(payload);
    }
  }

  /** Messages waiting for the connection to open. */
  get queued(): number {
    return this.queue.length;
  }

  get connected(): boolean {
    return this.state === 'open';
  }

  close(): Promise<void> {
    this.state = 'closed';
    this.queue.length = 0;
    const channel = this.channel;
    this.channel = null;
    channel?.close();
    return channel?.closed ?? Promise.resolve();
  }

  private connect(): void {
    this.state = 'connecting';
    const { me, peer } = this.settings;
    const channel = SecureChannel.dial(this.settings.address(), { role: 'peer', id: me }, peer, this.settings.channel, {
      open: () => this.opened(channel),
      payload: (payload) => this.settings.receive(payload),
      close: (error) => this.closed(channel, error),
    });
    this.channel = channel;
  }

  private opened(channel: SecureChannel): void {
    if (this.channel !== channel) return;
    this.state = 'open';
    if (this.backoff.streak > 0) {
      this.settings.channel.log(`${this.settings.channel.name} peer ${this.settings.peer}: connected again after ${this.backoff.streak} failed attempt(s)`);
    }
    this.backoff.succeed();
    for (const payload of this.queue.splice(0)) channel.send(payload);
  }

  private closed(channel: SecureChannel, error: Error | null): void {
    if (this.channel !== channel) return;
    this.channel = null;
    this.queue.length = 0;
    if (this.state === 'closed') return;
    this.state = 'waiting';
    this.retryAt = this.settings.channel.clock.now() + this.backoff.fail();
    // One line per outage; the channel has logged a rejection already.
    if (this.backoff.streak === 1 && error !== null && !(error instanceof WireError)) {
      this.settings.channel.log(`${this.settings.channel.name} peer ${this.settings.peer}: unreachable (${oneLine(error.message)}); retrying with backoff`);
    }
  }
}
