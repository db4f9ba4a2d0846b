import type { Draft } from 'immer';
import type { LogEntry, LogIndex, RaftState } from './types.js';

/**
 * How handlers see a server's state inside the step's immer recipe.
 *
 * Scalars (currentTerm, votedFor, role, commitIndex, ...) are read and written on the draft as
 * usual. The array fields are left out of this type on purpose, so the compiler rejects
 * `s.log`, `s.matchIndex[i]`, ...: handlers read them with `read(s, 'log')` (the current array,
 * plain, never a draft) and change them with `write`, `writeAt`, `empty`, `replaceLogFrom` or
 * `appendToLog` (a new plain array assigned to the draft, never an edit in place).
 *
 * Why: immer drafts an array the first time it is read through a draft (a proxy, and a shallow
 * copy of it on first element access), and every entry read through that draft is drafted in
 * turn; all of it is walked again when the step finalizes. A step reads log entries and
 * matchIndex/nextIndex many times and edits them rarely, so reading them plain and replacing
 * them whole keeps each step to the one root draft, whose changed scalars immer finalizes.
 */
export type ArrayField = 'log' | 'votesGranted' | 'nextIndex' | 'matchIndex';
export type ServerDraft = Omit<Draft<RaftState>, ArrayField>;

/** The per-server arrays (indexed by server id): votesGranted, nextIndex, matchIndex. */
export type PerServerField = Exclude<ArrayField, 'log'>;

type Arrays = { -readonly [K in ArrayField]: RaftState[K] };

/** What an edit of a server draft keeps beside the draft itself. */
interface Edit {
  readonly draft: ServerDraft;
  /** The current array fields: the base state's arrays at the start, then whatever was assigned. */
  readonly arrays: Arrays;
  /** The least index `replaceLogFrom` rewrote from; every entry below it is the base log's own object. */
  logRewrittenFrom: LogIndex;
}

/**
 * The edit in progress (a step's recipe is synchronous and steps do not nest, but an inner one
 * would restore the outer on return). What it holds only mirrors what the draft holds; reading it
 * never drafts anything.
 */
let editing: Edit | undefined;

/**
 * Runs `edit` on the handlers' view of the root draft of `base` (see ServerDraft): the body of
 * the step's immer recipe. Returns the least log index the edit may have rewritten (Infinity when
 * it left the log alone), so the persist effect need not compare the shared prefix entry by entry.
 */
export function editServer(draft: Draft<RaftState>, base: RaftState, edit: (s: ServerDraft) => void): LogIndex {
  const outer = editing;
  const e: Edit = {
    draft,
    arrays: { log: base.log, votesGranted: base.votesGranted, nextIndex: base.nextIndex, matchIndex: base.matchIndex },
    logRewrittenFrom: Infinity,
  };
  editing = e;
  try {
    edit(draft);
  } finally {
    editing = outer;
  }
  return e.logRewrittenFrom;
}

function editOf(s: ServerDraft): Edit {
  const e = editing;
  if (e === undefined || e.draft !== s) throw new Error('pure-raft: not the server draft being edited (handlers run only inside step)');
  return e;
}

/**
 * The current value of an array field, as plain values shared with the states (not drafts), so
 * it may go into messages and apply records that outlive the recipe. O(1).
 */
export function read<K extends ArrayField>(s: ServerDraft, field: K): Arrays[K] {
  return editOf(s).arrays[field];
}

/**
 * Replaces a per-server array with `value` (a new plain array; never edited afterwards). The log
 * has its own edit, replaceLogFrom.
 */
export function write<K extends PerServerField>(s: ServerDraft, field: K, value: Arrays[K]): void {
  assign(editOf(s), s, field, value);
}

function assign<K extends ArrayField>(e: Edit, s: ServerDraft, field: K, value: Arrays[K]): void {
  e.arrays[field] = value;
  // Named stores: V8 sends a store to a proxy under a varying key (`draft[field] = value`)
  // through its slow generic path, several times the cost of the trap call itself.
  const draft = s as unknown as Arrays;
  switch (field) {
    case 'log': draft.log = value as Arrays['log']; break;
    case 'votesGranted': draft.votesGranted = value as Arrays['votesGranted']; break;
    case 'nextIndex': draft.nextIndex = value as Arrays['nextIndex']; break;
    case 'matchIndex': draft.matchIndex = value as Arrays['matchIndex']; break;
  }
}

/**
 * Sets entry `i` of a per-server array to `value`: nothing at all when it already holds that
 * value (so an unchanged state stays the same object, as with immer's own assignment), else a
 * copy with that entry changed.
 */
export function writeAt<K extends PerServerField>(s: ServerDraft, field: K, i: number, value: Arrays[K][number]): void {
  const current = read(s, field);
  if (Object.is(current[i], value)) return;
  const next: unknown[] = [...current];
  next[i] = value;
  write(s, field, next as Arrays[K]);
}

/** Empties a per-server array (leaves it alone when it is empty already). */
export function empty(s: ServerDraft, field: PerServerField): void {
  if (read(s, field).length > 0) write(s, field, []);
}

/**
 * Figure 2's log edit: the entries from `index` on (1-based; lastLogIndex + 1 appends) are
 * replaced by `entries`. The log becomes a new plain array (see ServerDraft for why never in
 * place), frozen here with the added entries, as immer's autoFreeze would freeze them: immer then
 * skips them when finalizing, and the log is immutable whatever the autoFreeze setting.
 * (Copied by spreading: V8 spreads a frozen array quickly, but slices it in its slow path.)
 */
export function replaceLogFrom(s: ServerDraft, index: LogIndex, entries: readonly LogEntry[]): void {
  const log = read(s, 'log');
  if (!(index >= 1 && index <= log.length + 1)) throw new RangeError(`pure-raft: log index ${index} outside 1..${log.length + 1}`);
  for (let i = 0; i < entries.length; i++) freezeDeep(entries[i]);
  let kept = log;
  if (index - 1 < log.length) {
    const prefix = [...log];
    prefix.length = index - 1;
    kept = prefix;
  }
  const next = [...kept, ...entries];
  const e = editOf(s);
  e.logRewrittenFrom = Math.min(e.logRewrittenFrom, index);
  assign(e, s, 'log', Object.freeze(next));
}

/** Appends `entries` to the log (replaceLogFrom lastLogIndex + 1). */
export function appendToLog(s: ServerDraft, entries: readonly LogEntry[]): void {
  replaceLogFrom(s, read(s, 'log').length + 1, entries);
}

/** Freezes plain objects and arrays, deeply (what immer's autoFreeze freezes). */
function freezeDeep(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  const proto: unknown = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return;
  Object.freeze(value);
  for (const child of Object.values(value)) freezeDeep(child);
}
