import { deserialize, serialize } from 'node:v8';
import type { Model } from './model.js';

/**
 * BFS levels: the states to expand, in the order they were found, each with its global id. A
 * model that packs its states (Model.pack/unpack) has its levels kept as bytes in large chunks,
 * one entry after another, with no object per state; any other model's, in this thread, as
 * objects. Worker threads always pack (with V8's structured serialisation when the model does
 * not), into SharedArrayBuffers: a level's chunks are then readable by every worker, which
 * claim them one by one (SharedLevel), so no state is ever copied between threads.
 */

/** What a BFS expands: states taken in order, each with its global id. */
export interface LevelReader<S> {
  /** States not yet taken (by this thread; for a shared level, also those no thread has claimed). */
  readonly length: number;
  /** The next state (its id then in `id`), or undefined when the level is used up. */
  shift(): S | undefined;
  /** The id of the state the last shift() returned. */
  readonly id: number;
}

/** What a BFS finds: a level written state by state, and then read. */
export interface LevelQueue<S> extends LevelReader<S> {
  push(state: S, id: number): void;
}

/** A packed level's chunks, as handed between threads: chunk i holds counts[i] entries in its first used[i] bytes. */
export interface LevelChunks {
  readonly chunks: SharedArrayBuffer[];
  readonly used: number[];
  readonly counts: number[];
}

interface Packing<S> {
  readonly pack: (state: S) => Uint8Array;
  readonly unpack: (bytes: Uint8Array) => S;
}

type Packs<S> = Pick<Model<S, unknown>, 'pack' | 'unpack'>;

/** The model's own packing, or (when `always`) V8's structured serialisation in its stead. */
function packingOf<S>(model: Packs<S>, always: boolean): Packing<S> | null {
  const { pack, unpack } = model;
  if (pack !== undefined && unpack !== undefined) return { pack, unpack };
  return always ? { pack: (s) => serialize(s), unpack: (b) => deserialize(b) as S } : null;
}

/** A level for the search in this thread: packed when the model packs, else objects. */
export function levelQueue<S>(model: Packs<S>): LevelQueue<S> {
  const packing = packingOf(model, false);
  return packing === null ? new ObjectQueue() : new PackedQueue(packing, false);
}

/** A level a worker writes, in shared chunks it hands to the coordinator when the level is found (chunks()). */
export function sharedLevelQueue<S>(model: Packs<S>): PackedQueue<S> {
  return new PackedQueue(packingOf(model, true)!, true);
}

/** A whole level every worker reads from, each taking the next unclaimed chunk (claim: an Int32 word, 0 at the start). */
export function sharedLevel<S>(model: Packs<S>, level: LevelChunks, claim: Int32Array, word: number): LevelReader<S> {
  return new SharedLevel(packingOf(model, true)!, level, claim, word);
}

class ObjectQueue<S> implements LevelQueue<S> {
  private readonly states: S[] = [];
  private readonly ids: number[] = [];
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
    const state = this.states[this.pos]!;
    this.states[this.pos++] = undefined as S; // expanded: let it go
    return state;
  }
}

/** Chunks are this large (a larger state gets a chunk of its own size). */
const CHUNK_BYTES = 1 << 18;
/** An entry's header: its id (4 bytes, little-endian) and its length (a varint, at most 5 bytes). */
const HEADER_BYTES = 9;

interface Chunk {
  readonly bytes: Uint8Array;
  used: number;
  count: number;
}

/** Reads entries (id, length, packed state) of one chunk from `at` on. */
class ChunkReader<S> {
  id = -1;
  private bytes: Uint8Array = new Uint8Array(0);
  private used = 0;
  private at = 0;
  /** Entries of the chunk not yet read. */
  left = 0;

  constructor(private readonly unpack: (bytes: Uint8Array) => S) {}

  start(bytes: Uint8Array, used: number, count: number): void {
    this.bytes = bytes;
    this.used = used;
    this.at = 0;
    this.left = count;
  }

  /** The next entry's state, or undefined at the chunk's end. */
  next(): S | undefined {
    if (this.at >= this.used) return undefined;
    const b = this.bytes;
    let at = this.at;
    this.id = (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
    at += 4;
    let len = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = b[at++]!;
      len |= (byte & 0x7f) << shift;
      if (byte < 0x80) break;
    }
    this.at = at + len;
    this.left--;
    return this.unpack(b.subarray(at, at + len));
  }
}

/**
 * A level as bytes: entries (id, length, packed state) back to back in chunks of CHUNK_BYTES.
 * Chunks are written in order and read in order; a chunk read to its end is dropped at once, so
 * a level being expanded frees its memory as the next one grows.
 */
export class PackedQueue<S> implements LevelQueue<S> {
  private chunks: (Chunk | null)[] = [];
  private readAt = 0;
  private readonly reader: ChunkReader<S>;
  private total = 0;
  private taken = 0;

  constructor(
    private readonly packing: Packing<S>,
    private readonly shared: boolean,
  ) {
    this.reader = new ChunkReader(packing.unpack);
  }

  get length(): number {
    return this.total - this.taken;
  }

  get id(): number {
    return this.reader.id;
  }

  push(state: S, id: number): void {
    const bytes = this.packing.pack(state);
    const need = HEADER_BYTES + bytes.length;
    let c = this.chunks[this.chunks.length - 1];
    if (c === undefined || c === null || c.used + need > c.bytes.length) {
      const size = Math.max(CHUNK_BYTES, need);
      c = { bytes: new Uint8Array(this.shared ? new SharedArrayBuffer(size) : new ArrayBuffer(size)), used: 0, count: 0 };
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
    for (;;) {
      const state = this.reader.next();
      if (state !== undefined) {
        this.taken++;
        return state;
      }
      if (this.readAt > 0) this.chunks[this.readAt - 1] = null; // read to its end: let it go
      const c = this.chunks[this.readAt++];
      if (c === undefined || c === null) return undefined;
      this.reader.start(c.bytes, c.used, c.count);
    }
  }

  /** The chunks written (shared ones), handed over whole: this queue is empty afterwards. */
  chunksOut(): LevelChunks {
    if (!this.shared) throw new TypeError('only a shared level hands its chunks over');
    const out: LevelChunks = { chunks: [], used: [], counts: [] };
    for (const c of this.chunks) {
      if (c === null || c.count === 0) continue;
      out.chunks.push(c.bytes.buffer as SharedArrayBuffer);
      out.used.push(c.used);
      out.counts.push(c.count);
    }
    this.chunks = [];
    this.total = this.taken = this.readAt = 0;
    return out;
  }
}

/**
 * A level shared by every worker: each takes the next chunk no thread has claimed (an atomic
 * counter), so the workers keep busy until the level runs out, however unevenly its states cost.
 */
class SharedLevel<S> implements LevelReader<S> {
  private readonly chunks: (SharedArrayBuffer | null)[];
  private readonly reader: ChunkReader<S>;
  private claimed = -1;
  private readonly after: number[];
  private readonly total: number;

  constructor(
    packing: Packing<S>,
    private readonly level: LevelChunks,
    private readonly claim: Int32Array,
    private readonly word: number,
  ) {
    this.chunks = [...level.chunks];
    this.reader = new ChunkReader(packing.unpack);
    // after[i]: the entries of chunks i+1.. (for length).
    this.after = new Array<number>(level.counts.length);
    let sum = 0;
    for (let i = level.counts.length - 1; i >= 0; i--) {
      this.after[i] = sum;
      sum += level.counts[i]!;
    }
    this.total = sum;
  }

  get id(): number {
    return this.reader.id;
  }

  /** Approximate while others claim: the rest of this thread's chunk and the chunks after the last claimed. */
  get length(): number {
    const next = Math.min(Atomics.load(this.claim, this.word), this.chunks.length);
    const unclaimed = next === 0 ? this.total : this.after[next - 1]!;
    return this.reader.left + unclaimed;
  }

  shift(): S | undefined {
    for (;;) {
      const state = this.reader.next();
      if (state !== undefined) return state;
      if (this.claimed >= 0) this.chunks[this.claimed] = null;
      const k = Atomics.add(this.claim, this.word, 1);
      if (k >= this.chunks.length) return undefined;
      // Chunks below k are claimed by some thread: this one will never read them.
      for (let i = this.claimed + 1; i < k; i++) this.chunks[i] = null;
      this.claimed = k;
      this.reader.start(new Uint8Array(this.chunks[k]!), this.level.used[k]!, this.level.counts[k]!);
    }
  }
}
