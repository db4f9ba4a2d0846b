import { termAt } from './log.js';
import { majority, plainLog, type ServerDraft } from './draft.js';
import type { Outbox } from './outbox.js';

/**
 * Leader (Figure 2, last rule for leaders): if there is an N > commitIndex such that a majority
 * of matchIndex[i] >= N and log[N].term == currentTerm, set commitIndex = N. Entries of earlier
 * terms are never committed by counting replicas (Figure 8); they commit with a current-term one.
 */
export function advanceCommitIndex(s: ServerDraft): void {
  const needed = majority(s.clusterSize);
  for (let n = s.log.length; n > s.commitIndex; n--) {
    if (termAt(s.log, n) !== s.currentTerm) break; // terms only fall going back
    let replicas = 0;
    for (const m of s.matchIndex) if (m >= n) replicas++;
    if (replicas >= needed) {
      s.commitIndex = n;
      return;
    }
  }
}

/** All servers: if commitIndex > lastApplied, apply log[lastApplied+1 .. commitIndex] in order. */
export function applyCommitted(s: ServerDraft, out: Outbox): void {
  if (s.lastApplied >= s.commitIndex) return;
  const log = plainLog(s);
  while (s.lastApplied < s.commitIndex) {
    s.lastApplied += 1;
    out.apply.push({ commandValid: true, command: log[s.lastApplied - 1]!.command, commandIndex: s.lastApplied });
  }
}
