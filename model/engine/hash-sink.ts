import { fmix32 } from './fingerprint.js';
import type { Relabelling } from './relabelling.js';
import { CACHED_RANKS, FACTORIAL, type Encode, type Sink } from './sink.js';

/**
 * The hash sink: the same calls as the string sink, folded into 64 bits. Two 32-bit lanes take
 * every word through different round functions (murmur3's and xxHash32's), each finished with
 * fmix32, so the pair behaves as one 64-bit hash. A string is its length and UTF-16 code units,
 * a list its length and items; a part is the hash of its own encoding (62 bits, see small()),
 * written as two words; a bag is its size and the lane-wise sums of its items' hashes (no sort).
 * With every variable-length thing prefixed by its length, different calls are different words.
 *
 * Collision risk: with N distinct states the chance that any two share a fingerprint (so that
 * one is wrongly taken as seen) is about N^2 / 2^65: 3e-8 at 1M states, 3e-6 at 10M, the order
 * of TLC's 64-bit fingerprints. Cached part hashes are 62-bit (see small()), and taking the
 * least over k relabellings multiplies the risk by at most k.
 *
 * Caches: a part's hash per object, a relabelled part's per object and relabelling rank (the
 * first CACHED_RANKS). Parts are shared by many states (a step changes one server's slot), so
 * most are hashed once and then cost one lookup.
 */
const SEED_A = 0x2f0b3c1d;
const SEED_B = 0x6a09e667;

interface CachedHash {
  readonly a: number;
  readonly b: number;
}

/**
 * A relabelled part's hashes: the first relabelling it was written under inline (most parts are
 * only ever written under one), the others in `more` once needed.
 */
interface CachedHashes {
  readonly rank: number;
  readonly a: number;
  readonly b: number;
  /** [2r], [2r + 1]: the hash under the relabelling of rank r, once bit r of `done` is set. */
  more: Int32Array | null;
  done: number;
}

/**
 * A cached part's lane, finished and cut to 31 bits: small integers are stored in the cache
 * entry itself, where full 32-bit words would each take a heap number (there are millions of
 * parts). A part's hash is then 62 bits: with P distinct parts the chance of any two colliding
 * is about P^2 / 2^63, 1e-6 at 3M parts.
 */
const small = (h: number): number => fmix32(h) >> 1;

/** Where a fingerprint is written: two unsigned 32-bit words. */
export interface Hash64 {
  hi: number;
  lo: number;
}

export class HashSink implements Sink {
  private a = SEED_A;
  private b = SEED_B;
  /** The last part hashed by nested(). */
  private ha = 0;
  private hb = 0;
  private readonly parts = new WeakMap<object, CachedHash>();
  private readonly relabelled = new WeakMap<object, CachedHashes>();

  /** The 64-bit hash of `value` as `encode` writes it, into `out` (unsigned words). */
  hash<T, C>(value: T, ctx: C, encode: Encode<T, C>, out: Hash64): void {
    this.a = SEED_A;
    this.b = SEED_B;
    encode(value, ctx, this);
    out.hi = fmix32(this.a);
    out.lo = fmix32(this.b);
  }

  int(w: number): void {
    let k = Math.imul(w, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    let a = this.a ^ Math.imul(k, 0x1b873593);
    a = (a << 13) | (a >>> 19);
    this.a = (Math.imul(a, 5) + 0xe6546b64) | 0;
    let b = (this.b + Math.imul(w, 0x85ebca77)) | 0;
    b = (b << 13) | (b >>> 19);
    this.b = Math.imul(b, 0x9e3779b1);
  }

  str(s: string): void {
    this.int(s.length);
    for (let i = 0; i < s.length; i++) this.int(s.charCodeAt(i));
  }

  list<T, C>(items: readonly T[], ctx: C, item: Encode<T, C>): void {
    this.int(items.length);
    for (let i = 0; i < items.length; i++) item(items[i]!, ctx, this);
  }

  byId<T, C>(items: readonly T[], r: Relabelling, ctx: C, item: Encode<T, C>): void {
    const n = items.length;
    if (n === 0 || r.rank === 0) return this.list(items, ctx, item);
    if (n !== r.size) r.reorder(items); // throws: the same refusal as the string sink's
    this.int(n);
    const oldId = r.oldId;
    for (let j = 0; j < n; j++) item(items[oldId[j]!]!, ctx, this);
  }

  bag<T, C>(items: readonly T[], ctx: C, item: Encode<T, C>): void {
    const a = this.a;
    const b = this.b;
    let sumA = 0;
    let sumB = 0;
    for (let i = 0; i < items.length; i++) {
      this.a = SEED_A;
      this.b = SEED_B;
      item(items[i]!, ctx, this);
      sumA = (sumA + fmix32(this.a)) | 0;
      sumB = (sumB + fmix32(this.b)) | 0;
    }
    this.a = a;
    this.b = b;
    this.int(items.length);
    this.int(sumA);
    this.int(sumB);
  }

  part<T extends object>(obj: T, encode: (obj: T, sink: Sink) => void): void {
    let e = this.parts.get(obj);
    if (e === undefined) {
      const a = this.a;
      const b = this.b;
      this.a = SEED_A;
      this.b = SEED_B;
      encode(obj, this);
      e = { a: small(this.a), b: small(this.b) };
      this.a = a;
      this.b = b;
      this.parts.set(obj, e);
    }
    this.int(e.a);
    this.int(e.b);
  }

  relabelledPart<T extends object>(obj: T, r: Relabelling, encode: Encode<T, Relabelling>): void {
    const rank = r.rank;
    const e = this.relabelled.get(obj);
    if (e === undefined) {
      this.nested(obj, r, encode);
      this.relabelled.set(obj, { rank, a: this.ha, b: this.hb, more: null, done: 0 });
    } else if (e.rank === rank) {
      this.int(e.a);
      this.int(e.b);
    } else if (rank >= CACHED_RANKS) {
      this.nested(obj, r, encode);
    } else {
      const bit = 1 << rank;
      let more = e.more;
      if (more === null) e.more = more = new Int32Array(2 * Math.min(FACTORIAL[r.size]!, CACHED_RANKS));
      if ((e.done & bit) === 0) {
        this.nested(obj, r, encode);
        more[2 * rank] = this.ha;
        more[2 * rank + 1] = this.hb;
        e.done |= bit;
      } else {
        this.int(more[2 * rank]!);
        this.int(more[2 * rank + 1]!);
      }
    }
  }

  /** Hashes a relabelled part afresh and writes it as two words; ha, hb keep them for the cache. */
  private nested<T extends object>(obj: T, r: Relabelling, encode: Encode<T, Relabelling>): void {
    const a = this.a;
    const b = this.b;
    this.a = SEED_A;
    this.b = SEED_B;
    encode(obj, r, this);
    const ha = small(this.a);
    const hb = small(this.b);
    this.a = a;
    this.b = b;
    this.ha = ha;
    this.hb = hb;
    this.int(ha);
    this.int(hb);
  }
}
