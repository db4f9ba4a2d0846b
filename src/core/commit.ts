import { entryAt, lastLogIndex, termAt } from './log.js';
import { majority } from './cluster.js';
import { logOf, read, type ServerEdit } from './draft.js';
import type { Outbox } from './outbox.js';

/**
 * Leader (Figure 2, last rule for leaders): if there is an N > commitIndex such that a majority
 * of matchIndex[i] >= N and log[N].term == currentTerm, set commitIndex = N. Entries of earlier
 * terms are never committed by counting replicas (Figure 8); they commit with a current-term one.
 */
export function advanceCommitIndex(e: ServerEdit): void {
  const s = e.draft;
  const log = logOf(e);
  const matchIndex = read(e, 'matchIndex');
  const { currentTerm, commitIndex } = s;
  const needed = majority(s.clusterSize);
  for (let n = lastLogIndex(log); n > commitIndex; n--) {
    if (termAt(log, n) !== currentTerm) break; // terms only fall going back
    let replicas = 0;
    for (let i = 0; i < matchIndex.length; i++) if (matchIndex[i]! >= n) replicas++;
    if (replicas >= needed) {
      s.commitIndex = n;
      return;
    }
  }
}

/**
 * All servers: if commitIndex > lastApplied, apply log[lastApplied+1 .. commitIndex] in order
 * (lastApplied is never below lastIncludedIndex, so these entries are all in the log).
 */
export function applyCommitted(e: ServerEdit, out: Outbox): void {
  const s = e.draft;
  const { lastApplied, commitIndex } = s;
  if (lastApplied >= commitIndex) return;
  const log = logOf(e);
  for (let index = lastApplied + 1; index <= commitIndex; index++) {
    out.apply.push({ commandValid: true, command: entryAt(log, index).command, commandIndex: index });
  }
  s.lastApplied = commitIndex;
}
