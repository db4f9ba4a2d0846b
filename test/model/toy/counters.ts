import type { Model } from '../../../model/engine/model.js';

/**
 * k counters, each 0..m-1, all starting at 0; action i increments counter i. Known by arithmetic:
 * - wrap (mod m): m^k states, each with k successors; depth k(m-1).
 * - saturate (no wrap; an increment at m-1 is skipped): m^k states, k(m-1)m^(k-1) successors.
 * - symmetry (counters interchangeable, key = sorted multiset): C(m+k-1, k) states.
 * `bad`: an invariant that fails exactly on that vector (BFS depth = its sum, without symmetry).
 */
export interface CountersOptions {
  readonly k: number;
  readonly m: number;
  readonly wrap?: boolean;
  readonly symmetry?: boolean;
  readonly bad?: readonly number[];
  /** Busy-work per successor (loop iterations), so benchmarks can mimic a costly next(). */
  readonly work?: number;
  /** Initial vectors (default: all zero). */
  readonly initial?: readonly (readonly number[])[];
  /**
   * Declare the increments independent (Model.partialOrder): increments of different counters
   * commute and never disable each other, so independence is total.
   */
  readonly partialOrder?: boolean;
}

export type Counters = readonly number[];

export function createModel(options: CountersOptions): Model<Counters, number> {
  const { k, m, wrap = true, symmetry = false, bad, initial, work = 0, partialOrder = false } = options;
  if (partialOrder && symmetry) throw new RangeError('counters: partialOrder needs the ids as they are (this toy reports no relabelling)');
  const badKey = bad?.join(',');
  const indices = Array.from({ length: k }, (_, i) => i);
  return {
    name: `counters(k=${k}, m=${m}${wrap ? '' : ', saturate'}${symmetry ? ', symmetric' : ''})`,
    initialStates: () => initial ?? [new Array<number>(k).fill(0)],
    actions: () => indices,
    next(state, i) {
      const v = state[i] ?? 0;
      if (!wrap && v === m - 1) return null;
      let acc = v;
      for (let w = 0; w < work; w++) acc = (Math.imul(acc, 31) + w) | 0;
      if (acc === 0.5) return null; // never: keeps the busy-work from being optimised away
      const copy = [...state];
      copy[i] = (v + 1) % m;
      return copy;
    },
    invariants: badKey === undefined ? [] : [{ name: 'NotBad', check: (s) => (s.join(',') === badKey ? `counters at ${badKey}` : null) }],
    goals: [
      { name: 'AllAtTop', holds: (s) => s.every((v) => v === m - 1) },
      { name: 'Impossible', holds: (s) => s.some((v) => v >= m) },
    ],
    canonicalKey: (s) => (symmetry ? [...s].sort((a, b) => a - b) : s).join(','),
    ...(partialOrder ? { partialOrder: { key: (i: number) => i, independent: (_: Counters, a: number, b: number) => a !== b } } : {}),
    formatAction: (i) => `Inc(${i})`,
  };
}
