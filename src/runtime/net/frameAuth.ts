import { createHmac, timingSafeEqual } from 'node:crypto';
import { WireError } from './errors.js';

/**
 * After the handshake every frame is its payload followed by a tag: the first 16 bytes of
 * HMAC-SHA256(session key of this direction, sequence number | payload). The sequence number
 * is the frame's position in its direction (0, 1, 2, ... as 8 bytes big-endian) and is not
 * sent: both ends count. So a frame injected, replayed, dropped from the middle or moved fails
 * its tag, and so does every frame of another session or of the other direction.
 */
export const TAG_BYTES = 16;

function tag(key: Buffer, sequence: number, payload: Uint8Array): Buffer {
  const seq = Buffer.allocUnsafe(8);
  seq.writeUInt32BE(Math.floor(sequence / 0x1_0000_0000), 0);
  seq.writeUInt32BE(sequence % 0x1_0000_0000, 4);
  return createHmac('sha256', key).update(seq).update(payload).digest().subarray(0, TAG_BYTES);
}

/** Tags outgoing payloads: returns the tag to append. */
export class FrameSealer {
  private sequence = 0;
  constructor(private readonly key: Buffer) {}
  seal(payload: Uint8Array): Buffer {
    return tag(this.key, this.sequence++, payload);
  }
}

/** Checks incoming frames: returns the payload, or throws WireError('auth'). */
export class FrameOpener {
  private sequence = 0;
  constructor(private readonly key: Buffer) {}
  open(frame: Buffer): Buffer {
    if (frame.length < TAG_BYTES) throw new WireError('auth', `frame ${this.sequence} is ${frame.length} bytes, shorter than its tag`);
    const payload = frame.subarray(0, frame.length - TAG_BYTES);
    const expected = tag(this.key, this.sequence, payload);
    if (!timingSafeEqual(expected, frame.subarray(frame.length - TAG_BYTES))) {
      throw new WireError('auth', `frame ${this.sequence} fails its tag (injected, replayed, reordered or altered)`);
    }
    this.sequence++;
    return payload;
  }
}
