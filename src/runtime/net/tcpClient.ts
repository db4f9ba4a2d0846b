import type { ServerId } from '../../core/index.js';
import { realClock, type Clock, type TimerHandle } from '../clock.js';
import { parseAddress } from './address.js';
import { SecureChannel, type ChannelSettings } from './channel.js';
import { consoleLogger, newCounters, type NetCounters, type NetLogger } from './counters.js';
import { ClientRequestError, WireError } from './errors.js';
import { DEFAULT_MAX_FRAME_BYTES } from './framing.js';
import { clusterIdProblem, secretBytes, type Secret } from './handshake.js';
import type { JsonObject } from './json.js';
import { decodeClientFrame, encodeClientFrame } from './rpcFrame.js';

export interface TcpClientOptions {
  /** The cluster this client means to reach: a server of another is refused. Default '': any. */
  readonly clusterId?: string;
  /** Largest frame accepted or sent. Default 64 MiB. */
  readonly maxFrameBytes?: number;
  /** Default 5 s. */
  readonly handshakeTimeoutMs?: number;
  /** A request unanswered this long rejects with ClientRequestError('timeout'). Default: none. */
  readonly requestTimeoutMs?: number;
  /** Default: console.error. */
  readonly log?: NetLogger;
  readonly clock?: Clock;
}

interface PendingRequest {
  readonly resolve: (reply: JsonObject) => void;
  readonly reject: (error: Error) => void;
  readonly timer: TimerHandle | null;
}

/**
 * A client of one server: one authenticated connection (the cluster secret, in the client
 * role), many requests in flight on it, each answered by id in whatever order the server
 * replies. When the connection goes, every open request rejects with ClientRequestError.
 */
export class TcpClient {
  private readonly pending = new Map<number, PendingRequest>();
  private nextRequestId = 0;
  private server: ServerId = -1;

  private constructor(
    private readonly counts: NetCounters,
    private readonly clock: Clock,
    private readonly requestTimeoutMs: number | undefined,
    private channel: SecureChannel | null = null,
  ) {}

  /** Connects and authenticates; rejects when the server cannot be reached or does not authenticate. */
  static connect(address: string, secret: Secret, options: TcpClientOptions = {}): Promise<TcpClient> {
    const counters = newCounters();
    const clock = options.clock ?? realClock;
    const clusterId = options.clusterId ?? '';
    const problem = clusterIdProblem(clusterId);
    if (problem !== null) return Promise.reject(new RangeError(problem));
    const settings: ChannelSettings = {
      secret: secretBytes(secret),
      clusterSize: 0,
      clusterId,
      maxFrameBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
      handshakeTimeoutMs: options.handshakeTimeoutMs ?? 5000,
      counters,
      log: options.log ?? consoleLogger,
      clock,
      name: 'raft-client',
    };
    const client = new TcpClient(counters, clock, options.requestTimeoutMs);
    return new Promise((resolve, reject) => {
      client.channel = SecureChannel.dial(parseAddress(address), { role: 'client' }, null, settings, {
        open: (remote) => {
          if (remote.role === 'peer') client.server = remote.id;
          resolve(client);
        },
        payload: (payload) => client.receive(payload),
        close: (error) => {
          client.closed(error);
          reject(error ?? new Error('closed'));
        },
      });
    });
  }

  /** The id of the server this client reached. */
  get serverId(): ServerId {
    return this.server;
  }

  /** A snapshot of the counters. */
  get counters(): Readonly<NetCounters> {
    return { ...this.counts };
  }

  /** Requests in flight. */
  get inFlight(): number {
    return this.pending.size;
  }

  /** Sends `payload` and resolves to the server's reply; rejects with EncodeError unless `payload` is a JSON object. */
  request(payload: unknown): Promise<JsonObject> {
    const requestId = this.nextRequestId++;
    let frame: Buffer;
    try {
      frame = encodeClientFrame(requestId, payload, 'client request');
    } catch (error) {
      return Promise.reject(error as Error);
    }
    const channel = this.channel;
    if (channel === null || !channel.send(frame)) {
      return Promise.reject(new ClientRequestError('not-sent', 'client request not sent: the connection is closed or stalled'));
    }
    return new Promise((resolve, reject) => {
      const timeout = this.requestTimeoutMs;
      const timer = timeout === undefined ? null : this.clock.setTimeout(() => {
        this.pending.delete(requestId);
        reject(new ClientRequestError('timeout', `client request ${requestId} unanswered after ${timeout} ms`));
      }, timeout);
      this.pending.set(requestId, { resolve, reject, timer });
    });
  }

  /** Closes the connection; open requests reject. Resolves when the socket is closed. */
  close(): Promise<void> {
    const channel = this.channel;
    channel?.close();
    return channel?.closed ?? Promise.resolve();
  }

  private receive(payload: Buffer): void {
    const { requestId, body } = decodeClientFrame(payload, 'client reply');
    if (requestId >= this.nextRequestId) throw new WireError('malformed', `reply to client request ${requestId}, which was never sent`);
    const request = this.pending.get(requestId);
    if (request === undefined) return; // timed out
    this.pending.delete(requestId);
    request.timer?.cancel();
    request.resolve(body);
  }

  private closed(error: Error | null): void {
    this.channel = null;
    const reason = error === null ? 'the client closed' : error.message;
    for (const request of this.pending.values()) {
      request.timer?.cancel();
      request.reject(new ClientRequestError('closed', `connection closed before the reply (${reason})`));
    }
    this.pending.clear();
  }
}
