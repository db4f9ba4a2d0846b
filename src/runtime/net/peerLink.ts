import type { ServerId } from '../../core/index.js';
import type { RandomSource } from '../random.js';
import type { ReplyCallback, ReplyMessage, RequestMessage } from '../transport.js';
import type { Address } from './address.js';
import { Backoff, type BackoffSettings } from './backoff.js';
import { SecureChannel, type ChannelSettings } from './channel.js';
import { oneLine, WireError } from './errors.js';
import { decodeRpcReply, encodeRpcFrame } from './rpcFrame.js';

export interface PeerLinkSettings {
  readonly me: ServerId;
  readonly peer: ServerId;
  /** Read at every connection attempt. */
  readonly address: () => Address;
  readonly channel: ChannelSettings;
  readonly backoff: BackoffSettings;
  readonly random: RandomSource;
  /** Calls awaiting a reply (or a connection) at most; past it the oldest is forgotten. */
  readonly maxPendingCalls: number;
}

interface PendingCall {
  readonly expect: ReplyMessage['type'];
  readonly onReply: ReplyCallback;
}

const REPLY_TYPE = { RequestVote: 'RequestVoteReply', AppendEntries: 'AppendEntriesReply' } as const;

/**
 * This server's one outgoing connection to one peer, which carries its requests to that peer
 * and their replies back.
 *
 * It connects on the first call; calls made while it connects wait (bounded) and leave once
 * it is open. After a failure or a drop it waits out a backoff, and calls in that time are
 * dropped (Raft retries on its own timers); the first call after the wait connects again. Each
 * call has an rpc id, and its callback runs for the first reply with that id and then is
 * forgotten, so a reply arrives at most once; all callbacks are forgotten when the connection
 * goes, and at most `maxPendingCalls` are held at any time.
 */
export class PeerLink {
  private state: 'idle' | 'connecting' | 'open' | 'waiting' | 'closed' = 'idle';
  private channel: SecureChannel | null = null;
  private retryAt = 0;
  /** Calls made while connecting, sent once open. */
  private readonly queue: { readonly rpcId: number; readonly payload: Uint8Array }[] = [];
  private readonly pending = new Map<number, PendingCall>();
  private nextRpcId = 0;
  private readonly backoff: Backoff;

  constructor(private readonly settings: PeerLinkSettings) {
    this.backoff = new Backoff(settings.backoff, settings.random);
  }

  /** Throws EncodeError when the request cannot be encoded; otherwise sends it or drops it. */
  call(request: RequestMessage, onReply: ReplyCallback): void {
    if (this.state === 'closed') return;
    const rpcId = this.nextRpcId++;
    const payload = encodeRpcFrame(rpcId, request);
    if (this.state === 'waiting') {
      if (this.settings.channel.clock.now() < this.retryAt) return;
      this.settings.channel.counters.reconnects++;
      this.connect();
    } else if (this.state === 'idle') {
      this.connect();
    }
    this.remember(rpcId, { expect: REPLY_TYPE[request.type], onReply });
    if (this.state === 'connecting') {
      this.queue.push({ rpcId, payload });
      const dropped = this.queue.length > this.settings.maxPendingCalls ? this.queue.shift() : undefined;
      if (dropped) this.pending.delete(dropped.rpcId);
    } else if (!this.channel?.send(payload)) {
      this.pending.delete(rpcId);
    }
  }

  /** Calls awaiting a reply. */
  get pendingCalls(): number {
    return this.pending.size;
  }

  get connected(): boolean {
    return this.state === 'open';
  }

  close(): Promise<void> {
    this.state = 'closed';
    this.forget();
    const channel = this.channel;
    this.channel = null;
    channel?.close();
    return channel?.closed ?? Promise.resolve();
  }

  private remember(rpcId: number, call: PendingCall): void {
    this.pending.set(rpcId, call);
    if (this.pending.size > this.settings.maxPendingCalls) {
      const oldest = this.pending.keys().next();
      if (!oldest.done) this.pending.delete(oldest.value);
    }
  }

  private forget(): void {
    this.pending.clear();
    this.queue.length = 0;
  }

  private connect(): void {
    this.state = 'connecting';
    const { me, peer } = this.settings;
    const channel = SecureChannel.dial(this.settings.address(), { role: 'peer', id: me }, peer, this.settings.channel, {
      open: () => this.opened(channel),
      payload: (payload) => this.receiveReply(payload),
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
    for (const { rpcId, payload } of this.queue.splice(0)) {
      if (!channel.send(payload)) this.pending.delete(rpcId);
    }
  }

  private receiveReply(payload: Buffer): void {
    const { me, peer } = this.settings;
    const { rpcId, message } = decodeRpcReply(payload, { clusterSize: this.settings.channel.clusterSize, peer, me });
    if (rpcId >= this.nextRpcId) throw new WireError('malformed', `reply to rpc ${rpcId}, which was never sent`);
    const call = this.pending.get(rpcId);
    if (call === undefined) return; // answered already, or forgotten
    if (call.expect !== message.type) throw new WireError('malformed', `rpc ${rpcId} expects a ${call.expect}, got a ${message.type}`);
    this.pending.delete(rpcId);
    call.onReply(message);
  }

  private closed(channel: SecureChannel, error: Error | null): void {
    if (this.channel !== channel) return;
    this.channel = null;
    this.forget();
    if (this.state === 'closed') return;
    this.state = 'waiting';
    this.retryAt = this.settings.channel.clock.now() + this.backoff.fail();
    // One line per outage; the channel has logged a rejection already.
    if (this.backoff.streak === 1 && error !== null && !(error instanceof WireError)) {
      this.settings.channel.log(`${this.settings.channel.name} peer ${this.settings.peer}: unreachable (${oneLine(error.message)}); retrying with backoff`);
    }
  }
}
