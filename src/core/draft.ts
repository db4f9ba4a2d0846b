import type { Draft } from 'immer';
import { lastLogIndex } from './log.js';
import { latestConfiguration, type ConfigurationAt } from './configuration.js';
import { noteLastConfigPosition } from './configPosition.js';
import type { Configuration, LogEntry, LogIndex, LogView, RaftState, Term } from './types.js';

/**
 * How handlers see a server's state inside the step's immer recipe: a ServerEdit, handed to
 * every handler explicitly (no module state: the edit is a value of the step that made it).
 *
 * Scalars (currentTerm, votedFor, role, commitIndex, ...) are read and written on `e.draft` as
 * usual. The array fields and the snapshot are left out of its type on purpose, so the compiler
 * rejects `e.draft.log`, `e.draft.matchIndex[i]`, ...: handlers read them with `read(e, 'log')`
 * (the current value, plain, never a draft) or the log as a whole with `logOf(e)`, and change
 * them with `write`, `writeAt`, `empty`, `replaceLogFrom`, `appendToLog` or `installLog` (a new
 * plain value assigned to the draft, never an edit in place). The snapshot is the service's
 * value: a draft of it must never leave the recipe inside a message.
 *
 * Why: immer drafts an array the first time it is read through a draft (a proxy, and a shallow
 * copy of it on first element access), and every entry read through that draft is drafted in
 * turn; all of it is walked again when the step finalizes. A step reads log entries and
 * matchIndex/nextIndex many times and edits them rarely, so reading them plain and replacing
 * them whole keeps each step to the one root draft, whose changed scalars immer finalizes.
 */
export type PlainField = 'log' | 'snapshot' | 'votesGranted' | 'nextIndex' | 'matchIndex' | 'recentActive';
/**
 * The configurations are left out too (read them with configurationOf, or logOf(e).lastIncludedConfig):
 * reading one through the draft would draft it.
 */
export type ServerDraft = Omit<Draft<RaftState>, PlainField | 'lastIncludedConfig' | 'bootstrapConfig'>;

/** The log as a step sees it: LogView, and the configuration its snapshot compacted. */
export interface EditLogView extends LogView {
  readonly lastIncludedConfig?: Configuration;
}

/** The per-server arrays (indexed by server id): votesGranted, nextIndex, matchIndex, recentActive. */
export type PerServerField = Exclude<PlainField, 'log' | 'snapshot'>;

type Arrays = { -readonly [K in PlainField]: RaftState[K] };

/** One step's edit of a server: the root draft, and beside it the array fields it holds. */
export interface ServerEdit {
  /** The scalars, read and written in place (a root immer draft). */
  readonly draft: ServerDraft;
  /**
   * The current plain fields: the base state's values at the start, then whatever was assigned.
   * They only mirror what the draft holds, so reading them never drafts anything.
   */
  readonly arrays: Arrays;
  /**
   * The log as it stands (logOf): the base state itself at the start, a new view whenever
   * replaceLogFrom or installLog changes it, so reading the log never goes through the draft.
   */
  logView: EditLogView;
  /** The base state's bootstrapConfig (it never changes). */
  readonly bootstrapConfig: Configuration | undefined;
  /**
   * The configuration in effect and its entry's index, computed the first time a step needs it
   * (configurationOf) and forgotten when the log changes in a way that may change it.
   */
  inEffect: ConfigurationAt | undefined;
  /** A leader's commitIndex rose in this step (advanceCommitIndex): the step then checks whether it removed itself. */
  leaderCommitted: boolean;
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
    arrays: { log: base.log, snapshot: base.snapshot, votesGranted: base.votesGranted, nextIndex: base.nextIndex, matchIndex: base.matchIndex, recentActive: base.recentActive },
    logView: base,
    bootstrapConfig: base.bootstrapConfig,
    inEffect: undefined,
    leaderCommitted: false,
    logRewrittenFrom: Infinity,
  };
}

/**
 * The current value of an array field, as plain values shared with the states (not drafts), so
 * it may go into messages and apply records that outlive the recipe. O(1).
 */
export function read<K extends PlainField>(e: ServerEdit, field: K): Arrays[K] {
  return e.arrays[field];
}

/** The log as it stands in this step (the plain entries and the snapshot's index and term), for log.ts. O(1). */
export function logOf(e: ServerEdit): EditLogView {
  return e.logView;
}

/**
 * The configuration in effect on this server as the log stands now (configuration.ts), and the
 * index of its entry (0: not in the log). Computed once per step and log change.
 */
export function configurationOf(e: ServerEdit): ConfigurationAt {
  if (e.inEffect === undefined) {
    const v = e.logView;
    e.inEffect = latestConfiguration(v, v.lastIncludedConfig, e.bootstrapConfig, e.draft.clusterSize);
  }
  return e.inEffect;
}

/**
 * Replaces a per-server array with `value` (a new plain array; never edited afterwards). The log
 * has its own edit, replaceLogFrom.
 */
export function write<K extends PerServerField>(e: ServerEdit, field: K, value: Arrays[K]): void {
  assign(e, field, value);
}

function assign<K extends PlainField>(e: ServerEdit, field: K, value: Arrays[K]): void {
  e.arrays[field] = value;
  // Named stores: V8 sends a store to a proxy under a varying key (`draft[field] = value`)
  // through its slow generic path, several times the cost of the trap call itself.
  const draft = e.draft as unknown as Arrays;
  switch (field) {
    case 'log': draft.log = value as Arrays['log']; break;
    case 'snapshot': draft.snapshot = value; break;
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
 * Figure 2's log edit: the entries from absolute `index` on (after the snapshot; lastLogIndex + 1
 * appends) are replaced by `entries`. The log becomes a new plain array (see ServerDraft for why never in
 * place), frozen here with the added entries, as immer's autoFreeze would freeze them: immer then
 * skips them when finalizing, and the log is immutable whatever the autoFreeze setting.
 * (Copied by spreading: V8 spreads a frozen array quickly, but slices it in its slow path.)
 */
export function replaceLogFrom(e: ServerEdit, index: LogIndex, entries: readonly LogEntry[]): void {
  const view = logOf(e);
  const { log, lastIncludedIndex: base, lastIncludedTerm } = view;
  if (!(index > base && index <= base + log.length + 1)) throw new RangeError(`pure-raft: log index ${index} outside ${base + 1}..${base + log.length + 1}`);
  let addsConfig = false;
  for (let i = 0; i < entries.length; i++) {
    freezeDeep(entries[i]);
    if (entries[i]!.config !== undefined) addsConfig = true;
  }
  // The configuration in effect changes when a configuration entry is added or cut off.
  if (e.inEffect !== undefined && (addsConfig || index <= e.inEffect.index)) e.inEffect = undefined;
  let kept = log;
  if (index - base - 1 < log.length) {
    const prefix = [...log];
    prefix.length = index - base - 1;
    kept = prefix;
  }
  const next = [...kept, ...entries];
  noteLastConfigPosition(next, log, kept.length);
  e.logRewrittenFrom = Math.min(e.logRewrittenFrom, index);
  const frozen = Object.freeze(next);
  assign(e, 'log', frozen);
  e.logView = withConfig({ log: frozen, lastIncludedIndex: base, lastIncludedTerm }, view.lastIncludedConfig);
}

function withConfig(v: LogView, lastIncludedConfig: Configuration | undefined): EditLogView {
  return lastIncludedConfig === undefined ? v : { ...v, lastIncludedConfig };
}

/** Appends `entries` to the log (replaceLogFrom lastLogIndex + 1). */
export function appendToLog(e: ServerEdit, entries: readonly LogEntry[]): void {
  replaceLogFrom(e, lastLogIndex(logOf(e)) + 1, entries);
}

/**
 * Figure 13's log edit: the snapshot `snapshot` now stands for every entry up to
 * `lastIncludedIndex` (of term `lastIncludedTerm`; `lastIncludedConfig` the configuration in
 * effect there, undefined: none compacted), and `entries` (the very entry objects kept from the
 * log, or none) follow it. lastIncludedIndex only grows.
 */
export function installLog(
  e: ServerEdit, lastIncludedIndex: LogIndex, lastIncludedTerm: Term, snapshot: unknown, entries: readonly LogEntry[],
  lastIncludedConfig: Configuration | undefined,
): void {
  const s = e.draft;
  const before = logOf(e).lastIncludedIndex;
  if (!(lastIncludedIndex > before)) throw new RangeError(`pure-raft: snapshot at ${lastIncludedIndex} does not follow the one at ${before}`);
  s.lastIncludedIndex = lastIncludedIndex;
  s.lastIncludedTerm = lastIncludedTerm;
  assign(e, 'snapshot', snapshot);
  const draft = e.draft as { lastIncludedConfig?: Configuration };
  if (lastIncludedConfig === undefined) {
    if (logOf(e).lastIncludedConfig !== undefined) delete draft.lastIncludedConfig;
  } else if (lastIncludedConfig !== logOf(e).lastIncludedConfig) {
    freezeDeep(lastIncludedConfig);
    draft.lastIncludedConfig = lastIncludedConfig;
  }
  const kept = [...entries];
  noteLastConfigPosition(kept);
  const log = Object.freeze(kept);
  assign(e, 'log', log);
  e.logView = withConfig({ log, lastIncludedIndex, lastIncludedTerm }, lastIncludedConfig);
  e.inEffect = undefined;
}

/** Freezes plain objects and arrays, deeply (what immer's autoFreeze freezes). */
function freezeDeep(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  const proto: unknown = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return;
  Object.freeze(value);
  for (const child of Object.values(value)) freezeDeep(child);
}
