import { entryAt, lastLogIndex, termAt } from './log.js';
import { configurationOf, logOf, read, type ServerEdit } from './draft.js';
import { voterQuorum } from './configuration.js';
import type { Outbox } from './outbox.js';

/**
 * Leader (Figure 2, last rule for leaders): if there is an N > commitIndex such that a majority
 * of matchIndex[i] >= N and log[N].term == currentTerm, set commitIndex = N. Entries of earlier
 * terms are never committed by counting replicas (Figure 8); they commit with a current-term one.
 * The majority is of the voters of the configuration in effect (thesis §4.1), so the leader
 * counts itself only while it is a voter.
 */
export function advanceCommitIndex(e: ServerEdit): void {
  const s = e.draft;
  const log = logOf(e);
  const matchIndex = read(e, 'matchIndex');
  const { currentTerm, commitIndex } = s;
  for (let n = lastLogIndex(log); n > commitIndex; n--) {
    if (termAt(log, n) !== currentTerm) break; // terms only fall going back
    const { config } = configurationOf(e); // only once an entry could commit
    const { voters } = config;
    let replicas = 0;
    for (let i = 0; i < voters.length; i++) if (matchIndex[voters[i]!]! >= n) replicas++;
    if (replicas >= voterQuorum(config)) {
      s.commitIndex = n;
      e.leaderCommitted = true;
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
    const entry = entryAt(log, index);
    if (entry.config !== undefined || entry.noop === true) {
      // Not a command: the configuration (or a no-op's null), so each index is applied once, in order.
      out.apply.push({ configValid: true, configIndex: index, config: entry.config ?? null, context: entry.command });
    } else {
      out.apply.push({ commandValid: true, command: entry.command, commandIndex: index });
    }
  }
  s.lastApplied = commitIndex;
}
