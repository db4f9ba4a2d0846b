import { describe, expect, test } from 'vitest';
import { explore, replay, type ExploreOptions, type ModelSource } from '../../model/engine/index.js';
import { createModel, type Counters, type CountersOptions } from './toy/counters.js';

const module = new URL('./toy/counters.ts', import.meta.url).href;
const source = (options: CountersOptions): ModelSource => ({ module, options });
const run = (options: CountersOptions, opts: ExploreOptions) => explore<Counters, number>(source(options), opts);

const binomial = (n: number, r: number): number => (r === 0 ? 1 : (binomial(n - 1, r - 1) * n) / r);

/** Sorted k-tuples over 0..m-1: the symmetric model's representatives, for counting successors. */
function multisets(k: number, m: number, from = 0): number[][] {
  if (k === 0) return [[]];
  const out: number[][] = [];
  for (let v = from; v < m; v++) for (const rest of multisets(k - 1, m, v)) out.push([v, ...rest]);
  return out;
}

const K = 3;
const M = 4;

describe.each([
  { strategy: 'bfs' as const, workers: 1 },
  { strategy: 'bfs' as const, workers: 2 },
  { strategy: 'dfs' as const, workers: 1 },
])('$strategy with $workers worker(s)', ({ strategy, workers }) => {
  const opts: ExploreOptions = { strategy, workers };
  const bfs = strategy === 'bfs';

  test('k counters mod m: m^k states, k successors each, depth k(m-1)', async () => {
    const r = await run({ k: K, m: M }, opts);
    expect(r.result).toBe('ok');
    expect(r.distinctStates).toBe(M ** K);
    expect(r.generatedStates).toBe(1 + K * M ** K);
    if (bfs) expect(r.depth).toBe(K * (M - 1));
    expect(r.workers).toBe(workers);
    expect(r.fingerprintSetBytes).toBeGreaterThan(0);
  });

  test('with symmetry: C(m+k-1, k) states, k successors each', async () => {
    const r = await run({ k: K, m: M, symmetry: true }, opts);
    expect(r.distinctStates).toBe(binomial(M + K - 1, K));
    expect(r.generatedStates).toBe(1 + K * binomial(M + K - 1, K));
    if (bfs) expect(r.depth).toBe(K * (M - 1));
  });

  test('skipped actions (next() null) are not generated', async () => {
    const plain = await run({ k: K, m: M, wrap: false }, opts);
    expect(plain.distinctStates).toBe(M ** K);
    expect(plain.generatedStates).toBe(1 + K * (M - 1) * M ** (K - 1));
    const sym = await run({ k: K, m: M, wrap: false, symmetry: true }, opts);
    const successors = multisets(K, M).reduce((n, s) => n + s.filter((v) => v < M - 1).length, 0);
    expect(sym.distinctStates).toBe(binomial(M + K - 1, K));
    expect(sym.generatedStates).toBe(1 + successors);
  });

  test('a violation comes with a path that replays to the bad state', async () => {
    const r = await run({ k: K, m: M, bad: [2, 1, 0] }, opts);
    expect(r.result).toBe('violation');
    const v = r.violation;
    expect(v?.invariant).toBe('NotBad');
    if (bfs) expect(v?.path).toHaveLength(3); // the bad state's BFS depth is its sum
    expect(v?.trace.at(-1)?.state).toEqual([2, 1, 0]);
    expect(v?.trace[0]).toMatchObject({ action: null, label: 'Init', state: [0, 0, 0] });
    const again = replay(createModel({ k: K, m: M }), v?.path ?? [], v?.initial);
    expect(again.map((s) => s.state)).toEqual(v?.trace.map((s) => s.state));
    expect(again.slice(1).map((s) => s.label)).toEqual(v?.path.map((i) => `Inc(${i})`));
  });

  test('a path records which initial state it starts from', async () => {
    const r = await run({ k: K, m: M, initial: [[0, 0, 0], [3, 3, 3]], bad: [0, 3, 3] }, opts);
    expect(r.violation?.initial).toBe(1);
    if (bfs) expect(r.violation?.path).toEqual([0]);
  });

  test('stopOnViolation false explores everything and reports the invariant once', async () => {
    const r = await run({ k: K, m: M, bad: [2, 1, 0] }, { ...opts, stopOnViolation: false });
    expect(r.result).toBe('violation');
    expect(r.distinctStates).toBe(M ** K);
    expect(r.violations.map((v) => v.invariant)).toEqual(['NotBad']);
  });

  test('goals: a reachable one has a witness, an impossible one is reported unreached', async () => {
    const r = await run({ k: K, m: M }, opts);
    const top = r.goals.find((g) => g.name === 'AllAtTop');
    expect(top?.reached).toBe(true);
    if (bfs) expect(top?.path).toHaveLength(K * (M - 1));
    expect(replay(createModel({ k: K, m: M }), top?.path ?? []).at(-1)?.state).toEqual([3, 3, 3]);
    expect(r.goals.find((g) => g.name === 'Impossible')).toEqual({ name: 'Impossible', reached: false });
  });

  test('maxStates stops the search as incomplete', async () => {
    const r = await run({ k: K, m: M }, { ...opts, maxStates: 10 });
    expect(r.result).toBe('incomplete');
    expect(r.stoppedBy).toBe('maxStates');
    // Workers may each insert one state past the limit before they see it.
    expect(r.distinctStates).toBeGreaterThanOrEqual(10);
    expect(r.distinctStates).toBeLessThan(10 + workers);
  });

  test('maxDepth bounds the search; a bound past the diameter is complete', async () => {
    const cut = await run({ k: K, m: M }, { ...opts, maxDepth: 2 });
    expect(cut.result).toBe('incomplete');
    expect(cut.stoppedBy).toBe('maxDepth');
    if (bfs) expect(cut.distinctStates).toBe(binomial(2 + K, K)); // vectors with sum <= 2
    // BFS depth is the diameter; a DFS path may wander through up to every state.
    const full = await run({ k: K, m: M }, { ...opts, maxDepth: bfs ? K * (M - 1) : M ** K });
    expect(full.result).toBe('ok');
    expect(full.distinctStates).toBe(M ** K);
  });
});

describe('explore', () => {
  test('accepts a Model object (in-thread; workers asked for are noted, not used)', async () => {
    const r = await explore(createModel({ k: 2, m: 5 }), { workers: 2 });
    expect(r.distinctStates).toBe(25);
    expect(r.workers).toBe(1);
    expect(r.notes.join(' ')).toMatch(/ModelSource/);
  });

  test('a larger space agrees between 1 and 2 workers', async () => {
    const options = { k: 5, m: 8, symmetry: true };
    const [one, two] = [await run(options, { workers: 1 }), await run(options, { workers: 2 })];
    expect(one.distinctStates).toBe(binomial(8 + 5 - 1, 5));
    expect(two.distinctStates).toBe(one.distinctStates);
    expect(two.generatedStates).toBe(one.generatedStates);
    expect(two.depth).toBe(one.depth);
  });

  test('a violation in an initial state has an empty path', async () => {
    const r = await run({ k: K, m: M, bad: [0, 0, 0] }, {});
    expect(r.violation?.path).toEqual([]);
    expect(r.distinctStates).toBe(1);
  });
});
