import { randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import type { ReplyMessage } from '../../../src/runtime/index.js';
import {
  decodeRpcRequest, encodeFrame, encodeRpcFrame, formatAddress, InitiatorHandshake, secretBytes, TcpTransport,
  type RpcFrame,
} from '../../../src/runtime/net/index.js';
import type { RequestMessage, RpcHandler } from '../../../src/runtime/index.js';
import {
  callOnce, captureLog, echoHandler, echoReply, heartbeat, RawConnection, RawServer, SECRET, startTransports, closeAfterEachTest, tcpHandles, waitFor,
} from './helpers.js';

const cleanup = closeAfterEachTest();

async function cluster(handlers: readonly RpcHandler[], options: Parameters<typeof startTransports>[1] = {}): Promise<TcpTransport[]> {
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
  test('three servers call each other; every call gets its own reply, once', async () => {
    const handlers = [echoHandler(), echoHandler(), echoHandler()];
    const transports = await cluster(handlers);
    const calls: Promise<[RequestMessage, ReplyMessage]>[] = [];
    const counts = new Map<RequestMessage, number>();
    for (const t of transports) {
      for (let to = 0; to < 3; to++) {
        if (to === t.me) continue;
        for (let k = 0; k < 20; k++) {
          const request = k % 2 === 0 ? rv(t.me, to, k) : { ...heartbeat(t.me, to, k), entries: [{ term: 1, command: { k, to } }] };
          calls.push(new Promise((resolve) => t.call(request, (reply) => {
            counts.set(request, (counts.get(request) ?? 0) + 1);
            resolve([request, reply]);
          })));
        }
      }
    }
    const answered = await Promise.all(calls);
    for (const [request, reply] of answered) expect(reply).toEqual(echoReply(request));
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(handlers.map((h) => h.handled.length)).toEqual([40, 40, 40]);
    for (const t of transports) {
      expect(t.counters).toMatchObject({ malformed: 0, oversized: 0, authFailures: 0, reconnects: 0 });
      expect(t.counters.framesOut).toBeGreaterThanOrEqual(40 + 40); // 40 requests sent, 40 replies sent
    }
  });

  const malformed: [string, () => Uint8Array, RegExp][] = [
    ['a bad message type byte', () => Buffer.from([0, 9, 1, 0, 1]), /malformed: rpc: bad message type byte 0x09/],
    ['a message claiming another sender', () => encodeRpcFrame(0, heartbeat(2, 0)), /AppendEntries\.from is 2, not the authenticated peer 1/],
    ['a reply where a request belongs', () => encodeRpcFrame(0, echoReply(heartbeat(0, 1))), /a AppendEntriesReply where a request belongs/],
    ['trailing bytes', () => Buffer.concat([encodeRpcFrame(0, heartbeat(1, 0)), Buffer.from([7])]), /rpc: 1 trailing bytes/],
  ];

  test.each(malformed)('%s on an authenticated connection: dropped, counted, logged in one line; others still served', async (_name, payload, reason) => {
    const { lines, log } = captureLog();
    const handler = echoHandler();
    const [t0, , t2] = trio(await cluster([handler, echoHandler(), echoHandler()], { log }));
    const raw = await RawConnection.authenticated(addressOf(t0), { role: 'peer', id: 1 }, 0, 3);
    raw.writeSealed(payload());
    await raw.closed;
    expect(t0.counters.malformed).toBe(1);
    expect(handler.handled).toEqual([]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^raft-net\[0\] peer 1 \(127\.0\.0\.1:\d+\): /);
    expect(lines[0]).toMatch(reason);
    expect(lines[0]).toMatch(/; connection dropped$/);
    expect(await callOnce(t2, heartbeat(2, 0))).toEqual(echoReply(heartbeat(2, 0)));
    expect(handler.handled).toHaveLength(1);
  });

  test('an oversized frame: refused on its header, counted, logged; others still served', async () => {
    const { lines, log } = captureLog();
    const handler = echoHandler();
    const [t0, , t2] = trio(await cluster([handler, echoHandler(), echoHandler()], { log, maxFrameBytes: 1024 }));
    const raw = await RawConnection.authenticated(addressOf(t0), { role: 'peer', id: 1 }, 0, 3);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(1025);
    raw.socket.write(header); // the body never comes: the header alone is refused
    await raw.closed;
    expect(t0.counters.oversized).toBe(1);
    expect(lines).toEqual([expect.stringMatching(/^raft-net\[0\] peer 1 .*oversized: frame declares 1025 bytes, limit 1024; connection dropped$/)]);
    expect(await callOnce(t2, heartbeat(2, 0))).toEqual(echoReply(heartbeat(2, 0)));
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
    const handler = echoHandler();
    const [t0] = pair(await cluster([echoHandler(), handler], { log, maxFrameBytes: 256 }));
    expect(await callOnce(t0, heartbeat(0, 1))).toBeDefined();
    const tooLarge = { ...heartbeat(0, 1), entries: [{ term: 1, command: 'x'.repeat(300) }] };
    t0.call(tooLarge, () => { throw new Error('no reply expected'); });
    t0.call(tooLarge, () => { throw new Error('no reply expected'); });
    expect(t0.counters.oversized).toBe(2);
    expect(t0.pendingCalls(1)).toBe(0);
    expect(lines).toEqual([expect.stringMatching(/^raft-net\[0\] peer 1 at 127\.0\.0\.1:\d+: not sent: a frame of \d+ bytes exceeds the limit 256$/)]);
    expect(await callOnce(t0, heartbeat(0, 1))).toBeDefined(); // the connection lives on
    expect(handler.handled).toHaveLength(2);
  });

  test('a server with another secret is refused both ways, and no handler ever runs', async () => {
    const { lines, log } = captureLog();
    const handler = echoHandler();
    const [t0] = pair(await cluster([handler, echoHandler()], { log }));
    const intruder = new TcpTransport({ me: 1, addresses: [addressOf(t0), '127.0.0.1:0'], secret: 'not the secret', log });
    cleanup.push(() => intruder.close());
    let replies = 0;
    intruder.call(heartbeat(1, 0), () => replies++);
    await waitFor('both sides to refuse', () => t0.counters.authFailures === 1 && intruder.counters.authFailures === 1);
    expect(lines.sort()).toEqual([
      expect.stringMatching(/^raft-net\[0\] peer 1 \(127\.0\.0\.1:\d+, not authenticated\): auth: .* during the handshake; connection dropped$/),
      expect.stringMatching(/^raft-net\[1\] peer 0 at 127\.0\.0\.1:\d+: auth: handshake: the server's proof does not verify \(wrong secret\?\); connection dropped$/),
    ]);
    expect(handler.handled).toEqual([]);
    expect(replies).toBe(0);
  });

  test('a sender without the secret cannot prove it: frames after a forged proof never reach the handler', async () => {
    const { lines, log } = captureLog();
    const handler = echoHandler();
    const [t0] = pair(await cluster([handler, echoHandler()], { log }));
    const raw = await RawConnection.open(addressOf(t0));
    raw.writeFrame(new InitiatorHandshake(secretBytes('guess'), { role: 'peer', id: 1 }, 0, 2).hello());
    await raw.nextFrame(); // the challenge
    raw.writeFrame(randomBytes(32));
    const payload = encodeRpcFrame(0, heartbeat(1, 0));
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
    const first = raw.writeSealed(encodeRpcFrame(0, heartbeat(1, 0)));
    await raw.nextFrame(); // its reply
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

  test('a call to an unreachable peer is dropped silently, with one log line for the outage', async () => {
    const { lines, log } = captureLog();
    const [t0] = pair(await cluster([echoHandler(), echoHandler()], { log }));
    const [, gone] = pair(await cluster([echoHandler(), echoHandler()]));
    const deadAddress = addressOf(gone);
    await gone.close();
    t0.setAddress(1, deadAddress);
    let replies = 0;
    const started = Date.now();
    await waitFor('three retries', () => {
      t0.call(heartbeat(0, 1), () => replies++);
      return t0.counters.reconnects === 3;
    });
    // Retries wait at least 25, 50 and 100 ms (half of 50, 100, 200 ms): a slow machine only waits longer.
    expect(Date.now() - started).toBeGreaterThanOrEqual(175);
    await waitFor('the third retry to fail too', () => t0.pendingCalls(1) === 0); // the call that made it is forgotten
    expect(replies).toBe(0);
    expect(lines).toEqual([expect.stringMatching(/^raft-net\[0\] peer 1: unreachable \(connect ECONNREFUSED .*\); retrying with backoff$/)]);
  });

  test('a peer that restarts is reconnected to after backoff', async () => {
    const { lines, log } = captureLog();
    const [a, b] = pair(await cluster([echoHandler(), echoHandler()], { log }));
    expect(await callOnce(a, heartbeat(0, 1))).toBeDefined();
    const bAddress = addressOf(b);
    await b.close();
    await waitFor('the drop to be seen', () => !a.connectedTo(1));
    const handler = echoHandler();
    const restarted = new TcpTransport({ me: 1, addresses: [addressOf(a), bAddress], secret: SECRET, log });
    cleanup.push(() => restarted.close());
    await restarted.listen(handler);
    let replies = 0;
    await waitFor('a reply from the restarted peer', () => {
      a.call(heartbeat(0, 1), () => replies++);
      return replies > 0;
    });
    expect(a.counters.reconnects).toBeGreaterThanOrEqual(1);
    const aLines = lines.filter((l) => l.startsWith('raft-net[0]'));
    expect(aLines[0]).toMatch(/peer 1: unreachable \(.+\); retrying with backoff$/);
    expect(aLines.at(-1)).toMatch(/peer 1: connected again after \d+ failed attempt\(s\)$/);
  });

  test('a reply arrives at most once, even when the server sends it twice', async () => {
    const server = await RawServer.start(1, 2, (payload, send) => {
      const { rpcId, message } = decodeRpcRequest(payload, { clusterSize: 2, peer: 0, me: 1 });
      const reply = encodeRpcFrame(rpcId, echoReply(message));
      send(reply);
      send(reply);
    });
    cleanup.push(() => server.close());
    const t = new TcpTransport({ me: 0, addresses: ['127.0.0.1:0', server.address], secret: SECRET, log: () => undefined });
    cleanup.push(() => t.close());
    const counts = [0, 0, 0, 0, 0];
    counts.forEach((_, i) => t.call(heartbeat(0, 1, i + 1), () => counts[i]!++));
    // Replies come in order on one connection: once the last call's reply is in, every duplicate has been read.
    await callOnce(t, heartbeat(0, 1, 9));
    expect(counts).toEqual([1, 1, 1, 1, 1]);
    expect(t.counters.malformed).toBe(0);
    expect(t.connectedTo(1)).toBe(true);
  });

  test('a handler that responds twice sends one reply', async () => {
    const twice: RpcHandler = { handle: (request, respond) => { respond(echoReply(request)); respond(echoReply(request)); } };
    const [t0, t1] = pair(await cluster([echoHandler(), twice]));
    let count = 0;
    t0.call(heartbeat(0, 1), () => count++);
    await callOnce(t0, heartbeat(0, 1, 2));
    expect(count).toBe(1);
    expect(t1.counters.framesOut).toBe(1 + 2); // the challenge, then one reply per call
  });

  test('a reply of the wrong type for its call is malformed', async () => {
    const { lines, log } = captureLog();
    const server = await RawServer.start(1, 2, (payload, send) => {
      const { rpcId }: RpcFrame<RequestMessage> = decodeRpcRequest(payload, { clusterSize: 2, peer: 0, me: 1 });
      send(encodeRpcFrame(rpcId, echoReply(heartbeat(0, 1))));
    });
    cleanup.push(() => server.close());
    const t = new TcpTransport({ me: 0, addresses: ['127.0.0.1:0', server.address], secret: SECRET, log });
    cleanup.push(() => t.close());
    let replies = 0;
    t.call(rv(0, 1), () => replies++);
    await waitFor('the reply to be refused', () => t.counters.malformed === 1);
    expect(replies).toBe(0);
    expect(lines).toEqual([expect.stringMatching(/peer 1 at .*: malformed: rpc 0 expects a RequestVoteReply, got a AppendEntriesReply; connection dropped$/)]);
  });

  test('callbacks awaiting replies are bounded, and forgotten when the connection drops', async () => {
    const handled: RequestMessage[] = [];
    const silent: RpcHandler = { handle: (request) => { handled.push(request); } };
    const [a, b] = pair(await cluster([echoHandler(), silent], { maxPendingCalls: 4, log: () => undefined }));
    a.call(heartbeat(0, 1), () => undefined);
    await waitFor('the first call to arrive', () => handled.length === 1);
    for (let i = 0; i < 10; i++) a.call(heartbeat(0, 1), () => undefined);
    await waitFor('all calls to arrive', () => handled.length === 11);
    expect(a.pendingCalls(1)).toBe(4);
    await b.close();
    await waitFor('the callbacks to be forgotten', () => a.pendingCalls(1) === 0);
  });

  test('calls made while connecting wait for the connection, the newest maxPendingCalls of them', async () => {
    const handled: RequestMessage[] = [];
    const silent: RpcHandler = { handle: (request) => { handled.push(request); } };
    const [a] = pair(await cluster([echoHandler(), silent], { maxPendingCalls: 4 }));
    for (let term = 1; term <= 10; term++) a.call(heartbeat(0, 1, term), () => undefined);
    await waitFor('the connection', () => a.connectedTo(1));
    a.call(heartbeat(0, 1, 11), () => undefined);
    await waitFor('the last call to arrive', () => handled.at(-1)?.term === 11);
    expect(handled.map((r) => r.term)).toEqual([7, 8, 9, 10, 11]);
    expect(a.pendingCalls(1)).toBe(4);
  });

  test('after close, calls are ignored and nothing is left open', async () => {
    const handlesBefore = tcpHandles();
    const [a, b] = pair(await startTransports([echoHandler(), echoHandler()]));
    expect(await callOnce(a, heartbeat(0, 1))).toBeDefined();
    expect(tcpHandles()).toBeGreaterThan(handlesBefore);
    await Promise.all([a.close(), b.close()]);
    a.call(heartbeat(0, 1), () => { throw new Error('no reply after close'); });
    expect(tcpHandles()).toBe(handlesBefore);
  });

  test('listening on an address in use rejects, and the transport still closes cleanly', async () => {
    const [a] = pair(await cluster([echoHandler(), echoHandler()]));
    const twin = new TcpTransport({ me: 0, addresses: [addressOf(a), '127.0.0.1:0'], secret: SECRET });
    await expect(twin.listen(echoHandler())).rejects.toThrow(/EADDRINUSE/);
    await twin.close();
  });

  test('a request this server could not send is a caller error', async () => {
    const [a] = pair(await cluster([echoHandler(), echoHandler()]));
    expect(() => a.call(heartbeat(1, 0), () => undefined)).toThrow(/request from 1 on the transport of server 0/);
    expect(() => a.call(heartbeat(0, 5), () => undefined)).toThrow(/no peer 5/);
    expect(() => a.call(heartbeat(0, 0), () => undefined)).toThrow(/no peer 0/);
    expect(() => a.call({ ...heartbeat(0, 1), entries: [{ term: 1, command: undefined }] }, () => undefined)).toThrow(/command is undefined/);
  });
});
