import { entriesFrom, termAt } from './log.js';
import { peersOf } from './cluster.js';
import { read, type ServerEdit } from './draft.js';
import type { Outbox } from './outbox.js';
import type { ServerId } from './types.js';

/**
 * Leader: AppendEntries to `peer` carrying the entries from nextIndex[peer] on, at most
 * config.maxEntriesPerAppend of them (none = heartbeat).
 */
export function sendAppendEntries(e: ServerEdit, peer: ServerId, out: Outbox): void {
  sendAppendEntriesTo(e, [peer], out);
}

export function broadcastAppendEntries(e: ServerEdit, out: Outbox): void {
  const s = e.draft;
  sendAppendEntriesTo(e, peersOf(s.id, s.clusterSize), out);
}

function sendAppendEntriesTo(e: ServerEdit, peers: readonly ServerId[], out: Outbox): void {
  const { id, currentTerm, commitIndex } = e.draft;
  const log = read(e, 'log');
  const nextIndex = read(e, 'nextIndex');
  for (const peer of peers) {
    const prevLogIndex = nextIndex[peer]! - 1;
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
