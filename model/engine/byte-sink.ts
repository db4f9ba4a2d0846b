import type { Relabelling } from './relabelling.js';
import type { Encode, Sink } from './sink.js';

/**
 * The byte sink: the same calls as the string and hash sinks, written as bytes that a
 * ByteSource (byte-source.ts) reads back, so that a model's one encoding also packs its states
 * (the engine keeps BFS levels as these bytes, not as objects). Every integer is a zigzag varint
 * (one byte for -64..63), a string its length and UTF-16 code units, a list its length and
 * items; a bag keeps its items' order (the state as it is, not a canonical form), and a part is
 * its encoding's length in bytes and then the encoding, so that a reader can intern it by its
 * bytes or skip it. Relabellings are written as given: pack under the identity.
 *
 * A part's bytes are cached per object (under the identity; parts are immutable and shared by
 * many states, so most are written once and then copied). One buffer, reused: `pack` returns a
 * view of it, valid until the next call.
 */
export class ByteSink implements Sink {
  private buf = new Uint8Array(1024);
  private at = 0;
  private readonly parts = new WeakMap<object, Uint8Array>();

  /** The bytes of `value` as `encode` writes it: a view, valid until the next call. */
  pack<T, C>(value: T, ctx: C, encode: Encode<T, C>): Uint8Array {
    this.at = 0;
    encode(value, ctx, this);
    return this.buf.subarray(0, this.at);
  }

  int(n: number): void {
    if ((n | 0) !== n) throw new RangeError(`the byte sink writes 32-bit integers, got ${n}`);
    this.uint(((n << 1) ^ (n >> 31)) >>> 0);
  }

  str(s: string): void {
    this.uint(s.length);
    for (let i = 0; i < s.length; i++) this.uint(s.charCodeAt(i));
  }

  list<T, C>(items: readonly T[], ctx: C, item: Encode<T, C>): void {
    this.uint(items.length);
    for (let i = 0; i < items.length; i++) item(items[i]!, ctx, this);
  }

  byId<T, C>(items: readonly T[], r: Relabelling, ctx: C, item: Encode<T, C>): void {
    this.list(r.reorder(items), ctx, item);
  }

  bag<T, C>(items: readonly T[], ctx: C, item: Encode<T, C>): void {
    this.list(items, ctx, item);
  }

  part<T extends object>(obj: T, encode: (obj: T, sink: Sink) => void): void {
    const cached = this.parts.get(obj);
    if (cached !== undefined) return this.copy(cached);
    const start = this.reserve();
    encode(obj, this);
    this.parts.set(obj, this.close(start));
  }

  relabelledPart<T extends object>(obj: T, r: Relabelling, encode: Encode<T, Relabelling>): void {
    if (r.rank !== 0) {
      const start = this.reserve();
      encode(obj, r, this);
      this.close(start);
      return;
    }
    const cached = this.parts.get(obj);
    if (cached !== undefined) return this.copy(cached);
    const start = this.reserve();
    encode(obj, r, this);
    this.parts.set(obj, this.close(start));
  }

  /** A cached part: its length and bytes, as close() wrote them. */
  private copy(bytes: Uint8Array): void {
    if (this.at + bytes.length > this.buf.length) this.growTo(this.at + bytes.length);
    this.buf.set(bytes, this.at);
    this.at += bytes.length;
  }

  /** An unsigned varint: 7 bits a byte, low first, the high bit set on all but the last. */
  private uint(n: number): void {
    if (this.at + 5 > this.buf.length) this.growTo(this.at + 5);
    const b = this.buf;
    while (n > 0x7f) {
      b[this.at++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    b[this.at++] = n;
  }

  /** Room for a part's length (one byte, the common case); close() writes it. */
  private reserve(): number {
    if (this.at + 1 > this.buf.length) this.growTo(this.at + 1);
    return this.at++;
  }

  /**
   * Writes the length of the part begun at `start`, moving it right when it needs more than one
   * byte; returns a copy of the part as written (length and bytes), for the cache.
   */
  private close(start: number): Uint8Array {
    const len = this.at - start - 1;
    if (len <= 0x7f) this.buf[start] = len;
    else {
      const body = this.buf.slice(start + 1, this.at);
      this.at = start;
      this.uint(len);
      if (this.at + len > this.buf.length) this.growTo(this.at + len);
      this.buf.set(body, this.at);
      this.at += len;
    }
    return this.buf.slice(start, this.at);
  }

  private growTo(need: number): void {
    const next = new Uint8Array(Math.max(need, this.buf.length * 2));
    next.set(this.buf.subarray(0, this.at));
    this.buf = next;
  }
}
