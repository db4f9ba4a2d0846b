import { describe, expect, test } from 'vitest';
import {
  ByteWriter, ClientRequestError, EncodeError, formatAddress, TcpClient, TcpTransport, WireError,
  type ClientHandler, type JsonObject,
} from '../../../src/runtime/net/index.js';
import { captureLog, echoHandler, RawConnection, SECRET, closeAfterEachTest, tcpHandles, waitFor } from './helpers.js';

const cleanup = closeAfterEachTest();

/** Server 0 of a cluster of 3, listening with the given client handler. */
async function server(client: ClientHandler | undefined, options: { maxFrameBytes?: number } = {}) {
  const { lines, log } = captureLog();
  const t = new TcpTransport({ me: 0, addresses: ['127.0.0.1:0', '127.0.0.1:1', '127.0.0.1:2'], secret: SECRET, log, ...options });
  cleanup.push(() => t.close());
  const address = await t.listen(echoHandler(), client);
  return { t, address, lines };
}

async function connect(address: string, secret = SECRET, options: Parameters<typeof TcpClient.connect>[2] = {}): Promise<TcpClient> {
  const client = await TcpClient.connect(address, secret, { log: () => undefined, ...options });
  cleanup.push(() => client.close());
  return client;
}

function clientFrame(id: number, body: string | Buffer): Buffer {
  const w = new ByteWriter();
  w.uint(id, 'id');
  w.bytes(typeof body === 'string' ? Buffer.from(body, 'utf8') : body);
  return Buffer.from(w.finish());
}

describe('client channel', () => {
  test('many requests in flight on one connection, answered out of order, each to its own caller', async () => {
    const held: { payload: JsonObject; respond: (reply: unknown) => void }[] = [];
    const { address } = await server((payload, respond) => {
      held.push({ payload, respond });
      if (held.length === 10) for (const h of held.reverse()) h.respond({ echo: h.payload['n'] });
    });
    const client = await connect(address);
    expect(client.serverId).toBe(0);
    const replies = await Promise.all(Array.from({ length: 10 }, (_, n) => client.request({ op: 'status', n })));
    expect(replies).toEqual(Array.from({ length: 10 }, (_, n) => ({ echo: n })));
    expect(client.inFlight).toBe(0);
  });

  test('a reply is sent once, and must be a JSON object', async () => {
    const errors: unknown[] = [];
    const { address } = await server((payload, respond) => {
      for (const bad of [[1], 'text', { f: undefined }]) {
        try { respond(bad); } catch (error) { errors.push(error); }
      }
      respond({ first: true });
      respond({ second: true });
    });
    const client = await connect(address);
    expect(await client.request({})).toEqual({ first: true });
    expect(await client.request({})).toEqual({ first: true });
    expect(errors).toHaveLength(6);
    expect(errors.every((e) => e instanceof EncodeError)).toBe(true);
    expect(String(errors[2])).toMatch(/client reply\.f is undefined/);
  });

  test('a request that is not a JSON object is refused before it leaves', async () => {
    const { address } = await server((_payload, respond) => respond({}));
    const client = await connect(address);
    await expect(client.request([1, 2])).rejects.toThrow(EncodeError);
    await expect(client.request(null)).rejects.toThrow(/client request is null, not a JSON object/);
    await expect(client.request({ n: 1n })).rejects.toThrow(/client request\.n is a bigint/);
    expect(await client.request({ ok: 1 })).toEqual({});
  });

  test.each<[string, string | Buffer, RegExp]>([
    ['an array', '[1]', /client request is an array, not a JSON object/],
    ['not JSON', '{"op":', /client request is not valid JSON/],
    ['not UTF-8', Buffer.from([0x22, 0xff, 0x22]), /client request is not valid UTF-8/],
    ['JSON nested a million deep', `{"a":${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}}`, /client request nests deeper than 512 levels/],
  ])('a client frame holding %s is malformed: dropped, counted, logged; others still served', async (_name, body, reason) => {
    let handled = 0;
    const { t, address, lines } = await server((_payload, respond) => { handled++; respond({}); });
    const raw = await RawConnection.authenticated(address, { role: 'client' }, null, 0);
    raw.writeSealed(clientFrame(0, body));
    await raw.closed;
    expect(t.counters.malformed).toBe(1);
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^raft-net\\[0\\] client \\(127\\.0\\.0\\.1:\\d+\\): malformed: ${reason.source}; connection dropped$`))]);
    expect(handled).toBe(0);
    expect(await (await connect(address)).request({})).toEqual({});
  });

  test('an oversized client frame is refused, and the client hears its connection close', async () => {
    const { t, address, lines } = await server((_payload, respond) => respond({}), { maxFrameBytes: 1024 });
    const client = await connect(address);
    await expect(client.request({ big: 'x'.repeat(2000) })).rejects.toThrow(ClientRequestError);
    expect(t.counters.oversized).toBe(1);
    expect(lines).toEqual([expect.stringMatching(/client .*oversized: frame declares \d+ bytes, limit 1024; connection dropped$/)]);
    await expect(client.request({})).rejects.toThrow(/connection is closed/);
  });

  test('a client with the wrong secret is refused and its server never handles anything', async () => {
    let handled = 0;
    const { t, address } = await server(() => { handled++; });
    const logged: string[] = [];
    await expect(TcpClient.connect(address, 'wrong secret', { log: (l) => logged.push(l) })).rejects.toThrow(WireError);
    expect(logged).toEqual([expect.stringMatching(/^raft-client 127\.0\.0\.1:\d+: auth: handshake: the server's proof does not verify/)]);
    await waitFor('the server to count it', () => t.counters.authFailures === 1);
    expect(handled).toBe(0);
  });

  test('a server without a client handler refuses clients', async () => {
    const { t, address, lines } = await server(undefined);
    await expect(connect(address)).rejects.toThrow(/closed by the other end during the handshake/);
    expect(t.counters.authFailures).toBe(1);
    expect(lines).toEqual([expect.stringMatching(/auth: handshake: a client, and this server takes no clients; connection dropped$/)]);
  });

  test('requests in flight reject when the connection closes, or when they time out', async () => {
    const { address } = await server(() => undefined); // never answers
    const client = await connect(address, SECRET, { requestTimeoutMs: 50 });
    await expect(client.request({ a: 1 })).rejects.toThrow(/client request 0 unanswered after 50 ms/);
    const rejected = expect(client.request({ b: 2 })).rejects.toThrow(/connection closed before the reply \(the client closed\)/);
    await client.close();
    await rejected;
    expect(client.inFlight).toBe(0);
  });

  test('connecting to nothing rejects', async () => {
    const t = new TcpTransport({ me: 0, addresses: ['127.0.0.1:0', '127.0.0.1:0'], secret: SECRET });
    const address = await t.listen(echoHandler());
    await t.close();
    await expect(TcpClient.connect(address, SECRET)).rejects.toThrow(/ECONNREFUSED/);
    expect(formatAddress({ host: '::1', port: 5 })).toBe('[::1]:5');
  });
});
