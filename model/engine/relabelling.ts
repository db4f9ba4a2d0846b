/**
 * A relabelling of n interchangeable ids (a permutation of 0..n-1), as a model's encoding reads
 * it: `newId[old]` for an id written in the state, `oldId[new]` for whatever is indexed by id
 * (written in the relabelled order). `rank` numbers it among the n! relabellings (Lehmer code of
 * newId; the identity is 0), so that per-object caches can key on it.
 */
export class Relabelling {
  constructor(
    readonly newId: readonly number[],
    readonly oldId: readonly number[],
    readonly rank: number,
  ) {}

  get size(): number {
    return this.newId.length;
  }

  /** An id, or -1 for none (null). */
  id(x: number | null): number {
    return x === null ? -1 : this.newId[x]!;
  }

  /** An array indexed by id, in the relabelled order (the identity and empty arrays leave it as it is). */
  reorder<T>(byId: readonly T[]): readonly T[] {
    const n = byId.length;
    if (n === 0 || this.rank === 0) return byId;
    if (n !== this.newId.length) throw new RangeError(`an array indexed by id has ${n} slots for ${this.newId.length} ids`);
    const out = new Array<T>(n);
    for (let j = 0; j < n; j++) out[j] = byId[this.oldId[j]!]!;
    return out;
  }
}

/** Beyond this the n! relabellings are too many to tabulate (and to try). */
export const MAX_IDS = 8;

/** The Lehmer rank of a permutation given as newId[old]. */
export function rankOf(newId: ArrayLike<number>, n: number): number {
  let rank = 0;
  for (let i = 0; i < n; i++) {
    let smaller = 0;
    for (let j = i + 1; j < n; j++) if (newId[j]! < newId[i]!) smaller++;
    rank = rank * (n - i) + smaller;
  }
  return rank;
}

// Immutable tables, built once per size on first use: the relabellings of n ids by rank.
const tables: (readonly Relabelling[] | undefined)[] = [];

/** Every relabelling of n ids, indexed by rank; [0] is the identity. */
export function relabellings(n: number): readonly Relabelling[] {
  if (!Number.isInteger(n) || n < 0 || n > MAX_IDS) throw new RangeError(`symmetry supports 0..${MAX_IDS} interchangeable ids, got ${n}`);
  let table = tables[n];
  if (table !== undefined) return table;
  const out: Relabelling[] = [];
  // Lexicographic order of newId is Lehmer-rank order.
  const build = (prefix: number[], rest: number[]): void => {
    if (rest.length === 0) {
      const oldId = new Array<number>(n);
      for (let i = 0; i < n; i++) oldId[prefix[i]!] = i;
      out.push(new Relabelling(prefix, oldId, out.length));
      return;
    }
    for (let k = 0; k < rest.length; k++) build([...prefix, rest[k]!], [...rest.slice(0, k), ...rest.slice(k + 1)]);
  };
  build([], Array.from({ length: n }, (_, i) => i));
  tables[n] = table = out;
  return table;
}

/** The identity relabelling of n ids. */
export const identity = (n: number): Relabelling => relabellings(n)[0]!;
