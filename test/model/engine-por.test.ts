import { describe, expect, test } from 'vitest';
import { explore, type ExploreResult } from '../../model/engine/index.js';
import { createModel, type Counters, type CountersOptions } from './toy/counters.js';
import { createModel as createLeader } from './toy/leader.js';

const binomial = (n: number, r: number): number => (r === 0 ? 1 : (binomial(n - 1, r - 1) * n) / r);

/** The same toy explored without and with partial-order reduction (sleep sets, por.ts). */
async function both(options: CountersOptions): Promise<[ExploreResult<Counters, number>, ExploreResult<Counters, number>]> {
  const plain = await explore(createModel(options), { stopOnViolation: false });
  const reduced = await explore(createModel({ ...options, partialOrder: true }), { stopOnViolation: false, partialOrder: true });
  return [plain, reduced];
}

describe('partial-order reduction by sleep sets', () => {
  test('k saturating counters (total independence): every state generated exactly once, m^k, not k(m-1)m^(k-1)', async () => {
    for (const [k, m] of [[3, 4], [5, 3], [6, 2]] as const) {
      const [plain, reduced] = await both({ k, m, wrap: false });
      expect(plain.generatedStates).toBe(1 + k * (m - 1) * m ** (k - 1));
      expect(reduced.partialOrder).toBe(true);
      expect(reduced.distinctStates).toBe(m ** k);
      expect(reduced.generatedStates).toBe(m ** k);
      expect(reduced.depth).toBe(plain.depth);
      expect(reduced.asleep + reduced.generatedStates).toBe(plain.generatedStates);
    }
  });

  test('counters mod m (cycles): the same m^k states and depth, fewer generated', async () => {
    const [plain, reduced] = await both({ k: 4, m: 3 });
    expect(reduced.distinctStates).toBe(plain.distinctStates);
    expect(reduced.depth).toBe(plain.depth);
    expect(reduced.generatedStates).toBeLessThan(plain.generatedStates / 2);
  });

  test('the same violation at the same depth, a shortest trace that replays, the same goals', async () => {
    const bad = [2, 0, 1, 2];
    const [plain, reduced] = await both({ k: 4, m: 3, wrap: false, bad });
    expect(reduced.result).toBe('violation');
    expect(reduced.violation!.path).toHaveLength(plain.violation!.path.length);
    expect(reduced.violation!.path).toHaveLength(5);
    expect(reduced.violation!.trace.at(-1)!.state).toEqual(bad);
    expect(reduced.goals).toEqual(plain.goals.map((g) => ({ ...g, ...(g.reached ? { path: expect.any(Array) } : {}) })));
    expect(reduced.goals.find((g) => g.name === 'AllAtTop')!.path).toHaveLength(8);
  });

  test('off unless asked, and said so when the model declares no independence', async () => {
    const model = createModel({ k: 3, m: 2, partialOrder: true });
    expect((await explore(model)).partialOrder).toBe(false);
    const r = await explore(createModel({ k: 3, m: 2 }), { partialOrder: true });
    expect(r.partialOrder).toBe(false);
    expect(r.generatedStates).toBe(1 + 3 * 8);
    expect(r.notes).toContain('partial-order reduction off: the model declares no independent actions');
  });

  test('a depth bound still finds the states one level past it (incomplete), as without', async () => {
    const plain = await explore(createModel({ k: 3, m: 3, wrap: false }), { maxDepth: 2 });
    const reduced = await explore(createModel({ k: 3, m: 3, wrap: false, partialOrder: true }), { maxDepth: 2, partialOrder: true });
    expect(reduced.result).toBe('incomplete');
    expect(reduced.stoppedBy).toBe(plain.stoppedBy);
    expect(reduced.distinctStates).toBe(plain.distinctStates);
  });

  test.each([false, true])('interchangeable nodes with a leader (symmetry %s): the known state count, fewer generated', async (symmetry) => {
    const k = 4;
    const m = 3;
    const known = symmetry ? binomial(m + k - 1, k) + m * binomial(m + k - 2, k - 1) : m ** k * (k + 1);
    const plain = await explore(createLeader({ k, m, symmetry }));
    const reduced = await explore(createLeader({ k, m, symmetry, partialOrder: true }), { partialOrder: true });
    expect(plain.distinctStates).toBe(known);
    expect(reduced.distinctStates).toBe(known);
    expect(reduced.depth).toBe(plain.depth);
    expect(reduced.goals).toEqual(plain.goals);
    expect(reduced.generatedStates).toBeLessThan(plain.generatedStates * 0.75);
  });
});
