import { EncodeError, WireError } from './errors.js';

/**
 * The wire's primitives: unsigned LEB128 varints (7 bits a byte, low group first) for every
 * id, term, index and count, single bytes for tags and booleans. A varint carries a
 * non-negative safe integer (at most 2^53 - 1, so at most 8 bytes) in its shortest form only,
 * so every value has exactly one encoding.
 */
export const MAX_VARINT_BYTES = 8;

export function varintSize(value: number): number {
  let size = 1;
  while (value >= 128) {
    value = Math.floor(value / 128);
    size++;
  }
  return size;
}

/** Builds a byte string; throws EncodeError for a value the wire cannot carry. */
export class ByteWriter {
  private buffer: Buffer;
  private length = 0;

  constructor(initialCapacity = 64) {
    this.buffer = Buffer.allocUnsafe(initialCapacity);
  }

  uint(value: number, field: string): void {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new EncodeError(`${field} is ${String(value)}, not a non-negative safe integer`);
    }
    this.reserve(MAX_VARINT_BYTES);
    while (value >= 128) {
      this.buffer[this.length++] = (value % 128) | 0x80;
      value = Math.floor(value / 128);
    }
    this.buffer[this.length++] = value;
  }

  byte(value: number): void {
    this.reserve(1);
    this.buffer[this.length++] = value;
  }

  bool(value: boolean, field: string): void {
    if (typeof value !== 'boolean') throw new EncodeError(`${field} is ${typeof value}, not a boolean`);
    this.byte(value ? 1 : 0);
  }

  bytes(data: Uint8Array): void {
    this.reserve(data.length);
    this.buffer.set(data, this.length);
    this.length += data.length;
  }

  finish(): Buffer {
    return this.buffer.subarray(0, this.length);
  }

  private reserve(n: number): void {
    if (this.length + n <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + n));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }
}

/** Reads a byte string front to back; throws WireError('malformed') naming the field at fault. */
export class ByteReader {
  private position = 0;

  constructor(private readonly data: Uint8Array, private readonly what: string) {}

  get remaining(): number {
    return this.data.length - this.position;
  }

  uint(field: string): number {
    const start = this.position;
    let value = 0;
    let scale = 1;
    for (let i = 0; ; i++) {
      if (i === MAX_VARINT_BYTES) throw this.error(`${field} is a varint longer than ${MAX_VARINT_BYTES} bytes`);
      const b = this.data[this.position];
      if (b === undefined) throw this.error(`truncated in ${field} (byte ${start})`);
      this.position++;
      value += (b & 0x7f) * scale;
      if (b < 0x80) {
        if (b === 0 && i > 0) throw this.error(`${field} is an overlong varint`);
        break;
      }
      scale *= 128;
    }
    if (value > Number.MAX_SAFE_INTEGER) throw this.error(`${field} exceeds 2^53-1`);
    return value;
  }

  byte(field: string): number {
    const b = this.data[this.position];
    if (b === undefined) throw this.error(`truncated in ${field} (byte ${this.position})`);
    this.position++;
    return b;
  }

  bool(field: string): boolean {
    const b = this.byte(field);
    if (b > 1) throw this.error(`${field} is byte ${b}, not a boolean (0 or 1)`);
    return b === 1;
  }

  bytes(length: number, field: string): Uint8Array {
    if (length > this.remaining) {
      throw this.error(`truncated in ${field}: ${length} bytes declared, ${this.remaining} left`);
    }
    const out = this.data.subarray(this.position, this.position + length);
    this.position += length;
    return out;
  }

  /** The whole input must have been read. */
  end(): void {
    if (this.remaining > 0) throw this.error(`${this.remaining} trailing bytes`);
  }

  error(reason: string): WireError {
    return new WireError('malformed', `${this.what}: ${reason}`);
  }
}
