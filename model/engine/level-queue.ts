import type { Model } from './model.js';

/**
 * One BFS level: the states to expand, in the order they were found, each with its global id.
 * A model that packs its states (Model.pack/unpack) has its levels kept as bytes in large
 * chunks, one entry after another, with no object per state; any other model's as objects.
 * Either kind hands states between worker threads as a Batch: packed chunks are transferred
 * (moved, not copied), objects structured-cloned.
 */
export interface LevelQueue<S> {
  /** States pushed or received and not yet taken. */
  readonly length: number;
  push(state: S, id: number): void;
  /** The next state (its id then in `id`), or undefined when the level is used up. */
  shift(): S | undefined;
  /** The id of the state the last shift() returned. */
  readonly id: number;
  /** Removes up to `count` states from the end of the level, to hand to another worker. */
  handOver(count: number): Batch;
  /** Appends a batch handed over by another worker. */
  receive(batch: Batch): void;
}

/** Packed: chunk i holds counts[i] entries in its first used[i] bytes. */
export type Batch =
  | { readonly kind: 'objects'; readonly states: unknown[]; readonly ids: number[] }
  | { readonly kind: 'packed'; readonly chunks: Uint8Array<ArrayBuffer>[]; readonly counts: number[]; readonly used: number[] };

export const batchSize = (b: Batch): number => (b.kind === 'objects' ? b.ids.length : b.counts.reduce((n, c) => n + c, 0));

/** What must be transferred, not copied, when a batch is posted to another thread. */
export const batchTransfer = (b: Batch): ArrayBuffer[] => (b.kind === 'objects' ? [] : b.chunks.map((c) => c.buffer));

export function levelQueue<S>(model: Pick<Model<S, unknown>, 'pack' | 'unpack'>): LevelQueue<S> {
  const { pack, unpack } = model;
  return pack !== undefined && unpack !== undefined ? new PackedQueue(pack, unpack) : new ObjectQueue();
}

class ObjectQueue<S> implements LevelQueue<S> {
  private states: S[] = [];
  private ids: number[] = [];
  private pos = 0;
  id = -1;

  get length(): number {
    return this.states.length - this.pos;
  }

  push(state: S, id: number): void {
    this.states.push(state);
    this.ids.push(id);
  }

  shift(): S | undefined {
    if (this.pos >= this.states.length) return undefined;
    this.id = this.ids[this.pos]!;
    return this.states[this.pos++];
  }

  handOver(count: number): Batch {
    const n = Math.max(0, Math.min(count, this.length));
    return { kind: 'objects', states: this.states.splice(this.states.length - n, n), ids: this.ids.splice(this.ids.length - n, n) };
  }

  receive(batch: Batch): void {
    if (batch.kind !== 'objects') throw new TypeError('a packed batch handed to a level of objects');
    for (const s of batch.states) this.states.push(s as S);
    for (const id of batch.ids) this.ids.push(id);
  }
}

/** Chunks are this large (a larger state gets a chunk of its own size). */
const CHUNK_BYTES = 1 << 18;
/** An entry's header: its id (4 bytes, little-endian) and its length (a varint, at most 5 bytes). */
const HEADER_BYTES = 9;

interface Chunk {
  readonly bytes: Uint8Array<ArrayBuffer>;
  used: number;
  count: number;
}

/**
 * A level as bytes: entries (id, length, packed state) back to back in chunks of CHUNK_BYTES.
 * Chunks are written in order and read in order; a chunk read to its end is dropped at once, so
 * a level being expanded frees its memory as the next one grows.
 */
class PackedQueue<S> implements LevelQueue<S> {
  private readonly chunks: (Chunk | null)[] = [];
  /** Where shift() reads: chunk index and byte offset. */
  private readAt = 0;
  private readOffset = 0;
  private total = 0;
  private taken = 0;
  id = -1;

  constructor(
    private readonly pack: (state: S) => Uint8Array,
    private readonly unpack: (bytes: Uint8Array) => S,
  ) {}

  get length(): number {
    return this.total - this.taken;
  }

  push(state: S, id: number): void {
    const bytes = this.pack(state);
    const need = HEADER_BYTES + bytes.length;
    let c = this.chunks[this.chunks.length - 1];
    if (c === undefined || c === null || c.used + need > c.bytes.length) {
      c = { bytes: new Uint8Array(Math.max(CHUNK_BYTES, need)), used: 0, count: 0 };
      this.chunks.push(c);
    }
    const b = c.bytes;
    let at = c.used;
    b[at++] = id & 0xff;
    b[at++] = (id >>> 8) & 0xff;
    b[at++] = (id >>> 16) & 0xff;
    b[at++] = (id >>> 24) & 0xff;
    let n = bytes.length;
    while (n > 0x7f) {
      b[at++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    b[at++] = n;
    b.set(bytes, at);
    c.used = at + bytes.length;
    c.count++;
    this.total++;
  }

  shift(): S | undefined {
    if (this.taken >= this.total) return undefined;
    let c = this.chunks[this.readAt];
    while (c === null || c === undefined || this.readOffset >= c.used) {
      this.chunks[this.readAt] = null; // read to its end: let it go
      this.readAt++;
      this.readOffset = 0;
      c = this.chunks[this.readAt];
    }
    const b = c.bytes;
    let at = this.readOffset;
    this.id = (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
    at += 4;
    let len = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = b[at++]!;
      len |= (byte & 0x7f) << shift;
      if (byte < 0x80) break;
    }
    this.readOffset = at + len;
    this.taken++;
    return this.unpack(b.subarray(at, at + len));
  }

  handOver(count: number): Batch {
    const chunks: Uint8Array<ArrayBuffer>[] = [];
    const counts: number[] = [];
    const used: number[] = [];
    let left = Math.max(0, Math.min(count, this.length));
    // Whole chunks from the end while they fit in what is asked (never the one being read).
    while (left > 0 && this.chunks.length - 1 > this.readAt) {
      const c = this.chunks[this.chunks.length - 1]!;
      if (c.count > left) break;
      this.chunks.pop();
      chunks.push(c.bytes);
      counts.push(c.count);
      used.push(c.used);
      left -= c.count;
      this.total -= c.count;
    }
    if (left > 0) {
      // The rest from the end of the last chunk: find where its last `left` entries begin.
      const c = this.chunks[this.chunks.length - 1]!;
      const first = this.chunks.length - 1 === this.readAt ? this.readOffset : 0;
      const before = this.entriesFrom(c, first);
      const keep = Math.max(0, before - left);
      const cut = this.skip(c, first, keep);
      const tail = c.bytes.slice(cut, c.used);
      chunks.push(tail);
      counts.push(before - keep);
      used.push(tail.length);
      this.total -= before - keep;
      c.count -= before - keep;
      c.used = cut;
    }
    return { kind: 'packed', chunks, counts, used };
  }

  receive(batch: Batch): void {
    if (batch.kind !== 'packed') throw new TypeError('a batch of objects handed to a packed level');
    batch.chunks.forEach((bytes, i) => {
      this.chunks.push({ bytes, used: batch.used[i]!, count: batch.counts[i]! });
      this.total += batch.counts[i]!;
    });
  }

  /** How many entries chunk `c` holds from byte `from` on. */
  private entriesFrom(c: Chunk, from: number): number {
    let n = 0;
    for (let at = from; at < c.used; n++) at = this.skip(c, at, 1);
    return n;
  }

  /** The offset `entries` entries after `from` in chunk `c`. */
  private skip(c: Chunk, from: number, entries: number): number {
    const b = c.bytes;
    let at = from;
    for (let k = 0; k < entries; k++) {
      at += 4;
      let len = 0;
      for (let shift = 0; ; shift += 7) {
        const byte = b[at++]!;
        len |= (byte & 0x7f) << shift;
        if (byte < 0x80) break;
      }
      at += len;
    }
    return at;
  }
}
