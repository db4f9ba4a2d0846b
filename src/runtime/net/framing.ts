import { WireError } from './errors.js';

/**
 * Frames on a byte stream: a 4-byte big-endian length, then that many payload bytes. The
 * length counts the payload only. A receiver sets a limit; a frame that declares more is
 * refused as soon as its length is read, before any of it is buffered.
 */
export const FRAME_HEADER_BYTES = 4;
export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024 * 1024;
/** The wire's own ceiling: a 4-byte length. */
export const MAX_FRAME_LENGTH = 0xffff_ffff;

/** One frame holding the concatenation of `parts`. */
export function encodeFrame(parts: readonly Uint8Array[]): Buffer {
  let length = 0;
  for (const part of parts) length += part.length;
  if (length > MAX_FRAME_LENGTH) throw new RangeError(`a frame of ${length} bytes does not fit a 4-byte length`);
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + length);
  out.writeUInt32BE(length, 0);
  let offset = FRAME_HEADER_BYTES;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * Cuts a stream, delivered in chunks of any size, into frames. Feed chunks with `push`, take
 * complete frames one at a time with `next` (so the reader may change `maxFrameBytes` between
 * two frames, e.g. once a peer has authenticated). A frame lying within one chunk is returned
 * without copying; a frame split across chunks is copied once into a buffer of its declared
 * size, so a large frame arriving in many small chunks costs its size, not its size squared.
 */
export class FrameDecoder {
  private readonly chunks: Buffer[] = [];
  /** Read position in chunks[0]. */
  private offset = 0;
  private available = 0;
  private readonly header = Buffer.alloc(FRAME_HEADER_BYTES);
  private headerFilled = 0;
  private body: Buffer | null = null;
  private bodyFilled = 0;
  private failed: WireError | null = null;

  constructor(public maxFrameBytes: number = DEFAULT_MAX_FRAME_BYTES) {}

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.available += chunk.length;
  }

  /** Bytes held: the unread input plus the filled part of a frame in progress. */
  get buffered(): number {
    return this.available + this.headerFilled + this.bodyFilled;
  }

  /** The next complete frame's payload, or null until more bytes arrive. Throws WireError('oversized'). */
  next(): Buffer | null {
    if (this.failed) throw this.failed;
    if (this.body === null) {
      if (!this.readHeader()) return null;
      const length = this.header.readUInt32BE(0);
      this.headerFilled = 0;
      if (length > this.maxFrameBytes) {
        this.failed = new WireError('oversized', `frame declares ${length} bytes, limit ${this.maxFrameBytes}`);
        this.chunks.length = 0;
        this.available = 0;
        throw this.failed;
      }
      const first = this.chunks[0];
      if (first !== undefined && first.length - this.offset >= length) {
        const frame = first.subarray(this.offset, this.offset + length);
        this.consume(length);
        return frame;
      }
      this.body = Buffer.allocUnsafe(length);
      this.bodyFilled = 0;
    }
    this.bodyFilled += this.copyInto(this.body, this.bodyFilled);
    if (this.bodyFilled < this.body.length) return null;
    const frame = this.body;
    this.body = null;
    this.bodyFilled = 0;
    return frame;
  }

  private readHeader(): boolean {
    this.headerFilled += this.copyInto(this.header, this.headerFilled);
    return this.headerFilled === FRAME_HEADER_BYTES;
  }

  /** Copies queued input into target[from..]; returns the bytes copied. */
  private copyInto(target: Buffer, from: number): number {
    let copied = 0;
    while (from + copied < target.length) {
      const chunk = this.chunks[0];
      if (chunk === undefined) break;
      const n = Math.min(chunk.length - this.offset, target.length - from - copied);
      chunk.copy(target, from + copied, this.offset, this.offset + n);
      copied += n;
      this.consume(n);
    }
    return copied;
  }

  private consume(n: number): void {
    this.offset += n;
    this.available -= n;
    const first = this.chunks[0];
    if (first !== undefined && this.offset === first.length) {
      this.chunks.shift();
      this.offset = 0;
    }
  }
}
