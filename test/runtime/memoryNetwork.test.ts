import { describe, expect, test } from 'vitest';
import type { RequestVoteArgs, RequestVoteReply } from '../../src/core/index.js';
import { MemoryNetwork, VirtualClock, messageSize, seededRandom, type ReplyCallback, type RpcHandler } from '../../src/runtime/index.js';

const request: RequestVoteArgs = { type: 'RequestVote', from: 0, to: 1, term: 1, candidateId: 0, lastLogIndex: 0, lastLogTerm: 0 };
const reply: RequestVoteReply = { type: 'RequestVoteReply', from: 1, to: 0, term: 1, voteGranted: true };

/** Answers every request at once (or holds the answer, to respond later). */
class Echo implements RpcHandler {
  handled = 0;
  held: ReplyCallback[] = [];
  constructor(private readonly hold = false) {}
  handle(_request: unknown, respond: ReplyCallback): void {
    this.handled++;
    if (this.hold) this.held.push(respond);
    else respond(reply);
  }
}

function setup(jitterMs = 0) {
  const clock = new VirtualClock();
  const net = new MemoryNetwork(clock, seededRandom(7), jitterMs);
  const end = net.makeEnd();
  net.connect(end, 1);
  return { clock, net, end };
}

describe('MemoryNetwork (labrpc semantics)', () => {
  test('a reliable call runs the handler once and delivers its reply; counts and bytes add up', async () => {
    const { clock, net, end } = setup();
    const server = new Echo();
    net.addServer(1, server);
    net.enable(end, true);
    const replies: unknown[] = [];
    net.call(end, request, (r) => replies.push(r));
    expect(server.handled).toBe(0); // never synchronous
    await clock.sleep(10);
    expect(replies).toEqual([reply]);
    expect(net.getTotalCount()).toBe(1);
    expect(net.getCount(1)).toBe(1);
    expect(net.getTotalBytes()).toBe(messageSize(request) + messageSize(reply));
    expect(messageSize(request)).toBe(JSON.stringify(request).length);
    clock.stop();
  });

  test('a call on a disabled end or to a missing server fails silently but counts in the total', async () => {
    const { clock, net, end } = setup();
    const server = new Echo();
    net.addServer(1, server);
    const replies: unknown[] = [];
    net.call(end, request, (r) => replies.push(r)); // end not enabled
    net.enable(end, true);
    net.deleteServer(1);
    net.call(end, request, (r) => replies.push(r)); // no server
    await clock.sleep(10_000);
    expect(replies).toEqual([]);
    expect(server.handled).toBe(0);
    expect(net.getTotalCount()).toBe(2);
    expect(net.getTotalBytes()).toBe(2 * messageSize(request));
    clock.stop();
  });

  /** A slow handler runs; `interrupt` happens before it answers; its reply must not arrive. */
  async function replyDiscardedAfter(interrupt: (net: ReturnType<typeof setup>['net'], end: ReturnType<typeof setup>['end']) => void): Promise<void> {
    const { clock, net, end } = setup();
    const slow = new Echo(true);
    net.addServer(1, slow);
    net.enable(end, true);
    const replies: unknown[] = [];
    net.call(end, request, (r) => replies.push(r));
    await clock.sleep(1);
    expect(slow.handled).toBe(1);
    interrupt(net, end);
    slow.held[0]!(reply);
    await clock.sleep(10);
    expect(replies).toEqual([]);
    clock.stop();
  }

  test('a reply from a server removed or replaced while its handler ran is discarded', async () => {
    await replyDiscardedAfter((net) => net.addServer(1, new Echo())); // replaced (restarted)
  });

  test('a reply whose end was disabled while its handler ran is discarded', async () => {
    await replyDiscardedAfter((net, end) => net.enable(end, false));
  });

  test('unreliable: about 10% of requests and 10% of replies are lost, with at most 26 ms of delay', async () => {
    const { clock, net, end } = setup();
    const server = new Echo();
    net.addServer(1, server);
    net.enable(end, true);
    net.setReliable(false);
    const calls = 2000;
    let delivered = 0;
    let latest = 0;
    for (let i = 0; i < calls; i++) net.call(end, request, () => { delivered++; latest = clock.now(); });
    await clock.sleep(1000);
    expect(server.handled / calls).toBeGreaterThan(0.87);
    expect(server.handled / calls).toBeLessThan(0.93);
    expect(delivered / server.handled).toBeGreaterThan(0.87);
    expect(delivered / server.handled).toBeLessThan(0.93);
    expect(latest).toBeLessThanOrEqual(26);
    expect(net.getCount(1)).toBe(server.handled);
    clock.stop();
  });

  test('long reordering delays about 2/3 of replies by 200..2200 ms', async () => {
    const { clock, net, end } = setup();
    net.addServer(1, new Echo());
    net.enable(end, true);
    net.setLongReordering(true);
    const at: number[] = [];
    for (let i = 0; i < 900; i++) net.call(end, request, () => at.push(clock.now()));
    await clock.sleep(3000);
    expect(at.length).toBe(900);
    const late = at.filter((t) => t >= 200);
    expect(late.length / 900).toBeGreaterThan(0.6);
    expect(late.length / 900).toBeLessThan(0.73);
    expect(Math.max(...at)).toBeLessThanOrEqual(2200);
    expect(at.filter((t) => t > 0 && t < 200)).toEqual([]);
    clock.stop();
  });

  test('after cleanup nothing in flight is delivered', async () => {
    const { clock, net, end } = setup(5);
    net.addServer(1, new Echo());
    net.enable(end, true);
    const replies: unknown[] = [];
    net.call(end, request, (r) => replies.push(r));
    net.cleanup();
    await clock.sleep(100);
    expect(replies).toEqual([]);
    clock.stop();
  });
});
