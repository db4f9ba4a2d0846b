import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { encodeFrame, FrameDecoder, WireError } from '../../../src/runtime/net/index.js';

/** Splits `bytes` at the given cut points (any order, duplicates allowed). */
function split(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const p of [...points, bytes.length]) {
    chunks.push(bytes.subarray(from, p));
    from = p;
  }
  return chunks;
}

function drain(decoder: FrameDecoder): Buffer[] {
  const frames: Buffer[] = [];
  for (let f = decoder.next(); f !== null; f = decoder.next()) frames.push(Buffer.from(f));
  return frames;
}

describe('framing', () => {
  test('frames come out whole and in order however the stream is cut (property)', () => {
    const payloads = fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 12 });
    fc.assert(fc.property(payloads, fc.array(fc.nat(), { maxLength: 40 }), (ps, cuts) => {
      const stream = Buffer.concat(ps.map((p) => encodeFrame([p])));
      const decoder = new FrameDecoder(300);
      const out: Buffer[] = [];
      for (const chunk of split(stream, cuts)) {
        decoder.push(chunk);
        out.push(...drain(decoder));
      }
      expect(out).toEqual(ps.map((p) => Buffer.from(p)));
      expect(decoder.buffered).toBe(0);
    }), { numRuns: 500 });
  });

  test('one byte at a time', () => {
    const stream = Buffer.concat([encodeFrame([Buffer.from('ab')]), encodeFrame([]), encodeFrame([Buffer.from('c'), Buffer.from('de')])]);
    const decoder = new FrameDecoder();
    const out: string[] = [];
    for (const byte of stream) {
      decoder.push(Buffer.from([byte]));
      out.push(...drain(decoder).map((f) => f.toString()));
    }
    expect(out).toEqual(['ab', '', 'cde']);
  });

  test('a frame declaring more than the limit is refused on its header, before its body is buffered', () => {
    const decoder = new FrameDecoder(100);
    decoder.push(encodeFrame([Buffer.alloc(100)]));
    expect(drain(decoder)).toHaveLength(1);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(101);
    decoder.push(header);
    expect(() => decoder.next()).toThrow(WireError);
    expect(() => decoder.next()).toThrow(/oversized: frame declares 101 bytes, limit 100/);
    expect(decoder.buffered).toBe(0);
  });

  test('the limit is read at each header, so it can be raised between frames', () => {
    const decoder = new FrameDecoder(4);
    decoder.push(Buffer.concat([encodeFrame([Buffer.from('tiny')]), encodeFrame([Buffer.from('larger')])]));
    expect(decoder.next()?.toString()).toBe('tiny');
    decoder.maxFrameBytes = 6;
    expect(decoder.next()?.toString()).toBe('larger');
  });
});
