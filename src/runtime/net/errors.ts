/**
 * The network layer's errors. Every reason is one line, so a log line that carries it stays one
 * line (a peer's bytes never reach a log unescaped: reasons quote at most a few numbers).
 */

/**
 * What was wrong with bytes that arrived: `malformed` (they do not decode to a valid frame or
 * message), `oversized` (a frame declared longer than the limit) or `auth` (a handshake that
 * failed, or a frame whose MAC does not verify: injected, replayed, reordered or tampered).
 */
export type WireErrorKind = 'malformed' | 'oversized' | 'auth';

export class WireError extends Error {
  override readonly name = 'WireError';
  constructor(readonly kind: WireErrorKind, readonly reason: string) {
    super(`${kind}: ${oneLine(reason)}`);
  }
}

/** A value this end was asked to send that the wire format cannot carry (a bug of the sender). */
export class EncodeError extends Error {
  override readonly name = 'EncodeError';
  constructor(readonly reason: string) {
    super(oneLine(reason));
  }
}

/** A client request that got no reply: its connection closed, or it timed out. */
export class ClientRequestError extends Error {
  override readonly name = 'ClientRequestError';
  /** 'not-sent': the request never left (the connection was already closed or stalled). */
  constructor(readonly kind: 'closed' | 'timeout' | 'not-sent', reason: string) {
    super(oneLine(reason));
  }
}

export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
