import { describe, expect, test } from 'vitest';
import type { StartResult } from '../../src/core/index.js';
import { parseNodeArgs, UsageError } from '../../src/server/args.js';
import { answerClient, parseClientRequest } from '../../src/server/clientApi.js';
import { ReplicatedLog } from '../../src/server/replicatedLog.js';
import { roleChangeLine } from '../../src/server/roleLog.js';
import { restore, EMPTY_PERSISTENT_STATE } from '../../src/core/index.js';

/** A stand-in for the node: start answers from a script; terms of entries from a map. */
function fixture(answers: StartResult[]) {
  const terms = new Map<number, number>();
  const started: unknown[] = [];
  const app = new ReplicatedLog((command) => { started.push(command); return answers.shift()!; }, (i) => terms.get(i), () => undefined);
  return { app, terms, started };
}

describe('ReplicatedLog', () => {
  test('a submit is acknowledged when its own entry (same term) is applied', async () => {
    const { app, terms, started } = fixture([{ index: 1, term: 2, isLeader: true }]);
    const reply = app.submit('a');
    expect(app.pending).toBe(1);
    app.flush();
    expect(started).toEqual([['a']]);
    terms.set(1, 2);
    app.apply({ commandValid: true, command: ['a'], commandIndex: 1 });
    await expect(reply).resolves.toEqual({ ok: true, index: 1, term: 2, position: 1 });
    expect(app.pending).toBe(0);
    expect(app.read(1, 10)).toEqual(['a']);
  });

  test('submits of one turn share one entry; each learns its own position', async () => {
    const { app, terms, started } = fixture([{ index: 1, term: 1, isLeader: true }, { index: 2, term: 1, isLeader: true }]);
    const a = app.submit('a');
    app.flush();
    const b = app.submit('b');
    const c = app.submit('c');
    app.flush();
    expect(started).toEqual([['a'], ['b', 'c']]);
    terms.set(1, 1).set(2, 1);
    app.apply({ commandValid: true, command: ['a'], commandIndex: 1 });
    app.apply({ commandValid: true, command: ['b', 'c'], commandIndex: 2 });
    expect(await Promise.all([a, b, c])).toEqual([
      { ok: true, index: 1, term: 1, position: 1 },
      { ok: true, index: 2, term: 1, position: 2 },
      { ok: true, index: 2, term: 1, position: 3 },
    ]);
    expect(app.read(2, 10)).toEqual(['b', 'c']);
    expect(app.lastApplied).toBe(2);
    expect(app.length).toBe(3);
  });

  test('an entry of another term at that index means the submit was lost', async () => {
    const { app, terms } = fixture([{ index: 1, term: 2, isLeader: true }]);
    const reply = app.submit('a');
    app.flush();
    terms.set(1, 3);
    app.apply({ commandValid: true, command: ['b'], commandIndex: 1 });
    await expect(reply).resolves.toEqual({ ok: false, error: 'lost', index: 1, term: 2 });
  });

  test('submits whose JSON passes MAX_ENTRY_BYTES go into several entries', async () => {
    const { app, terms, started } = fixture([{ index: 1, term: 1, isLeader: true }, { index: 2, term: 1, isLeader: true }]);
    const big = 'x'.repeat(30 * 1024);
    const replies = [app.submit(big), app.submit(big), app.submit('small')];
    app.flush();
    expect(started.map((c) => (c as unknown[]).length)).toEqual([1, 2]);
    terms.set(1, 1).set(2, 1);
    app.apply({ commandValid: true, command: [big], commandIndex: 1 });
    app.apply({ commandValid: true, command: [big, 'small'], commandIndex: 2 });
    expect((await Promise.all(replies)).map((r) => r.ok && r.position)).toEqual([1, 2, 3]);
  });

  test('an entry committed and applied inside start (one server, synchronous disk) is acknowledged', async () => {
    const terms = new Map<number, number>([[1, 1]]);
    let app: ReplicatedLog | undefined;
    app = new ReplicatedLog((command) => {
      app!.apply({ commandValid: true, command, commandIndex: 1 });
      return { index: 1, term: 1, isLeader: true };
    }, (i) => terms.get(i), () => undefined);
    const reply = app.submit('a');
    app.flush();
    await expect(reply).resolves.toEqual({ ok: true, index: 1, term: 1, position: 1 });
  });

  test('a follower answers not-leader at once', async () => {
    const { app } = fixture([{ index: -1, term: 4, isLeader: false }]);
    const reply = app.submit('a');
    app.flush();
    await expect(reply).resolves.toEqual({ ok: false, error: 'not-leader' });
  });

  test('applies must come in index order', () => {
    const { app } = fixture([]);
    expect(() => app.apply({ commandValid: true, command: 'x', commandIndex: 2 })).toThrow(/out of order/);
  });
});

describe('client requests', () => {
  test.each([
    [null, /JSON object/],
    [[1], /JSON object/],
    [{ op: 'submit' }, /needs a command/],
    [{ op: 'read', from: 0 }, /from must be/],
    [{ op: 'read', limit: 1e9 }, /limit must be/],
    [{ op: 'drop-tables' }, /unknown op/],
    [{ op: 'submit-many' }, /an array of 1..10000 commands/],
    [{ op: 'submit-many', commands: [] }, /an array of 1..10000 commands/],
    [{ op: 'submit-many', commands: 'abc' }, /an array of 1..10000 commands/],
    [{ op: 'submit', command: 'x'.repeat(20_000) }, /more than 16384/],
    [{ op: 'submit-many', commands: ['ok', JSON.parse('['.repeat(70) + ']'.repeat(70))] }, /command 1: a command nests deeper than 64/],
  ])('%j is a bad request', (payload, reason) => {
    const r = parseClientRequest(payload);
    expect(r).toMatchObject({ ok: false, error: 'bad-request' });
    expect((r as { reason: string }).reason).toMatch(reason);
  });

  test('submit-many answers one reply per command, in order, from one entry', async () => {
    const { app, terms, started } = fixture([{ index: 1, term: 3, isLeader: true }]);
    const node = { raftState: restore(0, 3, EMPTY_PERSISTENT_STATE) };
    const reply = answerClient({ op: 'submit-many', commands: ['a', 'b'] }, node, app);
    app.flush();
    expect(started).toEqual([['a', 'b']]);
    terms.set(1, 3);
    app.apply({ commandValid: true, command: ['a', 'b'], commandIndex: 1 });
    await expect(reply).resolves.toEqual({
      ok: true,
      replies: [{ ok: true, index: 1, term: 3, position: 1 }, { ok: true, index: 1, term: 3, position: 2 }],
    });
  });

  test('status and read answer from the node and the app', () => {
    const { app, terms } = fixture([]);
    terms.set(1, 1);
    app.apply({ commandValid: true, command: ['a'], commandIndex: 1 });
    app.apply({ commandValid: true, command: ['b'], commandIndex: 2 });
    const node = { raftState: restore(1, 3, EMPTY_PERSISTENT_STATE) };
    expect(answerClient({ op: 'status' }, node, app)).toMatchObject({ ok: true, id: 1, role: 'follower', currentTerm: 0, lastApplied: 2, appliedCommands: 2 });
    expect(answerClient({ op: 'read', from: 2 }, node, app)).toEqual({ ok: true, from: 2, commands: ['b'] });
  });
});

describe('node flags', () => {
  const peers = ['--peers', 'localhost:1,localhost:2,[::1]:3'];
  test('a full command line', () => {
    expect(parseNodeArgs(['--id', '2', ...peers, '--data-dir', '/tmp/x', '--secret-file', 's'])).toEqual({
      id: 2, dataDir: '/tmp/x', secretFile: 's',
      peers: [{ host: 'localhost', port: 1 }, { host: 'localhost', port: 2 }, { host: '::1', port: 3 }],
    });
  });
  test('duplicate addresses are refused', () => {
    expect(() => parseNodeArgs(['--id', '0', '--peers', 'a:1,a:1', '--data-dir', 'd'])).toThrow(UsageError);
  });
});

test('one line per role change, nothing otherwise', () => {
  const follower = restore(0, 3, EMPTY_PERSISTENT_STATE);
  const candidate = { ...follower, role: 'candidate' as const, currentTerm: 1 };
  expect(roleChangeLine(follower, { ...follower, currentTerm: 5 })).toBeNull();
  expect(roleChangeLine(follower, candidate)).toBe('node 0: follower -> candidate in term 1 (log 0, commitIndex 0)');
});
