import { afterEach, describe, expect, test } from 'vitest';
import type { ClientReply } from '../../src/server/clientApi.js';
import { httpListeningLine, startHttpApi, type HttpApi } from '../../src/server/httpApi.js';

/**
 * The HTTP adapter alone, over a stand-in for answerClient: which client request each HTTP
 * request becomes, and which status code each reply gets (the cluster test runs it on real nodes).
 */
let api: HttpApi | null = null;
afterEach(async () => { await api?.close(); api = null; });

async function serve(answer: (payload: unknown) => ClientReply | Promise<ClientReply>, submitTimeoutMs?: number): Promise<(path: string, init?: RequestInit) => Promise<{ status: number; body: unknown }>> {
  api = await startHttpApi({ host: '127.0.0.1', port: 0 }, answer, submitTimeoutMs === undefined ? {} : { submitTimeoutMs });
  const base = `http://127.0.0.1:${api.address.port}`;
  return async (path, init) => {
    const r = await fetch(base + path, init);
    expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
    return { status: r.status, body: await r.json() };
  };
}

describe('the HTTP API: a request is one client request, a reply one status code', () => {
  test('POST /commands is a submit of the body; each reply its code', async () => {
    const asked: unknown[] = [];
    let reply: ClientReply = { ok: true, index: 5, term: 2, position: 9 };
    const http = await serve((payload) => { asked.push(payload); return reply; });
    expect(await http('/commands', { method: 'POST', body: '{"k":1}' })).toEqual({ status: 200, body: { index: 5, term: 2, position: 9 } });
    expect(asked).toEqual([{ op: 'submit', command: { k: 1 } }]);
    reply = { ok: false, error: 'not-leader' };
    expect(await http('/commands', { method: 'POST', body: '1' })).toEqual({ status: 421, body: { error: 'not-leader', leaderId: null } });
    expect(asked.at(-1)).toEqual({ op: 'status' }); // asked who leads: a reply without leaderId is null
    reply = { ok: false, error: 'lost', index: 5, term: 2 };
    expect(await http('/commands', { method: 'POST', body: '1' })).toEqual({ status: 409, body: { error: 'lost', index: 5, term: 2 } });
    reply = { ok: false, error: 'unknown' };
    expect(await http('/commands', { method: 'POST', body: '1' })).toMatchObject({ status: 504, body: { error: 'unknown' } });
    reply = { ok: false, error: 'bad-request', reason: 'why' };
    expect(await http('/commands', { method: 'POST', body: '1' })).toEqual({ status: 400, body: { error: 'bad-request', reason: 'why' } });
  });

  test('not-leader names the leader the node knows of (its status\'s leaderId)', async () => {
    const http = await serve((payload) => ((payload as { op: string }).op === 'status'
      ? { ok: true, id: 0, currentTerm: 4, role: 'follower', votedFor: 2, leaderId: 2, logLength: 0, lastIncludedIndex: 0, commitIndex: 0, lastApplied: 0, appliedCommands: 0, pendingSubmits: 0, configuration: { voters: [0, 1, 2], learners: [] }, leaderAddress: null }
      : { ok: false, error: 'not-leader' }));
    expect(await http('/commands', { method: 'POST', body: '1' })).toEqual({ status: 421, body: { error: 'not-leader', leaderId: 2 } });
  });

  test('a submit not applied within the wait is 504 unknown (it may yet commit)', async () => {
    const http = await serve(() => new Promise<ClientReply>(() => undefined), 50);
    expect(await http('/commands', { method: 'POST', body: '"slow"' })).toEqual({ status: 504, body: { error: 'unknown', reason: 'not applied within 50 ms; it may yet commit' } });
  });

  test('GET /commands is a read with from and limit; GET /status a status; the rest 404 or 405', async () => {
    const asked: unknown[] = [];
    const http = await serve((payload) => {
      asked.push(payload);
      return (payload as { op: string }).op === 'read' ? { ok: true, from: 3, commands: ['c'] } : { ok: false, error: 'bad-request', reason: 'x' };
    });
    expect(await http('/commands?from=3&limit=1')).toEqual({ status: 200, body: { from: 3, commands: ['c'] } });
    expect(await http('/commands')).toMatchObject({ status: 200 });
    expect(asked).toEqual([{ op: 'read', from: 3, limit: 1 }, { op: 'read' }]);
    expect(await http('/commands?from=-1')).toEqual({ status: 400, body: { error: 'bad-request', reason: 'from must be a decimal integer' } });
    expect(await http('/status')).toEqual({ status: 400, body: { error: 'bad-request', reason: 'x' } });
    expect(asked.at(-1)).toEqual({ op: 'status' });
    expect(await http('/')).toMatchObject({ status: 404, body: { error: 'not-found' } });
    expect(await http('/commands', { method: 'DELETE' })).toEqual({ status: 405, body: { error: 'method-not-allowed' } });
  });

  test('a body past 16 KiB is 413 and never reaches the node; a body that is not JSON is 400', async () => {
    const asked: unknown[] = [];
    const http = await serve((payload) => { asked.push(payload); return { ok: true, index: 1, term: 1, position: 1 }; });
    expect(await http('/commands', { method: 'POST', body: 'x'.repeat(16 * 1024 + 1) })).toMatchObject({ status: 413, body: { error: 'too-large' } });
    expect(await http('/commands', { method: 'POST', body: `"${'x'.repeat(16 * 1024 - 2)}"` })).toMatchObject({ status: 200 });
    expect(await http('/commands', { method: 'POST', body: 'not json' })).toMatchObject({ status: 400 });
    expect(asked).toHaveLength(1);
  });

  test('POST /membership is the membership op of the body\'s fields; each reply its code', async () => {
    const asked: unknown[] = [];
    let reply: ClientReply = { ok: true, index: 7, term: 2, configuration: { voters: [0, 1, 2], learners: [3] } };
    const http = await serve((payload) => { asked.push(payload); return reply; });
    expect(await http('/membership', { method: 'POST', body: '{"kind":"AddLearner","server":3,"address":"h:4"}' }))
      .toEqual({ status: 200, body: { index: 7, term: 2, configuration: { voters: [0, 1, 2], learners: [3] } } });
    expect(asked).toEqual([{ kind: 'AddLearner', server: 3, address: 'h:4', op: 'membership' }]);
    reply = { ok: false, error: 'not-leader', leaderId: 1, leaderAddress: 'h:2' };
    expect(await http('/membership', { method: 'POST', body: '{}' })).toEqual({ status: 421, body: { error: 'not-leader', leaderId: 1, leaderAddress: 'h:2' } });
    reply = { ok: false, error: 'refused', reason: 'no-commit-in-term', configuration: { voters: [0], learners: [] } };
    expect(await http('/membership', { method: 'POST', body: '{}' })).toEqual({ status: 409, body: { error: 'refused', reason: 'no-commit-in-term' } });
    expect(await http('/membership', { method: 'POST', body: '[1]' })).toMatchObject({ status: 400, body: { error: 'bad-request' } });
    expect(await http('/membership')).toMatchObject({ status: 405 });
  });

  test('close() stops it listening', async () => {
    const http = await serve(() => ({ ok: true, index: 1, term: 1, position: 1 }));
    expect((await http('/commands', { method: 'POST', body: '1' })).status).toBe(200);
    const port = api!.address.port;
    await api!.close();
    api = null;
    await expect(fetch(`http://127.0.0.1:${port}/status`)).rejects.toThrow();
  });

  test('the log line says when it listens beyond loopback, unauthenticated', () => {
    expect(httpListeningLine({ host: '127.0.0.1', port: 8080 }, true)).toBe('HTTP API on http://127.0.0.1:8080 (loopback only)');
    expect(httpListeningLine({ host: '::', port: 8080 }, false)).toBe('HTTP API on http://[::]:8080: UNAUTHENTICATED, anyone who reaches this address can submit commands');
  });
});
