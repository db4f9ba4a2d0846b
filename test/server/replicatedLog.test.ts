import { describe, expect, test } from 'vitest';
import { ReplicatedLog, termOfEntry } from '../../src/server/replicatedLog.js';
import { fixture } from './fixture.js';

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

  test('termOfEntry reads absolute indices: the snapshot\'s last entry, the entries after it, nothing else', () => {
    const view = { lastIncludedIndex: 5, lastIncludedTerm: 2, log: [{ term: 2, command: 'a' }, { term: 3, command: 'b' }] };
    expect([4, 5, 6, 7, 8].map((i) => termOfEntry(view, i))).toEqual([undefined, 2, 2, 3, undefined]);
    expect(termOfEntry({ lastIncludedIndex: 0, lastIncludedTerm: 0, log: [{ term: 1, command: 'x' }] }, 1)).toBe(1);
  });

  describe('snapshots', () => {
    const withSnapshots = (entries: number, bytes: number) => {
      const taken: [number, unknown][] = [];
      const app = new ReplicatedLog(() => ({ index: -1, term: 1, isLeader: false }), () => 1, () => undefined, {
        policy: { entries, bytes }, snapshot: (index, snapshot) => { taken.push([index, snapshot]); },
      });
      return { app, taken };
    };

    test('every N entries applied, the list so far is handed over with its index; 0 entries and 0 bytes: never', () => {
      const { app, taken } = withSnapshots(3, 0);
      for (let i = 1; i <= 7; i++) app.apply({ commandValid: true, command: [`c${i}`], commandIndex: i });
      expect(taken).toEqual([[3, { list: ['c1', 'c2', 'c3'] }], [6, { list: ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'] }]]);
      const off = withSnapshots(0, 0);
      for (let i = 1; i <= 7; i++) off.app.apply({ commandValid: true, command: [`c${i}`], commandIndex: i });
      expect(off.taken).toEqual([]);
    });

    test('or once B bytes of commands are applied since the last one', () => {
      const { app, taken } = withSnapshots(0, 19);
      app.apply({ commandValid: true, command: ['x'.repeat(10)], commandIndex: 1 }); // 14 bytes of JSON
      expect(taken).toEqual([]);
      app.apply({ commandValid: true, command: ['y'], commandIndex: 2 }); // 14 + 5
      expect(taken.map(([i]) => i)).toEqual([2]);
      app.apply({ commandValid: true, command: ['z'], commandIndex: 3 });
      expect(taken.map(([i]) => i)).toEqual([2]);
    });

    test('a snapshot applied replaces the list; entries after it follow; an older one is out of order', () => {
      const { app, taken } = withSnapshots(2, 0);
      app.apply({ commandValid: true, command: ['old'], commandIndex: 1 });
      app.apply({ snapshotValid: true, snapshot: { list: ['a', 'b', 'c'] }, snapshotTerm: 2, snapshotIndex: 5 });
      expect(app.lastApplied).toBe(5);
      expect(app.read(1, 10)).toEqual(['a', 'b', 'c']);
      app.apply({ commandValid: true, command: ['d'], commandIndex: 6 });
      expect(app.read(1, 10)).toEqual(['a', 'b', 'c', 'd']);
      expect(taken).toEqual([]); // the count started again at the installed snapshot
      expect(() => app.apply({ snapshotValid: true, snapshot: { list: [] }, snapshotTerm: 2, snapshotIndex: 6 })).toThrow(/out of order/);
      expect(() => app.apply({ snapshotValid: true, snapshot: 'nope', snapshotTerm: 2, snapshotIndex: 9 })).toThrow(/not a replicated list/);
    });

    test('a submit whose entry a snapshot replaced before it was applied has an unknown fate', async () => {
      const { app, terms } = fixture([{ index: 3, term: 2, isLeader: true }]);
      const reply = app.submit('a');
      app.flush();
      terms.set(3, 2);
      app.apply({ snapshotValid: true, snapshot: { list: ['x', 'y'] }, snapshotTerm: 3, snapshotIndex: 4 });
      await expect(reply).resolves.toEqual({ ok: false, error: 'unknown', index: 3, term: 2 });
      expect(app.pending).toBe(0);
    });
  });
});
