import { entriesFrom, termAt } from './log.js';
import { peersOf } from './cluster.js';
import { read, type ServerDraft } from './draft.js';
import type { Outbox } from './outbox.js';
import type { ServerId } from './types.js';

/**
 * Leader: AppendEntries to `peer` carrying the entries from nextIndex[peer] on, at most
 * config.maxEntriesPerAppend of them (none = heartbeat).
 */
export function sendAppendEntries(s: ServerDraft, peer: ServerId, out: Outbox): void {
  sendAppendEntriesTo(s, [peer], out);
}

export function broadcastAppendEntries(s: ServerDraft, out: Outbox): void {
  sendAppendEntriesTo(s, peersOf(s.id, s.clusterSize), out);
}

function sendAppendEntriesTo(s: ServerDraft, peers: readonly ServerId[], out: Outbox): void {
  const { id, currentTerm, commitIndex } = s;
  const log = read(s, 'log');
  const nextIndex = read(s, 'nextIndex');
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
