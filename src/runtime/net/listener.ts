import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { ServerId } from '../../core/index.js';
import type { Address } from './address.js';
import { SecureChannel, type ChannelSettings } from './channel.js';
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
 * The accepting side of server `me`: authenticates every connection, then hands what a peer
 * sends to `peer` and a client's requests to the ClientHandler, sending each client reply back
 * on the connection its request came in on. A connection that sends anything wrong is dropped
 * alone; the rest keep being served.
 */
export class Listener {
  private server: Server | null = null;
  private readonly channels = new Set<SecureChannel>();

  constructor(
    private readonly me: ServerId,
    private readonly settings: ChannelSettings,
    private readonly handlers: ListenerHandlers,
  ) {}

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
    if (server?.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    await Promise.all(closing);
  }

  private accept(socket: Socket): void {
    if (this.server === null) {
      socket.destroy();
      return;
    }
    const channel: SecureChannel = SecureChannel.accept(socket, this.me, this.handlers.client !== undefined, this.settings, {
      open: () => undefined,
      payload: (payload) => {
        const remote = channel.remote;
        if (remote?.role === 'peer') this.handlers.peer(remote.id, payload);
        else this.serveClient(channel, payload);
      },
      close: () => this.channels.delete(channel),
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
