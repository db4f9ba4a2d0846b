import type { LogEntry } from './types.js';

/**
 * Where a log array's last configuration entry is: the configuration in effect is read from the
 * log at almost every leader step, and finding it by scanning costs a look at every entry (some
 * 4 ns each, on frozen entries), so a step of a leader with a long log would pay for its whole
 * log. Each long log array the core makes (draft.ts) therefore carries its answer with it: a
 * non-enumerable, read-only property, set once before the array is frozen, and a pure function of
 * the array's own entries, so it can never disagree with them (the array is immutable). It is no
 * part of the state: equality, encodings and copies ignore it, and an array without it (short,
 * made by a host, restored from disk, decoded by the model) is simply scanned.
 */
const LAST_CONFIG_POSITION = Symbol('pure-raft lastConfigPosition');

/**
 * Arrays shorter than this are not noted: defining the property costs about as much as scanning
 * some 40 entries, and the model checker's logs are a few entries long.
 */
const NOTED_FROM_LENGTH = 64;

type Noted = readonly LogEntry[] & { readonly [LAST_CONFIG_POSITION]?: number };

/** The position in `entries` of the last entry at or before `upTo` (a position) holding a configuration; -1: none. */
export function lastConfigPosition(entries: readonly LogEntry[], upTo: number = entries.length - 1): number {
  const noted = (entries as Noted)[LAST_CONFIG_POSITION];
  if (noted !== undefined && noted <= upTo) return noted;
  for (let i = upTo; i >= 0; i--) if (entries[i]!.config !== undefined) return i;
  return -1;
}

/**
 * Notes on `entries` (a new array, not yet frozen) the position of its last configuration entry.
 * Its first `shared` entries are those of `previous`, whose own note (or a scan of them) answers
 * for them; the rest are looked at one by one.
 */
export function noteLastConfigPosition(entries: LogEntry[], previous: readonly LogEntry[] = [], shared = 0): void {
  if (entries.length < NOTED_FROM_LENGTH) return;
  let position = -1;
  for (let i = entries.length - 1; i >= shared && position < 0; i--) if (entries[i]!.config !== undefined) position = i;
  if (position < 0 && shared > 0) position = lastConfigPosition(previous, shared - 1);
  Object.defineProperty(entries, LAST_CONFIG_POSITION, { value: position });
}
