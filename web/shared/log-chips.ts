import { lastLogIndex, type LogEntry, type LogView } from '../../src/core/index.js';
import { snapshotText } from './format.js';

/** What a log view draws, as data (no DOM): web/shared/log-view.ts renders it. */

export interface LogViewOptions {
  /** Entries at or below it are drawn committed (solid), the rest tentative (dashed). */
  readonly commitIndex?: number;
  /** Log indices (absolute, 1-based) to outline in red: the entries an invariant is about (inside the snapshot: the snapshot block). */
  readonly highlight?: ReadonlySet<number>;
  /** Entries an invariant says belong at an index (absolute): past the end of the log they are drawn as missing. */
  readonly expected?: ReadonlyMap<number, LogEntry>;
  /** The same log one step earlier: entries (and a snapshot) that differ from it are marked new. */
  readonly previous?: LogView;
  /** Shown for an empty log. */
  readonly emptyText?: string;
}

/** One chip of a drawn log, in order: the snapshot block, the entries after it, entries an invariant says are missing. */
export type LogChip =
  | { readonly kind: 'snapshot'; readonly lastIncludedIndex: number; readonly lastIncludedTerm: number; readonly text: string; readonly isNew: boolean; readonly culprit: boolean }
  | { readonly kind: 'entry'; readonly index: number; readonly entry: LogEntry; readonly committed: boolean; readonly isNew: boolean; readonly culprit: boolean; readonly expected: LogEntry | undefined }
  | { readonly kind: 'missing'; readonly index: number; readonly entry: LogEntry };

/** The entry at absolute index `i` of a view, or undefined when it is compacted or past the end. */
const entryOf = (v: LogView, i: number): LogEntry | undefined => (i > v.lastIncludedIndex ? v.log[i - v.lastIncludedIndex - 1] : undefined);

/**
 * What a log view draws, without the DOM: when the log is compacted, one block for its snapshot
 * ("snapshot ..7 (term 2)": the entries up to lastIncludedIndex, committed by definition), then
 * one chip per entry after it at its absolute index, then the missing ones.
 */
export function logChips(view: LogView, options: LogViewOptions = {}): LogChip[] {
  const { log, lastIncludedIndex: base, lastIncludedTerm } = view;
  const commit = options.commitIndex ?? 0;
  const prev = options.previous;
  const out: LogChip[] = [];
  if (base > 0) {
    out.push({
      kind: 'snapshot', lastIncludedIndex: base, lastIncludedTerm, text: snapshotText(view),
      isNew: prev !== undefined && (prev.lastIncludedIndex !== base || prev.lastIncludedTerm !== lastIncludedTerm),
      culprit: [...(options.highlight ?? [])].some((i) => i >= 1 && i <= base),
    });
  }
  log.forEach((entry, i) => {
    const index = base + i + 1;
    // An entry the earlier log had compacted was there before (in its snapshot): not new.
    const before = prev === undefined ? undefined : entryOf(prev, index);
    const isNew = prev !== undefined && index > prev.lastIncludedIndex && (before === undefined || before.term !== entry.term || before.command !== entry.command);
    out.push({ kind: 'entry', index, entry, committed: index <= commit, isNew, culprit: options.highlight?.has(index) ?? false, expected: options.expected?.get(index) });
  });
  const last = lastLogIndex(view);
  for (const [index, entry] of [...(options.expected ?? new Map<number, LogEntry>()).entries()].sort(([a], [b]) => a - b)) {
    if (index > last) out.push({ kind: 'missing', index, entry });
  }
  return out;
}
