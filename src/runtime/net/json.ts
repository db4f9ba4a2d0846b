import { jsonValueProblem } from '../jsonValue.js';
import { EncodeError, WireError } from './errors.js';

/**
 * JSON on the wire, as UTF-8: log entry commands (the core types them `unknown`) and client
 * payloads. Only values JSON gives back unchanged are sent, so what a receiver decodes equals
 * what the sender held; the round-trip rule is jsonValue.ts's, shared with the disk format.
 */
export type JsonObject = { readonly [key: string]: unknown };

/**
 * Arrays and objects nest at most this deep, both ways: a receiver checks the depth on the raw
 * bytes before parsing, so no peer or client can make it recurse past its stack; a sender
 * refuses what a receiver would refuse, so no entry can become a frame every follower drops.
 * A command is at most one level below the client request that carried it, so what a client
 * may send always fits in an entry.
 */
export const MAX_JSON_DEPTH = 512;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The UTF-8 JSON of `value`; throws EncodeError (naming `what` and the path) if JSON cannot round-trip it. */
export function encodeJson(value: unknown, what: string): Buffer {
  if (nestsDeeperThan(value, MAX_JSON_DEPTH)) throw new EncodeError(`${what} nests deeper than ${MAX_JSON_DEPTH} levels (or is cyclic)`);
  checkRoundTrip(value, what);
  return Buffer.from(JSON.stringify(value), 'utf8');
}

export function encodeJsonObject(value: unknown, what: string): Buffer {
  if (!isJsonObject(value)) throw new EncodeError(`${what} is ${describe(value)}, not a JSON object`);
  return encodeJson(value, what);
}

/** Parses UTF-8 JSON; throws WireError('malformed') for bad UTF-8, bad JSON, or a value that would not round-trip (1e999, -0). */
export function decodeJson(bytes: Uint8Array, what: string): unknown {
  if (textNestsDeeperThan(bytes, MAX_JSON_DEPTH)) throw new WireError('malformed', `${what} nests deeper than ${MAX_JSON_DEPTH} levels`);
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(bytes));
  } catch (error) {
    const detail = error instanceof TypeError ? 'is not valid UTF-8' : 'is not valid JSON';
    throw new WireError('malformed', `${what} ${detail}`);
  }
  const problem = jsonValueProblem(value);
  if (problem) throw new WireError('malformed', `${what}${problem.path} is ${problem.problem}`);
  return value;
}

export function decodeJsonObject(bytes: Uint8Array, what: string): JsonObject {
  const value = decodeJson(bytes, what);
  if (!isJsonObject(value)) throw new WireError('malformed', `${what} is ${describe(value)}, not a JSON object`);
  return value;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkRoundTrip(value: unknown, what: string): void {
  const problem = jsonValueProblem(value);
  if (problem) throw new EncodeError(`${what}${problem.path} is ${problem.problem}, which JSON cannot round-trip`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/** Whether a value holds arrays or objects nested more than `max` deep (a cycle does). Iterative: no recursion to overflow. */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [v, depth] = item;
    if (typeof v !== 'object' || v === null) continue;
    if (depth + 1 > max) return true;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN = new Set([0x5b, 0x7b]); // [ {
const CLOSE = new Set([0x5d, 0x7d]); // ] }

/** The same on JSON text, by counting brackets outside strings (malformed text is JSON.parse's to refuse). */
function textNestsDeeperThan(bytes: Uint8Array, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (inString) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) inString = false;
    } else if (b === QUOTE) {
      inString = true;
    } else if (OPEN.has(b)) {
      if (++depth > max) return true;
    } else if (CLOSE.has(b)) {
      depth--;
    }
  }
  return false;
}
