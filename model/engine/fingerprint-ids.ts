/**
 * A map from 64-bit fingerprints to dense ids 0, 1, 2, ... in the order they are first seen, in
 * one Int32Array: open addressing with linear probing, 12 bytes a slot (hi, lo, id), kept at most
 * 75% full and doubled. The recoverability check needs it: the BFS's own set only says whether a
 * successor is new, while an edge of the state graph needs the id of the state it leads to.
 * As in fingerprint-set.ts, a slot is empty while hi is 0 (fingerprints never have a 0 word).
 */

const WORDS = 3;
const MAX_LOAD = 0.75;
const TWO_POW_32 = 4294967296;

export class FingerprintIds {
  private words: Int32Array;
  private capacity: number;
  private count = 0;

  constructor(capacity = 1 << 10) {
    this.capacity = Math.max(16, capacity);
    this.words = new Int32Array(this.capacity * WORDS);
  }

  get size(): number {
    return this.count;
  }

  get byteLength(): number {
    return this.words.byteLength;
  }

  /** The id of the fingerprint, or -1 when it has none yet. */
  get(hi: number, lo: number): number {
    const at = this.slot(hi | 0, lo | 0);
    return this.words[at] === 0 ? -1 : this.words[at + 2]!;
  }

  /** The fingerprint's id, given the next dense id when it is new (`isNew` then says so). */
  idOf(hi: number, lo: number): number {
    const h = hi | 0;
    const l = lo | 0;
    let at = this.slot(h, l);
    if (this.words[at] !== 0) {
      this.isNew = false;
      return this.words[at + 2]!;
    }
    if (this.count + 1 > this.capacity * MAX_LOAD) {
      this.grow();
      at = this.slot(h, l);
    }
    const id = this.count++;
    this.words[at] = h;
    this.words[at + 1] = l;
    this.words[at + 2] = id;
    this.isNew = true;
    return id;
  }

  /** Whether the last idOf() gave a new id. */
  isNew = false;

  /** The word offset of the fingerprint's slot, or of the empty slot where it would go. */
  private slot(h: number, l: number): number {
    const w = this.words;
    let i = Math.floor((h >>> 0) * (this.capacity / TWO_POW_32));
    for (;;) {
      const at = i * WORDS;
      const seen = w[at]!;
      if (seen === 0 || (seen === h && w[at + 1] === l)) return at;
      if (++i === this.capacity) i = 0;
    }
  }

  private grow(): void {
    const old = this.words;
    this.capacity *= 2;
    this.words = new Int32Array(this.capacity * WORDS);
    for (let at = 0; at < old.length; at += WORDS) {
      const h = old[at]!;
      if (h === 0) continue;
      const to = this.slot(h, old[at + 1]!);
      this.words[to] = h;
      this.words[to + 1] = old[at + 1]!;
      this.words[to + 2] = old[at + 2]!;
    }
  }
}
