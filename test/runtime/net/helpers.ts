import { afterEach, beforeEach } from 'vitest';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { isDeepStrictEqual } from 'node:util';
import type { Message, ServerId } from '../../../src/core/index.js';
import { isRequest, type Receiver, type ReplyMessage, type RequestMessage } from '../../../src/runtime/index.js';
import {
  encodeFrame, FrameDecoder, FrameSealer, InitiatorHandshake, MAX_HANDSHAKE_FRAME_BYTES, parseAddress,
  ResponderHandshake, secretBytes, TcpTransport, type Identity, type TcpTransportOptions,
} from '../../../src/runtime/net/index.js';

export const SECRET = 'test cluster secret';

/**
 * Registers, for the calling test file, a list of closers run after each test, then a check
 * that the open TCP handles are back to what they were before it. Returns the list to push to.
 */
export function closeAfterEachTest(): (() => Promise<void>)[] {
  const cleanup: (() => Promise<void>)[] = [];
  let handlesBefore = 0;
  beforeEach(() => { handlesBefore = tcpHandles(); });
  afterEach(async () => {
    await Promise.all(cleanup.splice(0).map((c) => c()));
    await waitFor('sockets to close', () => tcpHandles() <= handlesBefore, 2000);
  });
  return cleanup;
}

/** Log lines, captured. */
export function captureLog(): { lines: string[]; log: (line: string) => void } {
  const lines: string[] = [];
  return { lines, log: (line) => lines.push(line) };
}

/** Polls until `check` holds; fails after `timeoutMs` with `what`. */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The reply a Raft server would give, from the request alone. */
export function echoReply(request: RequestMessage): ReplyMessage {
  switch (request.type) {
    case 'PreVote':
      return { type: 'PreVoteReply', from: request.to, to: request.from, term: request.term, voteGranted: request.lastLogIndex % 2 === 0 };
    case 'RequestVote':
      return { type: 'RequestVoteReply', from: request.to, to: request.from, term: request.term, voteGranted: request.lastLogIndex % 2 === 0 };
    case 'AppendEntries':
      return { type: 'AppendEntriesReply', from: request.to, to: request.from, term: request.term, success: true, matchIndex: request.prevLogIndex + request.entries.length, conflictTerm: 0, conflictIndex: 0 };
    case 'InstallSnapshot':
      return { type: 'InstallSnapshotReply', from: request.to, to: request.from, term: request.term, matchIndex: request.lastIncludedIndex };
  }
}

/**
 * A server that answers every request with echoReply through its own transport (unless
 * silent), and records the requests and the replies that reached it.
 */
export class EchoServer implements Receiver {
  readonly handled: RequestMessage[] = [];
  readonly replies: ReplyMessage[] = [];
  transport: TcpTransport | null = null;
  constructor(private readonly silent = false) {}

  onReceive(message: Message): void {
    if (!isRequest(message)) {
      this.replies.push(message);
      return;
    }
    this.handled.push(message);
    if (!this.silent) this.transport?.send(echoReply(message));
  }
}

export function echoHandler(): EchoServer {
  return new EchoServer();
}

export function heartbeat(from: ServerId, to: ServerId, term = 1) {
  return { type: 'AppendEntries', from, to, term, leaderId: from, prevLogIndex: 0, prevLogTerm: 0, entries: [], leaderCommit: 0 } as const;
}

/**
 * n transports on loopback, ephemeral ports, each listening with handlers[i] (an EchoServer
 * answers through transports[i]); every transport is told every other's bound address.
 */
export async function startTransports(
  handlers: readonly Receiver[],
  options: Partial<Omit<TcpTransportOptions, 'me' | 'addresses'>> = {},
): Promise<TcpTransport[]> {
  const addresses = handlers.map(() => '127.0.0.1:0');
  const transports = handlers.map((_, me) => new TcpTransport({ secret: SECRET, ...options, me, addresses }));
  handlers.forEach((h, me) => { if (h instanceof EchoServer) h.transport = transports[me]!; });
  const bound = await Promise.all(transports.map((t, i) => t.listen(handlers[i]!)));
  for (const t of transports) bound.forEach((address, id) => { if (id !== t.me) t.setAddress(id, address); });
  return transports;
}

/**
 * Sends `request` from `t` and resolves to the first reply message equal to echoReply(request)
 * that reaches `self` (t's own receiver) after it; rejects after `timeoutMs`.
 */
export async function exchange(t: TcpTransport, self: EchoServer, request: RequestMessage, timeoutMs = 3000): Promise<ReplyMessage> {
  const expected = echoReply(request);
  const from = self.replies.length;
  t.send(request);
  const found = (): ReplyMessage | undefined => self.replies.slice(from).find((r) => isDeepStrictEqual(r, expected));
  await waitFor(`a reply to ${request.type} ${request.from}->${request.to}`, () => found() !== undefined, timeoutMs);
  return found()!;
}

/** Open TCP handles of this process (sockets and servers), to check that tests leave none behind. */
export function tcpHandles(): number {
  return process.getActiveResourcesInfo().filter((r) => r.startsWith('TCP')).length;
}

/** A hand-driven connection: does the handshake (or not) and then writes whatever a test wants. */
export class RawConnection {
  readonly received: Buffer[] = [];
  readonly closed: Promise<void>;
  private readonly decoder = new FrameDecoder(MAX_HANDSHAKE_FRAME_BYTES);
  private waiters: (() => void)[] = [];
  sealer: FrameSealer | null = null;

  private constructor(readonly socket: Socket) {
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      this.decoder.push(chunk);
      for (let f = this.decoder.next(); f !== null; f = this.decoder.next()) this.received.push(Buffer.from(f));
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static async open(address: string): Promise<RawConnection> {
    const { host, port } = parseAddress(address);
    const socket = connect({ host, port });
    await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject); });
    return new RawConnection(socket);
  }

  /** Dials and authenticates as `me` towards server `target`, like a real peer or client. */
  static async authenticated(address: string, me: Identity, target: ServerId | null, clusterSize: number, secret = SECRET): Promise<RawConnection> {
    const raw = await RawConnection.open(address);
    const steps = new InitiatorHandshake(secretBytes(secret), me, target, clusterSize);
    raw.writeFrame(steps.hello());
    const challenge = await raw.nextFrame();
    const { proof, keys } = steps.onChallenge(challenge);
    raw.writeFrame(proof);
    raw.sealer = new FrameSealer(keys.send);
    raw.decoder.maxFrameBytes = 1 << 20;
    return raw;
  }

  writeFrame(payload: Uint8Array): void {
    this.socket.write(encodeFrame([payload]));
  }

  /** A frame with a valid tag of this session around any payload; returns the bytes written. */
  writeSealed(payload: Uint8Array): Buffer {
    if (!this.sealer) throw new Error('not authenticated');
    const frame = encodeFrame([payload, this.sealer.seal(payload)]);
    this.socket.write(frame);
    return frame;
  }

  async nextFrame(): Promise<Buffer> {
    while (this.received.length === 0) {
      await new Promise<void>((resolve, reject) => {
        this.waiters.push(resolve);
        void this.closed.then(() => reject(new Error('closed')));
      });
    }
    return this.received.shift()!;
  }

  close(): Promise<void> {
    this.socket.destroy();
    return this.closed;
  }
}

/** A hand-driven server: authenticates one peer connection, then lets the test write frames to it. */
export class RawServer {
  private constructor(readonly server: Server, readonly address: string, readonly sockets: Socket[]) {}

  static async start(me: ServerId, clusterSize: number, onFrame: (payload: Buffer, send: (payload: Uint8Array) => void) => void): Promise<RawServer> {
    const sockets: Socket[] = [];
    const server = createServer((socket) => {
      sockets.push(socket);
      socket.on('error', () => undefined);
      const steps = new ResponderHandshake(secretBytes(SECRET), me, clusterSize, false);
      const decoder = new FrameDecoder(1 << 20);
      let stage: 'hello' | 'proof' | 'open' = 'hello';
      let sealer: FrameSealer | null = null;
      const send = (payload: Uint8Array) => socket.write(encodeFrame([payload, sealer!.seal(payload)]));
      socket.on('data', (chunk: Buffer) => {
        decoder.push(chunk);
        for (let f = decoder.next(); f !== null; f = decoder.next()) {
          if (stage === 'hello') {
            socket.write(encodeFrame([steps.onHello(f).challenge]));
            stage = 'proof';
          } else if (stage === 'proof') {
            sealer = new FrameSealer(steps.onProof(f).send);
            stage = 'open';
          } else {
            onFrame(f.subarray(0, f.length - 16), send); // the test trusts the tag
          }
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    return new RawServer(server, `127.0.0.1:${port}`, sockets);
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
