import type { LogEntry, LogIndex, LogView, Term } from './types.js';

/**
 * Helpers over a Raft log by absolute index (1-based). A LogView holds the entries after its
 * snapshot: entry `i` is `log[i - lastIncludedIndex - 1]`, and the entries up to
 * lastIncludedIndex exist only in the snapshot (their terms and commands are gone, except the
 * last one's term, lastIncludedTerm).
 */

export function lastLogIndex(v: LogView): LogIndex {
  return v.lastIncludedIndex + v.log.length;
}

/**
 * Term of the entry at `index`: lastIncludedTerm at lastIncludedIndex (0 for index 0), 0 past
 * the end. An index inside the snapshot has no term left to read: a RangeError (a caller's bug).
 */
export function termAt(v: LogView, index: LogIndex): Term {
  const base = v.lastIncludedIndex;
  if (index === base) return v.lastIncludedTerm;
  if (index < base) throw new RangeError(`pure-raft: log index ${index} is inside the snapshot (lastIncludedIndex ${base})`);
  if (index > base + v.log.length) return 0;
  return v.log[index - base - 1]!.term;
}

/** The entry at `index`, which must be after the snapshot and at most lastLogIndex. */
export function entryAt(v: LogView, index: LogIndex): LogEntry {
  const entry = v.log[index - v.lastIncludedIndex - 1];
  if (entry === undefined || index <= v.lastIncludedIndex) throw new RangeError(`pure-raft: no log entry at ${index} (entries ${v.lastIncludedIndex + 1}..${lastLogIndex(v)})`);
  return entry;
}

export function lastLogTerm(v: LogView): Term {
  return termAt(v, lastLogIndex(v));
}

/**
 * First index holding an entry of `term`, searching back from `index` (which has that term),
 * never below the first entry after the snapshot.
 */
export function firstIndexOfTerm(v: LogView, term: Term, index: LogIndex): LogIndex {
  let first = index;
  while (first - 1 > v.lastIncludedIndex && termAt(v, first - 1) === term) first--;
  return first;
}

/**
 * Last index holding an entry of `term` (lastIncludedIndex when only the snapshot's last entry
 * has it), or 0 when none that is known has it.
 */
export function lastIndexOfTerm(v: LogView, term: Term): LogIndex {
  for (let i = lastLogIndex(v); i >= v.lastIncludedIndex; i--) {
    if (i === 0) return 0;
    const t = termAt(v, i);
    if (t === term) return i;
    if (t < term) return 0;
  }
  return 0;
}

/**
 * Raft's "at least as up-to-date" (§5.4.1): the later last term wins; with equal last terms
 * the longer log wins.
 */
export function isAtLeastAsUpToDate(candidateLastLogTerm: Term, candidateLastLogIndex: LogIndex, v: LogView): boolean {
  const myLastTerm = lastLogTerm(v);
  if (candidateLastLogTerm !== myLastTerm) return candidateLastLogTerm > myLastTerm;
  return candidateLastLogIndex >= lastLogIndex(v);
}

/**
 * First absolute index after `after`'s snapshot where the two logs differ (by entry identity or
 * term/command), or the lesser lastLogIndex + 1 (never below after.lastIncludedIndex + 1).
 * `from` (default 1) skips a prefix known to hold the very same entry objects in both logs.
 * `after`'s snapshot is never older than `before`'s (lastIncludedIndex never goes back).
 */
export function firstDifference(before: LogView, after: LogView, from: LogIndex = 1): LogIndex {
  const start = Math.max(from, after.lastIncludedIndex + 1, 1);
  const end = Math.min(lastLogIndex(before), lastLogIndex(after));
  for (let i = start; i <= end; i++) {
    const a = entryAt(before, i);
    const b = entryAt(after, i);
    if (a !== b && (a.term !== b.term || a.command !== b.command)) return i;
  }
  return Math.max(end + 1, after.lastIncludedIndex + 1);
}

/**
 * The entries from `index` (> lastIncludedIndex) on, at most `max` of them, as a new array
 * (written out because V8 (Node 20) slices a frozen array, as logs and messages often are, in
 * its slow path: ~0.5 us plus ~0.1 us per entry).
 */
export function entriesFrom(v: LogView, index: LogIndex, max = Infinity): LogEntry[] {
  return entriesOf(v.log, index - v.lastIncludedIndex, max);
}

/** The array entries from 1-based position `position` on, at most `max` of them (a plain slice). */
export function entriesOf(entries: readonly LogEntry[], position: number, max = Infinity): LogEntry[] {
  if (position < 1) throw new RangeError(`pure-raft: entries from position ${position}`);
  const out: LogEntry[] = [];
  const end = Math.min(entries.length, position - 1 + max);
  for (let i = position - 1; i < end; i++) out.push(entries[i]!);
  return out;
}
