import { checkJsonValue, CommandEncodingError } from '../diskFormat.js';
import { EncodeError, WireError } from './errors.js';

/**
 * JSON on the wire, as UTF-8: log entry commands (the core types them `unknown`) and client
 * payloads. Only values JSON gives back unchanged are sent, so what a receiver decodes equals
 * what the sender held; the round-trip rule is the disk persister's (`checkJsonValue`).
 */
export type JsonObject = { readonly [key: string]: unknown };

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The UTF-8 JSON of `value`; throws EncodeError (naming `what` and the path) if JSON cannot round-trip it. */
export function encodeJson(value: unknown, what: string): Buffer {
  checkRoundTrip(value, what);
  return Buffer.from(JSON.stringify(value), 'utf8');
}

export function encodeJsonObject(value: unknown, what: string): Buffer {
  if (!isJsonObject(value)) throw new EncodeError(`${what} is ${describe(value)}, not a JSON object`);
  return encodeJson(value, what);
}

/** Parses UTF-8 JSON; throws WireError('malformed') for bad UTF-8, bad JSON, or a value that would not round-trip (1e999, -0). */
export function decodeJson(bytes: Uint8Array, what: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(bytes));
  } catch (error) {
    const detail = error instanceof TypeError ? 'is not valid UTF-8' : 'is not valid JSON';
    throw new WireError('malformed', `${what} ${detail}`);
  }
  try {
    checkJsonValue(value, 0);
  } catch (error) {
    if (error instanceof CommandEncodingError) throw new WireError('malformed', `${what}${error.path} is ${error.problem}`);
    throw error;
  }
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
  try {
    checkJsonValue(value, 0);
  } catch (error) {
    if (error instanceof CommandEncodingError) {
      throw new EncodeError(`${what}${error.path} is ${error.problem}, which JSON cannot round-trip`);
    }
    throw error;
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
