import type { Draft } from 'immer';
import type { LogEntry, LogIndex, RaftState } from './types.js';

/**
 * How handlers see a server's state inside the step's immer recipe: a ServerEdit, handed to
 * every handler explicitly (no module state: the edit is a value of the step that made it).
 *
 * Scalars (currentTerm, votedFor, role, commitIndex, ...) are read and written on `e.draft` as
 * usual. The array fields are left out of its type on purpose, so the compiler rejects
 * `e.draft.log`, `e.draft.matchIndex[i]`, ...: handlers read them with `read(e, 'log')` (the
 * current array, plain, never a draft) and change them with `write`, `writeAt`, `empty`,
 * `replaceLogFrom` or `appendToLog` (a new plain array assigned to the draft, never an edit in
 * place).
 *
 * Why: immer drafts an array the first time it is read through a draft (a proxy, and a shallow
 * copy of it on first element access), and every entry read through that draft is drafted in
 * turn; all of it is walked again when the step finalizes. A step reads log entries and
 * matchIndex/nextIndex many times and edits them rarely, so reading them plain and replacing
 * them whole keeps each step to the one root draft, whose changed scalars immer finalizes.
 */
export type ArrayField = 'log' | 'votesGranted' | 'nextIndex' | 'matchIndex' | 'recentActive';
export type ServerDraft = Omit<Draft<RaftState>, ArrayField>;

/** The per-server arrays (indexed by server id): votesGranted, nextIndex, matchIndex, recentActive. */
export type PerServerField = Exclude<ArrayField, 'log'>;

type Arrays = { -readonly [K in ArrayField]: RaftState[K] };

/** One step's edit of a server: the root draft, and beside it the array fields it holds. */
export interface ServerEdit {
  /** The scalars, read and written in place (a root immer draft). */
  readonly draft: ServerDraft;
  /**
   * The current array fields: the base state's arrays at the start, then whatever was assigned.
   * They only mirror what the draft holds, so reading them never drafts anything.
   */
  readonly arrays: Arrays;
  /** The least index `replaceLogFrom` rewrote from (Infinity: the log is untouched); every entry below it is the base log's own object. */
  logRewrittenFrom: LogIndex;
}

/**
 * The edit of the root draft of `base`, for the body of the step's immer recipe. Its
 * logRewrittenFrom, read at the end, lets the persist effect skip comparing the shared prefix
 * entry by entry.
 */
export function newServerEdit(draft: Draft<RaftState>, base: RaftState): ServerEdit {
  return {
    draft,
    arrays: { log: base.log, votesGranted: base.votesGranted, nextIndex: base.nextIndex, matchIndex: base.matchIndex, recentActive: base.recentActive },
    logRewrittenFrom: Infinity,
  };
}

/**
 * The current value of an array field, as plain values shared with the states (not drafts), so
 * it may go into messages and apply records that outlive the recipe. O(1).
 */
export function read<K extends ArrayField>(e: ServerEdit, field: K): Arrays[K] {
  return e.arrays[field];
}

/**
 * Replaces a per-server array with `value` (a new plain array; never edited afterwards). The log
 * has its own edit, replaceLogFrom.
 */
export function write<K extends PerServerField>(e: ServerEdit, field: K, value: Arrays[K]): void {
  assign(e, field, value);
}

function assign<K extends ArrayField>(e: ServerEdit, field: K, value: Arrays[K]): void {
  e.arrays[field] = value;
  // Named stores: V8 sends a store to a proxy under a varying key (`draft[field] = value`)
  // through its slow generic path, several times the cost of the trap call itself.
  const draft = e.draft as unknown as Arrays;
  switch (field) {
    case 'log': draft.log = value as Arrays['log']; break;
    case 'votesGranted': draft.votesGranted = value as Arrays['votesGranted']; break;
    case 'nextIndex': draft.nextIndex = value as Arrays['nextIndex']; break;
    case 'matchIndex': draft.matchIndex = value as Arrays['matchIndex']; break;
    case 'recentActive': draft.recentActive = value as Arrays['recentActive']; break;
  }
}

/**
 * Sets entry `i` of a per-server array to `value`: nothing at all when it already holds that
 * value (so an unchanged state stays the same object, as with immer's own assignment), else a
 * copy with that entry changed.
 */
export function writeAt<K extends PerServerField>(e: ServerEdit, field: K, i: number, value: Arrays[K][number]): void {
  const current = read(e, field);
  if (Object.is(current[i], value)) return;
  const next: unknown[] = [...current];
  next[i] = value;
  write(e, field, next as Arrays[K]);
}

/** Empties a per-server array (leaves it alone when it is empty already). */
export function empty(e: ServerEdit, field: PerServerField): void {
  if (read(e, field).length > 0) write(e, field, []);
}

/**
 * Figure 2's log edit: the entries from `index` on (1-based; lastLogIndex + 1 appends) are
 * replaced by `entries`. The log becomes a new plain array (see ServerDraft for why never in
 * place), frozen here with the added entries, as immer's autoFreeze would freeze them: immer then
 * skips them when finalizing, and the log is immutable whatever the autoFreeze setting.
 * (Copied by spreading: V8 spreads a frozen array quickly, but slices it in its slow path.)
 */
export function replaceLogFrom(e: ServerEdit, index: LogIndex, entries: readonly LogEntry[]): void {
  const log = read(e, 'log');
  if (!(index >= 1 && index <= log.length + 1)) throw new RangeError(`pure-raft: log index ${index} outside 1..${log.length + 1}`);
  for (let i = 0; i < entries.length; i++) freezeDeep(entries[i]);
  let kept = log;
  if (index - 1 < log.length) {
    const prefix = [...log];
    prefix.length = index - 1;
    kept = prefix;
  }
  const next = [...kept, ...entries];
  e.logRewrittenFrom = Math.min(e.logRewrittenFrom, index);
  assign(e, 'log', Object.freeze(next));
}

/** Appends `entries` to the log (replaceLogFrom lastLogIndex + 1). */
export function appendToLog(e: ServerEdit, entries: readonly LogEntry[]): void {
  replaceLogFrom(e, read(e, 'log').length + 1, entries);
}

/** Freezes plain objects and arrays, deeply (what immer's autoFreeze freezes). */
function freezeDeep(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  const proto: unknown = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return;
  Object.freeze(value);
  for (const child of Object.values(value)) freezeDeep(child);
}
