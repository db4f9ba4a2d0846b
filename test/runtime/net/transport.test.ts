import { randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import type { Message } from '../../../src/core/index.js';
import type { Receiver, RequestMessage } from '../../../src/runtime/index.js';
import {
  decodePeerFrame, encodeFrame, encodePeerFrame, formatAddress, InitiatorHandshake, secretBytes, TcpTransport,
} from '../../../src/runtime/net/index.js';
import {
  captureLog, EchoServer, echoHandler, echoReply, exchange, heartbeat, RawConnection, RawServer, SECRET, startTransports, closeAfterEachTest, tcpHandles, waitFor,
} from './helpers.js';

const cleanup = closeAfterEachTest();

async function cluster(handlers: readonly Receiver[], options: Parameters<typeof startTransports>[1] = {}): Promise<TcpTransport[]> {
  const transports = await startTransports(handlers, options);
  cleanup.push(async () => { await Promise.all(transports.map((t) => t.close())); });
  return transports;
}

function pair(ts: readonly TcpTransport[]): [TcpTransport, TcpTransport] {
  const [a, b] = ts;
  if (!a || !b) throw new Error('expected two transports');
  return [a, b];
}

function trio(ts: readonly TcpTransport[]): [TcpTransport, TcpTransport, TcpTransport] {
  const [a, b, c] = ts;
  if (!a || !b || !c) throw new Error('expected three transports');
  return [a, b, c];
}

function addressOf(t: TcpTransport): string {
  return formatAddress(t.address(t.me));
}

const rv = (from: number, to: number, lastLogIndex = 0): RequestMessage =>
  ({ type: 'RequestVote', from, to, term: 2, candidateId: from, lastLogIndex, lastLogTerm: 1 });

describe('TcpTransport', () => {
  test('three servers send each other requests; each is answered by a reply message of its own, once', async () => {
    const servers = [echoHandler(), echoHandler(), echoHandler()];
    const transports = await cluster(servers);
    const sent: RequestMessage[] = [];
    for (const t of transports) {
      for (let to = 0; to < 3; to++) {
        if (to === t.me) continue;
        for (let k = 0; k < 20; k++) {
          const request = k % 2 === 0 ? rv(t.me, to, k) : { ...heartbeat(t.me, to, k), entries: [{ term: 1, command: { k, to } }] };
          sent.push(request);
          t.send(request);
        }
      }
    }
    await waitFor('every reply', () => servers.every((s) => s.replies.length === 40));
    for (const s of servers) expect(s.handled).toHaveLength(40);
    const byServer = (me: number) => sent.filter((r) => r.from === me).map(echoReply);
    servers.forEach((s, me) => expect(new Set(s.replies.map((r) => JSON.stringify(r)))).toEqual(new Set(byServer(me).map((r) => JSON.stringify(r)))));
    for (const t of transports) {
      expect(t.counters).toMatchObject({ malformed: 0, oversized: 0, authFailures: 0, reconnects: 0 });
      expect(t.counters.framesOut).toBeGreaterThanOrEqual(40 + 40); // 40 requests sent, 40 replies sent
    }
  });

  const malformed: [string, () => Uint8Array, RegExp][] = [
    ['a bad message type byte', () => Buffer.from([9, 1, 0, 1]), /malformed: peer frame: bad message type byte 0x09/],
    ['a message claiming another sender', () => encodePeerFrame(heartbeat(2, 0)), /AppendEntries\.from is 2, not the authenticated peer 1/],
    ['a message for another server', () => encodePeerFrame(heartbeat(1, 2)), /AppendEntries\.to is 2, not this node \(0\)/],
    ['trailing bytes', () => Buffer.concat([encodePeerFrame(heartbeat(1, 0)), Buffer.from([7])]), /peer frame: 1 trailing bytes/],
  ];

  test.each(malformed)('%s on an authenticated connection: dropped, counted, logged in one line; others still served', async (_name, payload, reason) => {
    const { lines, log } = captureLog();
    const handler = echoHandler();
    const third = echoHandler();
    const [t0, , t2] = trio(await cluster([handler, echoHandler(), third], { log }));
    const raw = await RawConnection.authenticated(addressOf(t0), { role: 'peer', id: 1 }, 0, 3);
    raw.writeSealed(payload());
    await raw.closed;
    expect(t0.counters.malformed).toBe(1);
    expect(handler.handled).toEqual([]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^raft-net\[0\] peer 1 \(127\.0\.0\.1:\d+\): /);
    expect(lines[0]).toMatch(reason);
    expect(lines[0]).toMatch(/; connection dropped$/);
    expect(await exchange(t2, third, heartbeat(2, 0))).toEqual(echoReply(heartbeat(2, 0)));
    expect(handler.handled).toHaveLength(1);
  });

  test('an oversized frame: refused on its header, counted, logged; others still served', async () => {
    const { lines, log } = captureLog();
    const handler = echoHandler();
    const third = echoHandler();
    const [t0, , t2] = trio(await cluster([handler, echoHandler(), third], { log, maxFrameBytes: 1024 }));
    const raw = await RawConnection.authenticated(addressOf(t0), { role: 'peer', id: 1 }, 0, 3);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(1025);
    raw.socket.write(header); // the body never comes: the header alone is refused
    await raw.closed;
    expect(t0.counters.oversized).toBe(1);
    expect(lines).toEqual([expect.stringMatching(/^raft-net\[0\] peer 1 .*oversized: frame declares 1025 bytes, limit 1024; connection dropped$/)]);
    expect(await exchange(t2, third, heartbeat(2, 0))).toEqual(echoReply(heartbeat(2, 0)));
    expect(handler.handled).toHaveLength(1);

    // Before authenticating, the limit is the largest handshake frame.
    const unauthenticated = await RawConnection.open(addressOf(t0));
    header.writeUInt32BE(1000);
    unauthenticated.socket.write(header);
    await unauthenticated.closed;
    expect(t0.counters.oversized).toBe(2);
    expect(lines[1]).toMatch(/unauthenticated .*oversized: frame declares 1000 bytes, limit 137/);
  });

  test('a frame of this end too large to send is not sent: counted each time, logged once', async () => {
    const { lines, log } = captureLog();
    const self = echoHandler();
    const handler = echoHandler();
    const [t0] = pair(await cluster([self, handler], { log, maxFrameBytes: 256 }));
    expect(await exchange(t0, self, heartbeat(0, 1))).toBeDefined();
    const tooLarge = { ...heartbeat(0, 1), entries: [{ term: 1, command: 'x'.repeat(300) }] };
    t0.send(tooLarge);
    t0.send(tooLarge);
    expect(t0.counters.oversized).toBe(2);
    expect(lines).toEqual([expect.stringMatching(/^raft-net\[0\] peer 1 at 127\.0\.0\.1:\d+: not sent: a frame of \d+ bytes exceeds the limit 256$/)]);
    expect(await exchange(t0, self, heartbeat(0, 1, 2))).toBeDefined(); // the connection lives on
    expect(handler.handled).toHaveLength(2);
  });

  test('a server with another secret is refused both ways, and no receiver ever hears of it', async () => {
    const { lines, log } = captureLog();
    const handler = echoHandler();
    const [t0] = pair(await cluster([handler, echoHandler()], { log }));
    const intruder = new TcpTransport({ me: 1, addresses: [addressOf(t0), '127.0.0.1:0'], secret: 'not the secret', log });
    cleanup.push(() => intruder.close());
    intruder.send(heartbeat(1, 0));
    await waitFor('both sides to refuse', () => t0.counters.authFailures === 1 && intruder.counters.authFailures === 1);
    expect(lines.sort()).toEqual([
      expect.stringMatching(/^raft-net\[0\] peer 1 \(127\.0\.0\.1:\d+, not authenticated\): auth: .* during the handshake; connection dropped$/),
      expect.stringMatching(/^raft-net\[1\] peer 0 at 127\.0\.0\.1:\d+: auth: handshake: the server's proof does not verify \(wrong secret\?\); connection dropped$/),
    ]);
    expect(handler.handled).toEqual([]);
  });

  test('a sender without the secret cannot prove it: frames after a forged proof never reach the receiver', async () => {
    const { lines, log } = captureLog();
    const handler = echoHandler();
    const [t0] = pair(await cluster([handler, echoHandler()], { log }));
    const raw = await RawConnection.open(addressOf(t0));
    raw.writeFrame(new InitiatorHandshake(secretBytes('guess'), { role: 'peer', id: 1 }, 0, 2).hello());
    await raw.nextFrame(); // the challenge
    raw.writeFrame(randomBytes(32));
    const payload = encodePeerFrame(heartbeat(1, 0));
    raw.socket.write(encodeFrame([payload, randomBytes(16)]));
    await raw.closed;
    expect(t0.counters.authFailures).toBe(1);
    expect(lines).toEqual([expect.stringMatching(/peer 1 \(.*, not authenticated\): auth: handshake: the proof does not verify/)]);
    expect(handler.handled).toEqual([]);
  });

  test('an injected or replayed frame on an authenticated connection fails its tag', async () => {
    const { lines, log } = captureLog();
    const handler = echoHandler();
    const [t0] = pair(await cluster([handler, echoHandler()], { log }));
    const raw = await RawConnection.authenticated(addressOf(t0), { role: 'peer', id: 1 }, 0, 2);
    const first = raw.writeSealed(encodePeerFrame(heartbeat(1, 0)));
    await waitFor('the first frame to be received', () => handler.handled.length === 1);
    raw.socket.write(first); // replayed
    await raw.closed;
    expect(handler.handled).toHaveLength(1);
    expect(t0.counters.authFailures).toBe(1);
    expect(lines).toEqual([expect.stringMatching(/peer 1 .*auth: frame 1 fails its tag \(injected, replayed, reordered or altered\); connection dropped$/)]);
  });

  test('a connection that does not authenticate in time is dropped', async () => {
    const { lines, log } = captureLog();
    const [t0] = pair(await cluster([echoHandler(), echoHandler()], { log, handshakeTimeoutMs: 100 }));
    const raw = await RawConnection.open(addressOf(t0));
    await raw.closed;
    expect(t0.counters.authFailures).toBe(1);
    expect(lines).toEqual([expect.stringMatching(/unauthenticated .*auth: handshake not finished within 100 ms; connection dropped$/)]);
  });

  test('a message to an unreachable peer is dropped silently, with one log line for the outage', async () => {
    const { lines, log } = captureLog();
    const self = echoHandler();
    const [t0] = pair(await cluster([self, echoHandler()], { log }));
    const [, gone] = pair(await cluster([echoHandler(), echoHandler()]));
    const deadAddress = addressOf(gone);
    await gone.close();
    t0.setAddress(1, deadAddress);
    const started = Date.now();
    await waitFor('three retries', () => {
      t0.send(heartbeat(0, 1));
      return t0.counters.reconnects === 3;
    });
    // Retries wait at least 25, 50 and 100 ms (half of 50, 100, 200 ms): a slow machine only waits longer.
    expect(Date.now() - started).toBeGreaterThanOrEqual(175);
    await waitFor('the third retry to fail too', () => t0.queuedMessages(1) === 0 && !t0.connectedTo(1)); // the message that made it is dropped
    expect(self.replies).toEqual([]);
    expect(lines).toEqual([expect.stringMatching(/^raft-net\[0\] peer 1: unreachable \(connect ECONNREFUSED .*\); retrying with backoff$/)]);
  });

  test('a peer that restarts is reconnected to after backoff', async () => {
    const { lines, log } = captureLog();
    const self = echoHandler();
    const [a, b] = pair(await cluster([self, echoHandler()], { log }));
    expect(await exchange(a, self, heartbeat(0, 1))).toBeDefined();
    const bAddress = addressOf(b);
    await b.close();
    await waitFor('the drop to be seen', () => !a.connectedTo(1));
    const handler = new EchoServer();
    const restarted = new TcpTransport({ me: 1, addresses: [addressOf(a), bAddress], secret: SECRET, log });
    handler.transport = restarted;
    cleanup.push(() => restarted.close());
    await restarted.listen(handler);
    const before = self.replies.length;
    await waitFor('a reply from the restarted peer', () => {
      a.send(heartbeat(0, 1));
      return self.replies.length > before;
    });
    expect(a.counters.reconnects).toBeGreaterThanOrEqual(1);
    const aLines = lines.filter((l) => l.startsWith('raft-net[0]'));
    expect(aLines[0]).toMatch(/peer 1: unreachable \(.+\); retrying with backoff$/);
    expect(aLines.at(-1)).toMatch(/peer 1: connected again after \d+ failed attempt\(s\)$/);
  });

  test('what a peer sends on the connection this server dialed reaches the receiver too, in order, duplicates and all', async () => {
    const server = await RawServer.start(1, 2, (payload, send) => {
      const message = decodePeerFrame(payload, { clusterSize: 2, peer: 0, me: 1 });
      if (message.type !== 'AppendEntries') return;
      const reply = encodePeerFrame(echoReply(message));
      send(reply);
      send(reply); // nothing pairs replies with requests: a duplicate is a message like any other
    });
    cleanup.push(() => server.close());
    const received: Message[] = [];
    const t = new TcpTransport({ me: 0, addresses: ['127.0.0.1:0', server.address], secret: SECRET, log: () => undefined });
    cleanup.push(() => t.close());
    await t.listen({ onReceive: (m) => received.push(m) });
    for (let term = 1; term <= 3; term++) t.send(heartbeat(0, 1, term));
    await waitFor('six replies', () => received.length === 6);
    expect(received.map((m) => m.term)).toEqual([1, 1, 2, 2, 3, 3]);
    expect(t.counters.malformed).toBe(0);
    expect(t.connectedTo(1)).toBe(true);
  });

  test('a malformed frame on the connection this server dialed drops that connection: counted, logged, not delivered', async () => {
    const { lines, log } = captureLog();
    const server = await RawServer.start(1, 2, (_payload, send) => {
      send(encodePeerFrame(echoReply(heartbeat(1, 1)))); // a reply from 1 addressed to 1 itself
    });
    cleanup.push(() => server.close());
    const received: Message[] = [];
    const t = new TcpTransport({ me: 0, addresses: ['127.0.0.1:0', server.address], secret: SECRET, log });
    cleanup.push(() => t.close());
    await t.listen({ onReceive: (m) => received.push(m) });
    t.send(rv(0, 1));
    await waitFor('the frame to be refused', () => t.counters.malformed === 1);
    expect(received).toEqual([]);
    expect(lines).toEqual([expect.stringMatching(/^raft-net\[0\] peer 1 at .*: malformed: peer frame: AppendEntriesReply\.to is 1, not this node \(0\); connection dropped$/)]);
    await waitFor('the connection to go', () => !t.connectedTo(1));
  });

  test('messages sent while connecting wait for the connection, the newest maxPendingCalls of them', async () => {
    const silent = new EchoServer(true);
    const [a] = pair(await cluster([echoHandler(), silent], { maxPendingCalls: 4 }));
    for (let term = 1; term <= 10; term++) a.send(heartbeat(0, 1, term));
    expect(a.queuedMessages(1)).toBe(4);
    await waitFor('the connection', () => a.connectedTo(1));
    expect(a.queuedMessages(1)).toBe(0);
    a.send(heartbeat(0, 1, 11));
    await waitFor('the last message to arrive', () => silent.handled.at(-1)?.term === 11);
    expect(silent.handled.map((r) => r.term)).toEqual([7, 8, 9, 10, 11]);
  });

  test('after close, sends are ignored and nothing is left open', async () => {
    const handlesBefore = tcpHandles();
    const self = echoHandler();
    const [a, b] = pair(await startTransports([self, echoHandler()]));
    expect(await exchange(a, self, heartbeat(0, 1))).toBeDefined();
    expect(tcpHandles()).toBeGreaterThan(handlesBefore);
    await Promise.all([a.close(), b.close()]);
    a.send(heartbeat(0, 1));
    expect(tcpHandles()).toBe(handlesBefore);
  });

  test('listening on an address in use rejects, and the transport still closes cleanly', async () => {
    const [a] = pair(await cluster([echoHandler(), echoHandler()]));
    const twin = new TcpTransport({ me: 0, addresses: [addressOf(a), '127.0.0.1:0'], secret: SECRET });
    await expect(twin.listen(echoHandler())).rejects.toThrow(/EADDRINUSE/);
    await twin.close();
  });

  test('membership: a server whose address is not known yet gets no messages (one line) until setAddress names it', async () => {
    const { lines, log } = captureLog();
    const self = echoHandler();
    const added = echoHandler();
    // Ids 0..2; server 0 knows only itself, server 2 (one a membership change adds) only itself.
    const t0 = new TcpTransport({ secret: SECRET, me: 0, addresses: ['127.0.0.1:0'], clusterSize: 3, log });
    const t2 = new TcpTransport({ secret: SECRET, me: 2, addresses: [null, null, '127.0.0.1:0'] });
    cleanup.push(async () => { await Promise.all([t0.close(), t2.close()]); });
    self.transport = t0;
    added.transport = t2;
    await t0.listen(self);
    await t2.listen(added);
    expect([t0.clusterSize, t2.clusterSize]).toEqual([3, 3]);
    t0.send(heartbeat(0, 2));
    t0.send(heartbeat(0, 2));
    expect(lines).toEqual(['raft-net[0] peer 2: address not known yet; dropping messages to it']);
    expect(() => t0.address(2)).toThrow(/no address for server 2/);
    t0.setAddress(2, addressOf(t2));
    t2.setAddress(0, addressOf(t0));
    await exchange(t0, self, heartbeat(0, 2, 7));
    expect(added.handled).toHaveLength(1);
    expect(() => t0.send(heartbeat(0, 3))).toThrow(/no peer 3 \(servers 0\.\.2/);
    expect(() => new TcpTransport({ secret: SECRET, me: 2, addresses: ['127.0.0.1:0'], clusterSize: 3 })).toThrow(/no address for this server \(2\)/);
    expect(() => new TcpTransport({ secret: SECRET, me: 0, addresses: ['127.0.0.1:0', '127.0.0.1:1'], clusterSize: 1 })).toThrow(/clusterSize 1 is less than the 2 addresses/);
  });

  test('a message this server could not send is a caller error', async () => {
    const [a] = pair(await cluster([echoHandler(), echoHandler()]));
    expect(() => a.send(heartbeat(1, 0))).toThrow(/AppendEntries from 1 on the transport of server 0/);
    expect(() => a.send(heartbeat(0, 5))).toThrow(/no peer 5/);
    expect(() => a.send(heartbeat(0, 0))).toThrow(/no peer 0/);
    expect(() => a.send({ ...heartbeat(0, 1), entries: [{ term: 1, command: undefined }] })).toThrow(/command is undefined/);
  });
});
