import type { LogEntry, LogIndex, Term } from './types.js';

/** Helpers over a 1-based Raft log stored in a 0-based array. */

export function lastLogIndex(log: readonly LogEntry[]): LogIndex {
  return log.length;
}

/** Term of the entry at `index`; 0 for index 0 (before the first entry) and past the end. */
export function termAt(log: readonly LogEntry[], index: LogIndex): Term {
  if (index < 1 || index > log.length) return 0;
  return log[index - 1]!.term;
}

export function lastLogTerm(log: readonly LogEntry[]): Term {
  return termAt(log, log.length);
}

/** First index holding an entry of `term`, searching back from `index` (which has that term). */
export function firstIndexOfTerm(log: readonly LogEntry[], term: Term, index: LogIndex): LogIndex {
  let first = index;
  while (first > 1 && termAt(log, first - 1) === term) first--;
  return first;
}

/** Last index holding an entry of `term`, or 0 when the log has none. */
export function lastIndexOfTerm(log: readonly LogEntry[], term: Term): LogIndex {
  for (let i = log.length; i >= 1; i--) {
    const t = termAt(log, i);
    if (t === term) return i;
    if (t < term) return 0;
  }
  return 0;
}

/**
 * Raft's "at least as up-to-date" (§5.4.1): the later last term wins; with equal last terms
 * the longer log wins.
 */
export function isAtLeastAsUpToDate(
  candidateLastLogTerm: Term,
  candidateLastLogIndex: LogIndex,
  log: readonly LogEntry[],
): boolean {
  const myLastTerm = lastLogTerm(log);
  if (candidateLastLogTerm !== myLastTerm) return candidateLastLogTerm > myLastTerm;
  return candidateLastLogIndex >= lastLogIndex(log);
}

/**
 * First index where two logs differ (by entry identity or term/command), or min length + 1.
 * `from` (default 1) skips a prefix known to hold the very same entry objects in both logs.
 */
export function firstDifference(before: readonly LogEntry[], after: readonly LogEntry[], from: LogIndex = 1): LogIndex {
  const n = Math.min(before.length, after.length);
  for (let i = Math.max(from, 1) - 1; i < n; i++) {
    const a = before[i]!;
    const b = after[i]!;
    if (a !== b && (a.term !== b.term || a.command !== b.command)) return i + 1;
  }
  return n + 1;
}

/**
 * The entries from `index` (>= 1) on, as a new array: `log.slice(index - 1)`, written out because
 * V8 (Node 20) slices a frozen array, as logs and messages often are, in its slow path (~0.5 us
 * plus ~0.1 us per entry).
 */
export function entriesFrom(log: readonly LogEntry[], index: LogIndex, max = Infinity): LogEntry[] {
  const entries: LogEntry[] = [];
  const end = Math.min(log.length, index - 1 + max);
  for (let i = index - 1; i < end; i++) entries.push(log[i]!);
  return entries;
}
