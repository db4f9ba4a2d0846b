/**
 * What a transport, listener or client has seen, for operators and tests. Frames and bytes
 * count everything on the sockets, handshakes included. `malformed`, `oversized` and
 * `authFailures` count connections dropped for that reason (an oversized frame this end
 * refused to send counts too); `reconnects` counts connection attempts made after a failure.
 */
export interface NetCounters {
  framesIn: number;
  framesOut: number;
  malformed: number;
  oversized: number;
  authFailures: number;
  reconnects: number;
  bytesIn: number;
  bytesOut: number;
}

export function newCounters(): NetCounters {
  return { framesIn: 0, framesOut: 0, malformed: 0, oversized: 0, authFailures: 0, reconnects: 0, bytesIn: 0, bytesOut: 0 };
}

/** Receives one line per event worth an operator's attention (no stack, no newline). */
export type NetLogger = (line: string) => void;

export const consoleLogger: NetLogger = (line) => console.error(line);
