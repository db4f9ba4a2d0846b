import type { Message } from '../../core/index.js';
import { ByteReader, ByteWriter } from './bytes.js';
import { decodeMessage, encodeMessageBytes, type DecodeContext } from './codec.js';
import { decodeJsonObject, encodeJsonObject, type JsonObject } from './json.js';

/**
 * What an authenticated frame carries, by the role of its connection.
 *
 * Peer connections: a frame is one Raft message (codec.ts), nothing else. Messages are
 * messages: a reply is not paired with its request, it is a message of its own, sent on the
 * replier's own connection to the requester.
 *
 * Client connections: a frame is a request id (varint, echoed in the reply) and a JSON object
 * as UTF-8, taking the rest of the frame. Replies may come in any order.
 */
export function encodePeerFrame(message: Message): Buffer {
  return encodeMessageBytes(message);
}

/** Throws WireError('malformed') for anything but one whole message from `ctx.peer` to `ctx.me`. */
export function decodePeerFrame(payload: Uint8Array, ctx: DecodeContext): Message {
  const r = new ByteReader(payload, 'peer frame');
  const message = decodeMessage(r, ctx);
  r.end();
  return message;
}

export interface ClientFrame {
  readonly requestId: number;
  readonly body: JsonObject;
}

/** Throws EncodeError unless `body` is a JSON object that JSON gives back unchanged. */
export function encodeClientFrame(requestId: number, body: unknown, what: string): Buffer {
  const w = new ByteWriter();
  w.uint(requestId, `${what} id`);
  w.bytes(encodeJsonObject(body, what));
  return w.finish();
}

export function decodeClientFrame(payload: Uint8Array, what: string): ClientFrame {
  const r = new ByteReader(payload, what);
  const requestId = r.uint(`${what} id`);
  const body = decodeJsonObject(r.bytes(r.remaining, `${what} body`), what);
  return { requestId, body };
}
