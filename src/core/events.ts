import { advanceCommitIndex } from './commit.js';
import { lastLogIndex } from './log.js';
import { appendToLog, read, writeAt, type ServerDraft } from './draft.js';
import type { Outbox } from './outbox.js';
import { MAX_TERM } from './limits.js';
import { becomeCandidate, becomeFollower } from './roles.js';
import { broadcastAppendEntries } from './send.js';

/**
 * Followers and candidates: no word from a leader and no vote granted for a whole timeout.
 *
 * At MAX_TERM there is no next term to campaign for: the server stays (or becomes) a follower of
 * MAX_TERM and keeps its vote. Safety holds, since no term is ever reused: a leader of MAX_TERM
 * keeps leading (a leader ignores its timeouts anyway), a candidate of MAX_TERM steps down (the
 * same term: its vote for itself stands, so it cannot vote again in it), and a follower waits.
 * Liveness ends once MAX_TERM has no leader; the node process says so once (src/server/roleLog.ts).
 */
export function handleElectionTimeout(s: ServerDraft, out: Outbox): void {
  if (s.role === 'leader') return; // a leader's authority is renewed by its own heartbeats
  if (s.currentTerm >= MAX_TERM) {
    if (s.role === 'candidate') becomeFollower(s, s.currentTerm, out);
    return;
  }
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
