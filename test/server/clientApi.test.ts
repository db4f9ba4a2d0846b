import { describe, expect, test } from 'vitest';
import { EMPTY_PERSISTENT_STATE, restore } from '../../src/core/index.js';
import { answerClient, parseClientRequest } from '../../src/server/clientApi.js';
import { fixture } from './fixture.js';

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

