import { termAt } from './log.js';
import { peersOf, plainLog, type ServerDraft } from './draft.js';
import type { Outbox } from './outbox.js';
import type { ServerId } from './types.js';

/** Leader: AppendEntries to `peer` carrying every entry from nextIndex[peer] on (empty = heartbeat). */
export function sendAppendEntries(s: ServerDraft, peer: ServerId, out: Outbox): void {
  const prevLogIndex = s.nextIndex[peer]! - 1;
  const log = plainLog(s);
  out.messages.push({
    type: 'AppendEntries',
    from: s.id,
    to: peer,
    term: s.currentTerm,
    leaderId: s.id,
    prevLogIndex,
    prevLogTerm: termAt(log, prevLogIndex),
    entries: log.slice(prevLogIndex),
    leaderCommit: s.commitIndex,
  });
}

export function broadcastAppendEntries(s: ServerDraft, out: Outbox): void {
  for (const peer of peersOf(s)) sendAppendEntries(s, peer, out);
}
