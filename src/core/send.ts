import { entriesFrom, termAt } from './log.js';
import { configurationOf, logOf, read, type ServerEdit } from './draft.js';
import { othersOf } from './configuration.js';
import type { Outbox } from './outbox.js';
import type { ServerId } from './types.js';

/**
 * Leader: AppendEntries to `peer` carrying the entries from nextIndex[peer] on, at most
 * config.maxEntriesPerAppend of them (none = heartbeat); or, when the entry before nextIndex[peer]
 * is already compacted into the snapshot, InstallSnapshot with the whole snapshot (Figure 13).
 */
export function sendAppendEntries(e: ServerEdit, peer: ServerId, out: Outbox): void {
  sendAppendEntriesTo(e, [peer], out);
}

/** AppendEntries (or InstallSnapshot) to every member of the configuration in effect, voters and learners, but this server. */
export function broadcastAppendEntries(e: ServerEdit, out: Outbox): void {
  const { id } = e.draft;
  sendAppendEntriesTo(e, othersOf(configurationOf(e).config, id), out);
}

function sendAppendEntriesTo(e: ServerEdit, peers: readonly ServerId[], out: Outbox): void {
  const { id, currentTerm, commitIndex } = e.draft;
  const log = logOf(e);
  const nextIndex = read(e, 'nextIndex');
  for (const peer of peers) {
    const prevLogIndex = nextIndex[peer]! - 1;
    if (prevLogIndex < log.lastIncludedIndex) {
      out.messages.push({
        type: 'InstallSnapshot',
        from: id,
        to: peer,
        term: currentTerm,
        leaderId: id,
        lastIncludedIndex: log.lastIncludedIndex,
        lastIncludedTerm: log.lastIncludedTerm,
        data: read(e, 'snapshot'),
        ...(log.lastIncludedConfig === undefined ? {} : { lastIncludedConfig: log.lastIncludedConfig }),
      });
      continue;
    }
    out.messages.push({
      type: 'AppendEntries',
      from: id,
      to: peer,
      term: currentTerm,
      leaderId: id,
      prevLogIndex,
      prevLogTerm: termAt(log, prevLogIndex),
      entries: entriesFrom(log, prevLogIndex + 1, out.config.maxEntriesPerAppend),
      leaderCommit: commitIndex,
    });
  }
}
