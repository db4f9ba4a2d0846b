/**
 * A set of 64-bit fingerprints in one Int32Array: open addressing with linear probing, 8 bytes a
 * slot, kept at most 80% full and grown by 1.5x, so it holds 10-15 bytes per state. The buffer may
 * be a SharedArrayBuffer: insertion claims a slot's first word with Atomics.compareExchange, so
 * several worker threads can insert into one set with no lock. Growth is not concurrent with
 * inserts: between BFS rounds, while no thread inserts, the fingerprints are copied into a new
 * buffer (by every worker at once, each a range of slots: copyInto).
 *
 * Layout: word 0 is the count of claimed slots, word 1 is padding, then (hi, lo) pairs. A slot is
 * empty while hi is 0; fingerprints never have a 0 word (see fingerprint.ts).
 */

export const INSERTED = 1;
export const PRESENT = 0;
/** The set is at its load limit: the caller must keep the fingerprint and retry after growing. */
export const FULL = -1;
export type InsertResult = typeof INSERTED | typeof PRESENT | typeof FULL;

const HEADER_WORDS = 2;
const MAX_LOAD = 0.8;
const GROWTH = 1.5;
const TWO_POW_32 = 4294967296;

export class FingerprintSet {
  readonly words: Int32Array;
  readonly capacity: number;
  private readonly limit: number;
  private readonly scale: number;

  constructor(readonly buffer: ArrayBuffer | SharedArrayBuffer) {
    this.words = new Int32Array(buffer);
    this.capacity = (this.words.length - HEADER_WORDS) >>> 1;
    this.limit = Math.floor(this.capacity * MAX_LOAD);
    // Slot index from hi by multiply-shift (exact in doubles at these sizes), so any capacity works.
    this.scale = this.capacity / TWO_POW_32;
  }

  static create(capacity: number, shared: boolean): FingerprintSet {
    const bytes = (HEADER_WORDS + 2 * Math.max(16, Math.ceil(capacity))) * 4;
    return new FingerprintSet(shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  }

  /** A set sized so that `expected` fingerprints fit without growing. */
  static forExpected(expected: number, shared: boolean): FingerprintSet {
    return FingerprintSet.create(expected / MAX_LOAD + 1, shared);
  }

  get size(): number {
    return Atomics.load(this.words, 0);
  }

  get byteLength(): number {
    return this.buffer.byteLength;
  }

  /** True when inserting `extra` more fingerprints might hit the load limit. */
  nearlyFull(extra: number): boolean {
    return this.size + extra >= this.limit;
  }

  has(hi: number, lo: number): boolean {
    const w = this.words;
    const cap = this.capacity;
    const h = hi | 0;
    const l = lo | 0;
    let i = Math.floor(hi * this.scale);
    for (;;) {
      const at = HEADER_WORDS + 2 * i;
      const seen = Atomics.load(w, at);
      if (seen === 0) return false;
      if (seen === h && this.loWord(at + 1) === l) return true;
      if (++i === cap) i = 0;
    }
  }

  /** Adds the fingerprint unless present. Safe against concurrent inserts into a shared buffer. */
  insert(hi: number, lo: number): InsertResult {
    const w = this.words;
    const cap = this.capacity;
    const h = hi | 0;
    const l = lo | 0;
    let reserved = false;
    let i = Math.floor(hi * this.scale);
    for (;;) {
      const at = HEADER_WORDS + 2 * i;
      let seen = Atomics.load(w, at);
      if (seen === 0) {
        // Reserve room before claiming, so a probe always finds an empty slot and ends.
        if (!reserved) {
          if (Atomics.add(w, 0, 1) >= this.limit) {
            Atomics.sub(w, 0, 1);
            return FULL;
          }
          reserved = true;
        }
        seen = Atomics.compareExchange(w, at, 0, h);
        if (seen === 0) {
          Atomics.store(w, at + 1, l);
          return INSERTED;
        }
      }
      if (seen === h && this.loWord(at + 1) === l) {
        if (reserved) Atomics.sub(w, 0, 1);
        return PRESENT;
      }
      if (++i === cap) i = 0;
    }
  }

  /** A set 1.5x larger (or large enough for `extra` more) holding the same fingerprints. */
  grown(extra = 0): FingerprintSet {
    const next = this.larger(extra);
    this.copyInto(next, 0, 1);
    return next;
  }

  /** An empty set 1.5x larger, or large enough for `extra` more than this one holds. */
  larger(extra = 0): FingerprintSet {
    const need = Math.max(this.capacity * GROWTH, (this.size + extra) / MAX_LOAD + 1);
    return FingerprintSet.create(need, this.buffer instanceof SharedArrayBuffer);
  }

  /**
   * Inserts the fingerprints of part `part` of `parts` (a range of slots) into `target`: the
   * parts can be copied by several threads at once (inserts are lock-free), while none inserts here.
   */
  copyInto(target: FingerprintSet, part: number, parts: number): void {
    const w = this.words;
    const from = HEADER_WORDS + 2 * Math.floor((this.capacity * part) / parts);
    const to = HEADER_WORDS + 2 * Math.floor((this.capacity * (part + 1)) / parts);
    for (let at = from; at < to; at += 2) {
      const hi = w[at] ?? 0;
      if (hi !== 0) target.insert(hi >>> 0, (w[at + 1] ?? 0) >>> 0);
    }
  }

  /** The lo word of a claimed slot; its claimer may not have stored it yet, so wait for it. */
  private loWord(at: number): number {
    let lo = Atomics.load(this.words, at);
    while (lo === 0) lo = Atomics.load(this.words, at);
    return lo;
  }
}
