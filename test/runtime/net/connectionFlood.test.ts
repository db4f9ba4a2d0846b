import { connect, type Socket } from 'node:net';
import { describe, expect, test } from 'vitest';
import { LogLimiter } from '../../../src/runtime/net/logLimiter.js';
import { MAX_UNAUTHENTICATED_CONNECTIONS } from '../../../src/runtime/net/listener.js';
import { parseAddress } from '../../../src/runtime/net/index.js';
import { ManualClock } from '../manualClock.js';
import { captureLog, closeAfterEachTest, echoHandler, echoReply, exchange, heartbeat, startTransports, waitFor } from './helpers.js';

const cleanup = closeAfterEachTest();

describe('LogLimiter', () => {
  test('the first lines of a window are logged, the rest told in one summary when it ends; then a new window', () => {
    const clock = new ManualClock();
    const { lines, log } = captureLog();
    const limiter = new LogLimiter(log, clock, 'things refused', 3, 10_000);
    for (let i = 0; i < 50; i++) limiter.line(`line ${i}`);
    expect(lines).toEqual(['line 0', 'line 1', 'line 2']);
    clock.fireNext();
    expect(lines.slice(3)).toEqual(['47 more things refused in the last 10 s (the first 3 were logged)']);
    limiter.line('line 50');
    expect(lines.at(-1)).toBe('line 50');
    clock.fireNext();
    expect(lines).toHaveLength(5); // nothing held back: no summary
    limiter.line('a');
    for (let i = 0; i < 5; i++) limiter.line('b');
    limiter.close();
    expect(lines.at(-1)).toBe('3 more things refused in the last 10 s (the first 3 were logged)');
    expect(clock.pending()).toBe(0);
  });
});

describe('TcpTransport under a flood of idle connections', () => {
  test('2,000 idle connections: a bounded log with a summary, at most the cap held open, and the peers still served', async () => {
    const { lines, log } = captureLog();
    const handlers = [echoHandler(), echoHandler(), echoHandler()] as const;
    const transports = await startTransports(handlers, { log, handshakeTimeoutMs: 4_000 });
    cleanup.push(() => Promise.all(transports.map((t) => t.close())).then(() => undefined));
    const [t0, t1, t2] = transports as [typeof transports[0], typeof transports[0], typeof transports[0]];
    expect(await exchange(t1, handlers[1], heartbeat(1, 0))).toEqual(echoReply(heartbeat(1, 0))); // the peer link is up before the flood

    const { host, port } = parseAddress(`127.0.0.1:${t0.address(0).port}`);
    const sockets: Socket[] = [];
    cleanup.push(async () => { for (const socket of sockets) socket.destroy(); });
    let closed = 0;
    // In batches below the listen backlog (511), so that every connection reaches the listener
    // (past the backlog the kernel leaves the client believing it is connected, unaccepted).
    for (let batch = 0; batch < 8; batch++) {
      await Promise.all(Array.from({ length: 250 }, () => new Promise<void>((resolve) => {
        const socket = connect({ host, port });
        sockets.push(socket);
        socket.on('error', () => undefined);
        socket.once('close', () => { closed++; });
        socket.once('connect', () => resolve());
      })));
      // The ones past the cap are closed at once (well before the 4 s handshake timeout); the
      // cap's worth wait for that timeout.
      await waitFor(`batch ${batch}: the connections past the cap to be closed`, () => closed >= sockets.length - MAX_UNAUTHENTICATED_CONNECTIONS, 3_000);
    }
    expect(closed).toBeLessThan(2_000);
    // Meanwhile the peer is served, on the link it already had.
    expect(await exchange(t1, handlers[1], heartbeat(1, 0))).toEqual(echoReply(heartbeat(1, 0)));

    // The handshake timeout frees the cap's worth: a new peer connection gets in.
    await waitFor('every idle connection to be dropped', () => closed === 2_000, 10_000);
    expect(await exchange(t2, handlers[2], heartbeat(2, 0), 5_000)).toEqual(echoReply(heartbeat(2, 0)));
    expect(t0.counters.authFailures).toBe(2_000);

    await t0.close(); // logs what the open window held back
    if (process.env['SHOW_FLOOD_LOG']) console.log(lines.join('\n'));
    const about = lines.filter((l) => l.startsWith('raft-net[0]'));
    expect(about.length, about.join('\n')).toBeLessThanOrEqual(10 + 2);
    expect(lines.some((l) => /^\d+ more unauthenticated connections refused in the last 10 s \(the first 10 were logged\)$/.test(l)), lines.join('\n')).toBe(true);
    expect(lines.length).toBeLessThan(20);
  });
});
