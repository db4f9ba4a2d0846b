import { fmix32 } from './fingerprint.js';
import { HashSink, type Hash64 } from './hash-sink.js';
import type { FingerprintOut } from './model.js';
import { MAX_IDS, rankOf, relabellings, type Relabelling } from './relabelling.js';
import type { Sink } from './sink.js';
import { StringSink } from './string-sink.js';

/**
 * Symmetry reduction, for any model whose states hold interchangeable ids (cf. Stateright's
 * Representative/Rewrite). The model says how many ids a state has and writes the state under
 * a relabelling (its one encoding); the engine picks the representative of each symmetry class:
 * the least encoding over the relabellings. Two states are then one exactly when some
 * relabelling makes them equal, and the key and the fingerprint come from the same walk.
 *
 * Not every relabelling needs trying: with a label per id that no relabelling changes (its
 * signature), only those that sort ids by signature can matter, every ordering within a tie.
 * Any such restriction gives one canonical form per class: relabelling a state relabels its
 * candidates too, so every member of a class tries the same set of encodings. Without a
 * signature every relabelling is tried (n! of them).
 */
export interface Encoding<S> {
  /** How many interchangeable ids `state` has: they are 0..n-1 (0 when none). */
  ids(state: S): number;
  /**
   * Writes `state` as relabelled by `r`: an id x as r.newId[x] (or r.id(x)), anything indexed by
   * id in r.oldId order (r.reorder). Under the identity it is the state as it is.
   */
  encode(state: S, r: Relabelling, sink: Sink): void;
  /**
   * Optional, for speed: what id `id` looks like with every id erased, so that
   * signature(s, i) = signature(relabelled s, r.newId[i]) for every relabelling r.
   */
  signature?(state: S, id: number): number;
}

/** The canonical key and fingerprint of a model's states, with or without symmetry reduction. */
export class Canonicaliser<S> {
  private readonly strings = new StringSink();
  private readonly hashes = new HashSink();
  private readonly encode: (state: S, r: Relabelling, sink: Sink) => void;
  private readonly h: Hash64 = { hi: 0, lo: 0 };
  // The candidate search's working arrays (one search at a time).
  private readonly sig = new Float64Array(MAX_IDS);
  private readonly order = new Int32Array(MAX_IDS);
  private readonly newId = new Int32Array(MAX_IDS);
  private readonly tieStart = new Int32Array(MAX_IDS);
  private readonly tieAt = new Int32Array(MAX_IDS);
  private readonly tieOrders: (readonly Relabelling[])[] = [];
  private readonly picked: Relabelling[] = [];
  /** The relabellings of the last size seen (a model's states all have the same, as a rule). */
  private tableSize = -1;
  private table: readonly Relabelling[] = [];

  constructor(
    private readonly encoding: Encoding<S>,
    readonly symmetric: boolean,
  ) {
    this.encode = (state, r, sink) => encoding.encode(state, r, sink);
  }

  /** The exact key: the least string encoding over the candidate relabellings. */
  key(state: S): string {
    const k = this.candidates(state);
    let best = this.strings.key(state, this.picked[0]!, this.encode);
    for (let i = 1; i < k; i++) {
      const s = this.strings.key(state, this.picked[i]!, this.encode);
      if (s < best) best = s;
    }
    return best;
  }

  /** The key with ids as they are. */
  plainKey(state: S): string {
    return this.strings.key(state, relabellings(this.encoding.ids(state))[0]!, this.encode);
  }

  /**
   * The fingerprint: the least 64-bit hash (unsigned hi, then lo) over the candidate
   * relabellings, then scrambled. The least of k hashes has a hi word k times smaller than a
   * hash's, and the fingerprint set takes its slot from hi's top bits: unscrambled, the states
   * of a model with many ties (5 servers: up to 120 candidates) crowd into the set's first
   * slots and every insert probes a long run. The scramble is a bijection on the 64 bits, so
   * it makes no two fingerprints equal that were not. `out.rel` is the relabelling that won (the
   * first of the least, when several give the representative), for partial-order reduction.
   */
  fingerprint(state: S, out: FingerprintOut): void {
    const k = this.candidates(state);
    const h = this.h;
    this.hashes.hash(state, this.picked[0]!, this.encode, out);
    let won = 0;
    for (let i = 1; i < k; i++) {
      this.hashes.hash(state, this.picked[i]!, this.encode, h);
      if (h.hi < out.hi || (h.hi === out.hi && h.lo < out.lo)) {
        out.hi = h.hi;
        out.lo = h.lo;
        won = i;
      }
    }
    out.rel = this.picked[won];
    scramble(out);
  }

  /** Fills `picked` with the relabellings worth trying; returns how many. */
  private candidates(state: S): number {
    const n = this.encoding.ids(state);
    if (n !== this.tableSize) {
      this.table = relabellings(n);
      this.tableSize = n;
    }
    const all = this.table;
    if (!this.symmetric || n <= 1) {
      this.picked[0] = all[0]!;
      return 1;
    }
    const signature = this.encoding.signature;
    const { sig, order, newId, tieStart, tieAt, tieOrders } = this;
    // Ids in signature order (stable insertion sort).
    for (let i = 0; i < n; i++) {
      const s = signature === undefined ? 0 : signature.call(this.encoding, state, i);
      sig[i] = s;
      let j = i;
      while (j > 0 && sig[order[j - 1]!]! > s) {
        order[j] = order[j - 1]!;
        j--;
      }
      order[j] = i;
    }
    // The ties: runs of equal signature, each to be tried in every order.
    let ties = 0;
    for (let start = 0; start < n; ) {
      let end = start + 1;
      while (end < n && sig[order[end]!] === sig[order[start]!]) end++;
      if (end - start > 1) {
        tieStart[ties] = start;
        tieOrders[ties] = relabellings(end - start);
        tieAt[ties] = 0;
        ties++;
      }
      start = end;
    }
    let k = 0;
    for (;;) {
      // Position j gets the id order[j], but within a tie the tie's current ordering of it.
      for (let j = 0; j < n; j++) newId[order[j]!] = j;
      for (let t = 0; t < ties; t++) {
        const start = tieStart[t]!;
        const q = tieOrders[t]![tieAt[t]!]!.newId;
        for (let u = 0; u < q.length; u++) newId[order[start + u]!] = start + q[u]!;
      }
      this.picked[k++] = all[rankOf(newId, n)]!;
      // Odometer over the ties' orderings.
      let t = 0;
      while (t < ties) {
        const next = tieAt[t]! + 1;
        if (next < tieOrders[t]!.length) {
          tieAt[t] = next;
          break;
        }
        tieAt[t] = 0;
        t++;
      }
      if (t === ties) return k;
    }
  }
}

/**
 * Three Feistel rounds over (hi, lo) with murmur's finaliser as the round function: a bijection
 * of 64-bit values (each round is undone by repeating it) that spreads a small hi word over all
 * of hi.
 */
function scramble(h: Hash64): void {
  let hi = h.hi >>> 0;
  let lo = h.lo >>> 0;
  hi = (hi ^ fmix32(lo)) >>> 0;
  lo = (lo ^ fmix32(hi ^ 0x9e3779b9)) >>> 0;
  hi = (hi ^ fmix32(lo ^ 0x85ebca6b)) >>> 0;
  h.hi = hi;
  h.lo = lo;
}
