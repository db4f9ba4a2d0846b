import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { ServerId } from '../../core/index.js';
import type { Address } from './address.js';
import { SecureChannel, type ChannelSettings } from './channel.js';
import { LogLimiter } from './logLimiter.js';
import type { JsonObject } from './json.js';
import { decodeClientFrame, encodeClientFrame } from './rpcFrame.js';

/**
 * Serves a client request: call `respond` once with a JSON object (later calls are ignored,
 * and so is a reply whose connection has gone). Replies may be sent in any order. `respond`
 * throws EncodeError for a reply that is not a JSON object JSON gives back unchanged.
 */
export type ClientHandler = (payload: JsonObject, respond: (reply: unknown) => void) => void;

export interface ListenerHandlers {
  /** A payload an authenticated peer sent (a peer frame, decoded by the transport). */
  readonly peer: (from: ServerId, payload: Buffer) => void;
  /** Without one, clients are refused at the handshake. */
  readonly client?: ClientHandler;
}

/**
 * Connections not yet authenticated that one listener holds at once. Each costs a socket and
 * up to a handshake frame of buffer for as long as the handshake timeout, and anyone who can
 * reach the port can open them: past this many, a new one is closed at once. Peers of a
 * cluster (a handful, each one connection that authenticates in a round trip) never come near.
 */
export const MAX_UNAUTHENTICATED_CONNECTIONS = 64;

/**
 * The accepting side of server `me`: authenticates every connection, then hands what a peer
 * sends to `peer` and a client's requests to the ClientHandler, sending each client reply back
 * on the connection its request came in on. A connection that sends anything wrong is dropped
 * alone; the rest keep being served. What is logged about connections that have not
 * authenticated goes through a LogLimiter: a flood of them is a few lines and a summary.
 */
export class Listener {
  private server: Server | null = null;
  private readonly channels = new Set<SecureChannel>();
  private unauthenticated = 0;
  private readonly refusals: LogLimiter;

  constructor(
    private readonly me: ServerId,
    private readonly settings: ChannelSettings,
    private readonly handlers: ListenerHandlers,
  ) {
    this.refusals = new LogLimiter(settings.log, settings.clock, 'unauthenticated connections refused');
  }

  /** Starts listening; resolves to the bound address (port 0 picks a free port). */
  listen(address: Address): Promise<Address> {
    if (this.server) throw new Error('already listening');
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', (error) => {
        this.server = null;
        reject(error);
      });
      server.listen(address.port, address.host, () => {
        server.removeAllListeners('error');
        server.on('error', (error) => this.settings.log(`${this.settings.name} listener: ${error.message}`));
        const bound = server.address() as AddressInfo;
        resolve({ host: address.host, port: bound.port });
      });
    });
  }

  /** Stops accepting, drops every connection; resolves when all are closed. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    const closing = [...this.channels].map((channel) => {
      channel.close();
      return channel.closed;
    });
    this.channels.clear();
    this.refusals.close();
    if (server?.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    await Promise.all(closing);
  }

  private accept(socket: Socket): void {
    if (this.server === null) {
      socket.destroy();
      return;
    }
    if (this.unauthenticated >= MAX_UNAUTHENTICATED_CONNECTIONS) {
      // Counted with the failed handshakes: it never authenticated either.
      this.settings.counters.authFailures++;
      this.refusals.line(`${this.settings.name} ${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}: refused: ${MAX_UNAUTHENTICATED_CONNECTIONS} connections are already authenticating`);
      socket.destroy();
      return;
    }
    this.unauthenticated++;
    let authenticating = true;
    const settled = (): void => {
      if (!authenticating) return;
      authenticating = false;
      this.unauthenticated--;
    };
    // Lines about a connection still in its handshake are rate-limited; an authenticated peer's are not.
    const settings: ChannelSettings = { ...this.settings, log: (line) => (channel.isOpen ? this.settings.log(line) : this.refusals.line(line)) };
    const channel: SecureChannel = SecureChannel.accept(socket, this.me, this.handlers.client !== undefined, settings, {
      open: settled,
      payload: (payload) => {
        const remote = channel.remote;
        if (remote?.role === 'peer') this.handlers.peer(remote.id, payload);
        else this.serveClient(channel, payload);
      },
      close: () => {
        settled();
        this.channels.delete(channel);
      },
    });
    this.channels.add(channel);
  }

  private serveClient(channel: SecureChannel, payload: Buffer): void {
    const client = this.handlers.client;
    if (client === undefined) return; // unreachable: the handshake refuses clients then
    const { requestId, body } = decodeClientFrame(payload, 'client request');
    let answered = false;
    client(body, (reply) => {
      if (answered) return;
      const frame = encodeClientFrame(requestId, reply, 'client reply');
      answered = true;
      channel.send(frame);
    });
  }
}
