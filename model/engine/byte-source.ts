/**
 * Reads what the byte sink (byte-sink.ts) wrote, call for call: a model's decoder mirrors its
 * encoder, reading each field with the call that wrote it (int for int, list for list, part for
 * part, ...; a bag and byId under the identity read back as a list).
 *
 * Parts are interned by their bytes: two equal parts decode to the very same object, which is
 * then what an unpacked state shares with the states unpacked before it, as the objects it was
 * packed from were shared. Caches keyed on objects (a model's step memo, the fingerprint sinks'
 * part caches) keep hitting across packing, and a part already seen is not decoded again. A
 * table is keyed by a 32-bit hash of the bytes, one part a key (a part whose hash is taken by
 * other bytes is decoded afresh and takes the key over); it holds at most INTERN_LIMIT parts and
 * starts afresh when full.
 */

export type Decode<T> = (source: ByteSource) => T;

const INTERN_LIMIT = 1 << 17;

interface Interned {
  readonly bytes: Uint8Array;
  readonly value: unknown;
}

export class ByteSource {
  private buf: Uint8Array = new Uint8Array(0);
  private at = 0;
  /** Per decoder: the parts it decoded, by their bytes. */
  private readonly interned = new Map<Decode<unknown>, Map<number, Interned>>();

  /** The value `decode` reads from `bytes` (all of them). */
  unpack<T>(bytes: Uint8Array, decode: Decode<T>): T {
    this.buf = bytes;
    this.at = 0;
    const value = decode(this);
    if (this.at !== bytes.length) throw new RangeError(`unpack read ${this.at} of ${bytes.length} bytes: the decoder does not mirror the encoder`);
    return value;
  }

  int(): number {
    const z = this.uint();
    return (z >>> 1) ^ -(z & 1);
  }

  bool(): boolean {
    return this.int() !== 0;
  }

  str(): string {
    const n = this.uint();
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(this.uint());
    return s;
  }

  list<T>(item: Decode<T>): T[] {
    const n = this.uint();
    const out = new Array<T>(n);
    for (let i = 0; i < n; i++) out[i] = item(this);
    return out;
  }

  /** A part (plain or relabelled): the interned object of its bytes, decoded on first sight. */
  part<T>(decode: Decode<T>): T {
    const len = this.uint();
    const start = this.at;
    const end = start + len;
    if (end > this.buf.length) throw new RangeError(`a part of ${len} bytes runs past the end`);
    let table = this.interned.get(decode);
    if (table === undefined) this.interned.set(decode, (table = new Map()));
    const b = this.buf;
    let h = len;
    for (let i = start; i < end; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
    const seen = table.get(h);
    if (seen !== undefined && equalBytes(seen.bytes, b, start, end)) {
      this.at = end;
      return seen.value as T;
    }
    const value = decode(this);
    if (this.at !== end) throw new RangeError(`a part of ${len} bytes was read as ${this.at - start}: the decoder does not mirror the encoder`);
    if (table.size >= INTERN_LIMIT) table.clear();
    table.set(h, { bytes: b.slice(start, end), value });
    return value;
  }

  private uint(): number {
    const b = this.buf;
    let n = 0;
    let shift = 0;
    for (;;) {
      if (this.at >= b.length) throw new RangeError('unpack ran past the end of the bytes');
      const byte = b[this.at++]!;
      n |= (byte & 0x7f) << shift;
      if (byte < 0x80) return n >>> 0;
      shift += 7;
    }
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array, start: number, end: number): boolean {
  if (a.length !== end - start) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[start + i]) return false;
  return true;
}
