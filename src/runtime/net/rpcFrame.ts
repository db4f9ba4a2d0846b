import type { Message } from '../../core/index.js';
import { isRequest, type ReplyMessage, type RequestMessage } from '../transport.js';
import { ByteReader, ByteWriter } from './bytes.js';
import { decodeMessage, encodeMessage, type DecodeContext } from './codec.js';
import { decodeJsonObject, encodeJsonObject, type JsonObject } from './json.js';

/**
 * What an authenticated frame carries, by the role of its connection.
 *
 * Peer connections: the dialing server sends requests, the accepting server answers on the
 * same connection. A frame is an rpc id (varint, chosen by the caller, echoed in the reply)
 * and one Raft message (codec.ts).
 *
 * Client connections: a frame is a request id (varint, echoed in the reply) and a JSON object
 * as UTF-8, taking the rest of the frame. Replies may come in any order.
 */
export interface RpcFrame<M extends Message> {
  readonly rpcId: number;
  readonly message: M;
}

export function encodeRpcFrame(rpcId: number, message: Message): Buffer {
  const w = new ByteWriter();
  w.uint(rpcId, 'rpc id');
  encodeMessage(message, w);
  return w.finish();
}

export function decodeRpcRequest(payload: Uint8Array, ctx: DecodeContext): RpcFrame<RequestMessage> {
  const { rpcId, message } = decodeRpcFrame(payload, ctx);
  if (!isRequest(message)) throw new ByteReader(payload, 'rpc request').error(`a ${message.type} where a request belongs`);
  return { rpcId, message };
}

export function decodeRpcReply(payload: Uint8Array, ctx: DecodeContext): RpcFrame<ReplyMessage> {
  const { rpcId, message } = decodeRpcFrame(payload, ctx);
  if (isRequest(message)) throw new ByteReader(payload, 'rpc reply').error(`a ${message.type} where a reply belongs`);
  return { rpcId, message };
}

function decodeRpcFrame(payload: Uint8Array, ctx: DecodeContext): RpcFrame<Message> {
  const r = new ByteReader(payload, 'rpc');
  const rpcId = r.uint('rpc id');
  const message = decodeMessage(r, ctx);
  r.end();
  return { rpcId, message };
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
