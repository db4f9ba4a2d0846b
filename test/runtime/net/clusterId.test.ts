import { describe, expect, test } from 'vitest';
import { TcpClient, TcpTransport } from '../../../src/runtime/net/index.js';
import { captureLog, closeAfterEachTest, echoHandler, echoReply, exchange, heartbeat, SECRET, waitFor } from './helpers.js';

const cleanup = closeAfterEachTest();

/** Two servers of a two-server cluster that share the secret, each told its own cluster id. */
async function pairOf(clusterIds: readonly [string, string]) {
  const logs = [captureLog(), captureLog()];
  const addresses = ['127.0.0.1:0', '127.0.0.1:0'];
  const transports = clusterIds.map((clusterId, me) => new TcpTransport({ secret: SECRET, clusterId, me, addresses, log: logs[me]!.log, backoff: { initialMs: 20, maxMs: 100 } }));
  cleanup.push(() => Promise.all(transports.map((t) => t.close())).then(() => undefined));
  const servers = transports.map((t) => {
    const server = echoHandler();
    server.transport = t;
    return server;
  });
  const bound = await Promise.all(transports.map((t, me) => t.listen(servers[me]!, (_, respond) => respond({ ok: true }))));
  transports[0]!.setAddress(1, bound[1]!);
  transports[1]!.setAddress(0, bound[0]!);
  return { transports, servers, logs, bound };
}

describe('TcpTransport: the cluster id', () => {
  test('servers of one cluster id talk', async () => {
    const { transports, servers } = await pairOf(['blue', 'blue']);
    expect(await exchange(transports[0]!, servers[0]!, heartbeat(0, 1))).toEqual(echoReply(heartbeat(0, 1)));
  });

  test('a server of another cluster with the same secret and addresses is refused, in one line that names both clusters', async () => {
    const { transports, servers, logs } = await pairOf(['blue', 'green']);
    transports[0]!.send(heartbeat(0, 1));
    await waitFor('the refusal', () => logs[1]!.lines.some((l) => /cluster/.test(l)));
    expect(logs[1]!.lines.find((l) => /cluster/.test(l))).toMatch(/^raft-net\[1\] unauthenticated \(127\.0\.0\.1:\d+, not authenticated\): auth: handshake: peer 0 is from cluster blue, this node is in cluster green; connection dropped$/);
    expect(transports[1]!.counters.authFailures).toBeGreaterThanOrEqual(1);
    expect(servers[1]!.handled).toEqual([]); // nothing crossed the clusters, either way
    expect(servers[0]!.replies).toEqual([]);
  });

  test('a client given a cluster id reaches only that cluster; one without reaches any', async () => {
    const { bound, logs } = await pairOf(['blue', 'blue']);
    const any = await TcpClient.connect(bound[0]!, SECRET, { log: () => undefined });
    cleanup.push(() => any.close());
    expect(await any.request({ op: 'x' })).toEqual({ ok: true });
    const right = await TcpClient.connect(bound[0]!, SECRET, { clusterId: 'blue', log: () => undefined });
    cleanup.push(() => right.close());
    expect(await right.request({ op: 'x' })).toEqual({ ok: true });
    // The server refuses it at HELLO; the client sees its connection closed.
    await expect(TcpClient.connect(bound[0]!, SECRET, { clusterId: 'green', log: () => undefined })).rejects.toThrow(/closed by the other end during the handshake/);
    await waitFor('the refusal', () => logs[0]!.lines.length > 0);
    expect(logs[0]!.lines).toEqual([expect.stringMatching(/auth: handshake: a client of cluster green, this node is in cluster blue; connection dropped$/)]);
  });

  test('a cluster id out of the grammar is refused when the transport is made', () => {
    expect(() => new TcpTransport({ secret: SECRET, clusterId: 'no spaces', me: 0, addresses: ['127.0.0.1:0'] })).toThrow(/may hold only letters/);
  });
});
