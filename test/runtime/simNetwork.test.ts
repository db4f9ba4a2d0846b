import { describe, expect, test } from 'vitest';
import type { Message, RequestVoteArgs, RequestVoteReply } from '../../src/core/index.js';
import { SimNetwork, VirtualClock, messageSize, seededRandom, type Transport } from '../../src/runtime/index.js';

const request: RequestVoteArgs = { type: 'RequestVote', from: 0, to: 1, term: 1, candidateId: 0, lastLogIndex: 0, lastLogTerm: 0 };
const reply: RequestVoteReply = { type: 'RequestVoteReply', from: 1, to: 0, term: 1, voteGranted: true };

/** Server 1: answers every request through its own transport at once (or holds it, to answer later). */
class Echo {
  handled = 0;
  held = 0;
  transport: Transport | null = null;
  constructor(private readonly hold = false) {}
  onReceive(_message: Message): void {
    this.handled++;
    if (this.hold) this.held++;
    else this.transport?.send(reply);
  }
}

/** Two servers on a virtual clock: 0 sends requests and collects what reaches it, 1 answers. */
function setup(jitterMs = 0, server = new Echo()) {
  const clock = new VirtualClock();
  const net = new SimNetwork({ servers: 2, clock, random: seededRandom(7), jitterMs });
  const received: Message[] = [];
  const at: number[] = [];
  const client = net.attach(0, { onReceive: (m) => { received.push(m); at.push(clock.now()); } });
  server.transport = net.attach(1, server);
  return { clock, net, client, server, received, at };
}

describe('SimNetwork (messages, with labrpc\'s fault model)', () => {
  test('a reliable request reaches its server once, never synchronously, and so does the reply; counts and bytes add up', async () => {
    const { clock, net, client, server, received } = setup();
    client.send(request);
    expect(server.handled).toBe(0); // never synchronous
    await clock.sleep(10);
    expect(server.handled).toBe(1);
    expect(received).toEqual([reply]);
    expect(net.getTotalCount()).toBe(1); // requests, as labrpc counts RPCs
    expect(net.getCount(1)).toBe(1);
    expect(net.getCount(0)).toBe(0);
    expect(net.getTotalBytes()).toBe(messageSize(request) + messageSize(reply));
    expect(messageSize(request)).toBe(JSON.stringify(request).length);
    clock.stop();
  });

  test('a request on a disabled link or to a detached server is lost but counts in the total', async () => {
    const { clock, net, client, server, received } = setup();
    net.setLink(0, 1, false);
    client.send(request);
    net.setLink(0, 1, true);
    net.detach(1);
    client.send(request);
    await clock.sleep(10_000);
    expect(received).toEqual([]);
    expect(server.handled).toBe(0);
    expect(net.getTotalCount()).toBe(2);
    expect(net.getTotalBytes()).toBe(2 * messageSize(request));
    clock.stop();
  });

  test('links have a direction: with 0 to 1 cut, 1 still reaches 0', async () => {
    const { clock, net, client, server, received } = setup();
    net.setLink(0, 1, false);
    expect(net.linkEnabled(0, 1)).toBe(false);
    expect(net.linkEnabled(1, 0)).toBe(true);
    client.send(request);
    server.transport!.send(reply);
    await clock.sleep(10);
    expect(server.handled).toBe(0);
    expect(received).toEqual([reply]);
    clock.stop();
  });

  /** A slow server takes the request; `interrupt` happens before it answers; its reply must not arrive. */
  async function replyLostAfter(interrupt: (net: SimNetwork) => void): Promise<void> {
    const slow = new Echo(true);
    const { clock, net, client, received } = setup(0, slow);
    client.send(request);
    await clock.sleep(1);
    expect(slow.held).toBe(1);
    interrupt(net);
    slow.transport!.send(reply); // the old instance answers at last
    await clock.sleep(10);
    expect(received).toEqual([]);
    clock.stop();
  }

  test('a reply from a server instance replaced while it handled the request is lost', async () => {
    await replyLostAfter((net) => { net.attach(1, new Echo()); }); // restarted
  });

  test('a reply from a detached (crashed) server is lost', async () => {
    await replyLostAfter((net) => net.detach(1));
  });

  test('a reply on a link disabled while the request was handled is lost', async () => {
    await replyLostAfter((net) => net.setLink(1, 0, false));
  });

  test('nothing reaches an instance once it is superseded, even a message already in flight', async () => {
    const { clock, net, client, server } = setup(5);
    client.send(request);
    const restarted = new Echo();
    restarted.transport = net.attach(1, restarted);
    await clock.sleep(100);
    expect(server.handled).toBe(0);
    expect(restarted.handled).toBe(0);
    clock.stop();
  });

  test('a transport sends only its own server\'s messages, to servers of the network', () => {
    const { clock, client } = setup();
    expect(() => client.send(reply)).toThrow(/RequestVoteReply from 1 sent by server 0/);
    expect(() => client.send({ ...request, to: 2 })).toThrow(/no server 2/);
    clock.stop();
  });

  test('unreliable: about 10% of requests and 10% of replies are lost, with at most 26 ms of delay', async () => {
    const { clock, net, client, server, received, at } = setup();
    net.setReliable(false);
    const requests = 2000;
    for (let i = 0; i < requests; i++) client.send(request);
    await clock.sleep(1000);
    expect(server.handled / requests).toBeGreaterThan(0.87);
    expect(server.handled / requests).toBeLessThan(0.93);
    expect(received.length / server.handled).toBeGreaterThan(0.87);
    expect(received.length / server.handled).toBeLessThan(0.93);
    expect(Math.max(...at)).toBeLessThanOrEqual(26);
    expect(net.getCount(1)).toBe(server.handled);
    clock.stop();
  });

  test('long reordering delays about 2/3 of replies by 200..2200 ms', async () => {
    const { clock, net, client, at } = setup();
    net.setLongReordering(true);
    for (let i = 0; i < 900; i++) client.send(request);
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
    const { clock, net, client, server, received } = setup(5);
    client.send(request);
    net.cleanup();
    await clock.sleep(100);
    expect(server.handled).toBe(0);
    expect(received).toEqual([]);
    clock.stop();
  });
});
