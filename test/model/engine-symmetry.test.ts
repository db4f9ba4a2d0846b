import { describe, expect, test } from 'vitest';
import { explore, type ExploreOptions } from '../../model/engine/index.js';
import { HashSink } from '../../model/engine/hash-sink.js';
import { identity, rankOf, relabellings, type Relabelling } from '../../model/engine/relabelling.js';
import type { Encode, Sink } from '../../model/engine/sink.js';
import { StringSink } from '../../model/engine/string-sink.js';
import { Canonicaliser } from '../../model/engine/symmetry.js';
import { createModel, leaderEncoding, type LeaderOptions, type LeaderState } from './toy/leader.js';

const binomial = (n: number, r: number): number => (r === 0 ? 1 : (binomial(n - 1, r - 1) * n) / r);
const plainCount = (k: number, m: number): number => m ** k * (k + 1);
const reducedCount = (k: number, m: number): number => binomial(m + k - 1, k) + m * binomial(m + k - 2, k - 1);

const module = new URL('./toy/leader.ts', import.meta.url).href;
const run = (options: LeaderOptions, opts: ExploreOptions) => explore<LeaderState, unknown>({ module, options }, opts);

/** Every state of the toy: all counter vectors, with no leader or any one. */
function allStates(k: number, m: number): LeaderState[] {
  const out: LeaderState[] = [];
  for (let code = 0; code < m ** k; code++) {
    const counters = Array.from({ length: k }, (_, i) => Math.floor(code / m ** i) % m);
    for (let leader = -1; leader < k; leader++) out.push({ counters, leader });
  }
  return out;
}

/** The toy state with its nodes renamed by r, written out by hand (not through the encoding). */
const relabel = (s: LeaderState, r: Relabelling): LeaderState => ({
  counters: s.counters.map((_, j) => s.counters[r.oldId[j]!]!),
  leader: s.leader < 0 ? -1 : r.newId[s.leader]!,
});

describe('relabellings', () => {
  test('are the n! permutations, by Lehmer rank, the identity first, oldId inverting newId', () => {
    for (let n = 0; n <= 5; n++) {
      const all = relabellings(n);
      expect(all).toHaveLength([1, 1, 2, 6, 24, 120][n]!);
      expect(new Set(all.map((r) => r.newId.join(','))).size).toBe(all.length);
      all.forEach((r, i) => {
        expect(r.rank).toBe(i);
        expect(rankOf(r.newId, n)).toBe(i);
        for (let x = 0; x < n; x++) expect(r.oldId[r.newId[x]!]).toBe(x);
      });
      expect(identity(n).newId).toEqual(Array.from({ length: n }, (_, i) => i));
    }
    expect(() => relabellings(9)).toThrow(/0..8 interchangeable ids/);
  });

  test('reorder puts what is indexed by id in the relabelled order, and refuses a wrong length', () => {
    const r = relabellings(3).find((x) => x.newId.join() === '2,0,1')!;
    expect(r.reorder(['a', 'b', 'c'])).toEqual(['b', 'c', 'a']); // old 1 is new 0, old 2 new 1, old 0 new 2
    expect(r.reorder([])).toEqual([]);
    expect(() => r.reorder(['a', 'b'])).toThrow(/2 slots for 3 ids/);
    expect(identity(3).reorder(['a', 'b'])).toEqual(['a', 'b']); // nothing to reorder
  });
});

describe('the two sinks', () => {
  const int: Encode<number, unknown> = (n, _, sink) => sink.int(n);
  const nested: Encode<readonly number[], unknown> = (xs, _, sink) => sink.list(xs, null, int);
  const both = <T>(value: T, encode: Encode<T, unknown>): string => {
    const out = { hi: 0, lo: 0 };
    new HashSink().hash(value, null, encode, out);
    return `${new StringSink().key(value, null, encode)} ${out.hi}:${out.lo}`;
  };
  const split = (s: string): [string, string] => s.split(' ') as [string, string];

  test('tell apart what differs only by where a list ends, or by separators inside a string', () => {
    const lists: Encode<readonly (readonly number[])[], unknown> = (xss, _, sink) => sink.list(xss, null, nested);
    const cases = [
      both([[1], [2]], lists), both([[1, 2]], lists), both([[1, 2], []], lists), both([[], [1, 2]], lists),
      both('a|b', (s, _, sink) => sink.str(s)), both('a.b', (s, _, sink) => sink.str(s)), both('a\\pb', (s, _, sink) => sink.str(s)),
      both(['a', 'b'], (xs, _, sink) => xs.forEach((x) => sink.str(x))), both(['a', '|b'], (xs, _, sink) => xs.forEach((x) => sink.str(x))), both(['a|', 'b'], (xs, _, sink) => xs.forEach((x) => sink.str(x))),
    ];
    expect(new Set(cases.map((c) => split(c)[0])).size).toBe(cases.length);
    expect(new Set(cases.map((c) => split(c)[1])).size).toBe(cases.length);
  });

  test('a bag ignores order in both sinks, a list does not', () => {
    const bag: Encode<readonly number[], unknown> = (xs, _, sink) => sink.bag(xs, null, int);
    expect(both([3, 1, 2, 1], bag)).toBe(both([1, 1, 2, 3], bag));
    expect(both([1, 2, 2], bag)).not.toBe(both([1, 1, 2], bag));
    expect(split(both([2, 1], nested))[0]).not.toBe(split(both([1, 2], nested))[0]);
    expect(split(both([2, 1], nested))[1]).not.toBe(split(both([1, 2], nested))[1]);
  });

  test('a part written again comes from the cache, and is what a fresh sink writes', () => {
    const shared: readonly number[] = [1, 2];
    let calls = 0; // how often the part's own encoder ran
    const withPart: Encode<readonly number[], unknown> = (xs, _, s) => s.part(xs, (ys, t) => { calls++; t.list(ys, null, int); });
    const strings = new StringSink();
    const hashes = new HashSink();
    const out = { hi: 0, lo: 0 };
    const hashOf = (sink: HashSink): string => (sink.hash(shared, null, withPart, out), `${out.hi}:${out.lo}`);
    const first = [strings.key(shared, null, withPart), hashOf(hashes)];
    expect(calls).toBe(2); // once per sink
    expect([strings.key(shared, null, withPart), hashOf(hashes)]).toEqual(first);
    expect(calls).toBe(2); // written again: from each sink's cache
    expect([new StringSink().key(shared, null, withPart), hashOf(new HashSink())]).toEqual(first);
    expect(calls).toBe(4); // fresh sinks have caches of their own
  });
});

describe('symmetry in the engine, on a toy with interchangeable ids', () => {
  const k = 3;
  const m = 3;

  test('relabelled states share key and fingerprint; other states share neither (both partitions agree)', () => {
    for (const withSignature of [true, false]) {
      const c = new Canonicaliser(leaderEncoding(m, withSignature), true);
      const byKey = new Map<string, string>();
      const byFingerprint = new Map<string, string>();
      const out = { hi: 0, lo: 0 };
      for (const s of allStates(k, m)) {
        const key = c.key(s);
        c.fingerprint(s, out);
        const fp = `${out.hi}:${out.lo}`;
        for (const r of relabellings(k)) {
          const t = relabel(s, r);
          expect(c.key(t)).toBe(key);
          c.fingerprint(t, out);
          expect(`${out.hi}:${out.lo}`).toBe(fp);
        }
        expect(byKey.get(key) ?? fp).toBe(fp);
        expect(byFingerprint.get(fp) ?? key).toBe(key);
        byKey.set(key, fp);
        byFingerprint.set(fp, key);
      }
      expect(byKey.size).toBe(reducedCount(k, m));
      expect(byFingerprint.size).toBe(reducedCount(k, m));
    }
  });

  test('fingerprints of classes with many relabellings spread over the whole hi word (the set slots by its top bits)', () => {
    // 5 ids, no signature: every state tries all 120 relabellings, and the least of 120 hashes
    // has hi below 2^32 / 8 nearly always; the fingerprint must not (expected share: 1/8).
    const c = new Canonicaliser(leaderEncoding(4, false), true);
    const out = { hi: 0, lo: 0 };
    const his = new Set<number>();
    for (const s of allStates(5, 4)) {
      c.fingerprint(s, out);
      his.add(out.hi >>> 0);
    }
    const low = [...his].filter((hi) => hi < 2 ** 29).length / his.size;
    expect(his.size).toBe(reducedCount(5, 4));
    expect(low).toBeGreaterThan(0.08);
    expect(low).toBeLessThan(0.17);
  });

  test('without symmetry every state is its own class, and the key is the plain one', () => {
    const c = new Canonicaliser(leaderEncoding(m, true), false);
    const states = allStates(k, m);
    expect(new Set(states.map((s) => c.key(s))).size).toBe(plainCount(k, m));
    for (const s of states) expect(c.key(s)).toBe(c.plainKey(s));
  });

  describe.each([
    { strategy: 'bfs' as const, workers: 1 },
    { strategy: 'bfs' as const, workers: 2 },
    { strategy: 'dfs' as const, workers: 1 },
  ])('$strategy with $workers worker(s)', (opts) => {
    test.each([
      { k: 3, m: 3 },
      { k: 4, m: 3 },
      { k: 5, m: 2 },
    ])('k=$k m=$m: m^k (k+1) states as they are, C(m+k-1,k) + m C(m+k-2,k-1) with symmetry', async ({ k, m }) => {
      const plain = await run({ k, m }, opts);
      expect(plain.distinctStates).toBe(plainCount(k, m));
      expect(plain.generatedStates).toBe(1 + 2 * k * plainCount(k, m));
      const reduced = await run({ k, m, symmetry: true }, opts);
      expect(reduced.distinctStates).toBe(reducedCount(k, m));
      expect(reduced.generatedStates).toBe(1 + 2 * k * reducedCount(k, m));
      expect(reduced.result).toBe('ok');
      // A signature only narrows which relabellings are tried: the classes are the same without.
      const blind = await run({ k, m, symmetry: true, signature: false }, opts);
      expect(blind.distinctStates).toBe(reducedCount(k, m));
    });
  });

  test('the in-thread model object gives the same reduced count', async () => {
    const r = await explore(createModel({ k: 4, m: 4, symmetry: true }));
    expect(r.distinctStates).toBe(reducedCount(4, 4));
  });
});
