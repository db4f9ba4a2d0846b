import { advanceCommitIndex } from './commit.js';
import { lastLogIndex } from './log.js';
import { appendToLog, read, writeAt, type ServerDraft } from './draft.js';
import type { Outbox } from './outbox.js';
import { becomeCandidate } from './roles.js';
import { broadcastAppendEntries } from './send.js';

/** Followers and candidates: no word from a leader and no vote granted for a whole timeout. */
export function handleElectionTimeout(s: ServerDraft, out: Outbox): void {
  if (s.role === 'leader') return; // a leader's authority is renewed by its own heartbeats
  becomeCandidate(s, out);
}

/** Leader: AppendEntries to every peer (heartbeat, carrying any entries the peer lacks). */
export function handleHeartbeatTick(s: ServerDraft, out: Outbox): void {
  if (s.role !== 'leader') return;
  broadcastAppendEntries(s, out);
}

/**
 * Client Start(command): a leader appends the command to its own log, answers at once with the
 * index it will occupy, and starts replicating it. Anyone else answers isLeader: false and
 * changes nothing.
 */
export function handleStart(s: ServerDraft, command: unknown, out: Outbox): void {
  const { id, role, currentTerm: term } = s;
  if (role !== 'leader') {
    out.start = { index: -1, term, isLeader: false };
    return;
  }
  appendToLog(s, [{ term, command }]);
  const index = lastLogIndex(read(s, 'log'));
  writeAt(s, 'matchIndex', id, index);
  writeAt(s, 'nextIndex', id, index + 1);
  advanceCommitIndex(s); // a one-server cluster commits at once
  out.start = { index, term, isLeader: true };
  broadcastAppendEntries(s, out);
}
