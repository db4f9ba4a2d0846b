import { advanceCommitIndex } from './commit.js';
import { lastLogIndex } from './log.js';
import { appendToLog, configurationOf, logOf, writeAt, type ServerEdit } from './draft.js';
import { type Outbox, setTimer } from './outbox.js';
import { isVoter } from './configuration.js';
import { MAX_TERM } from './limits.js';
import { becomeCandidate, becomeFollower } from './roles.js';
import { broadcastAppendEntries } from './send.js';
import { quorumCheckPasses } from './checkQuorum.js';
import { becomePreCandidate } from './preVote.js';
import type { LogEntry, LogIndex } from './types.js';

/**
 * Followers and candidates: no word from a leader and no vote granted for a whole timeout. With
 * preVote the server first asks for pre-votes (a preCandidate) and, as the timeout also ends
 * leader stickiness, forgets the leader it heard. A leader ignores it, but with checkQuorum it
 * is the leader's quorum check. Only a voter of its configuration in effect stands (thesis §4.1):
 * a learner, or a server outside the cluster, only has its timer reset.
 *
 * At MAX_TERM there is no next term to campaign for: the server stays (or becomes) a follower of
 * MAX_TERM and keeps its vote. Safety holds, since no term is ever reused: a leader of MAX_TERM
 * keeps leading (a leader ignores its timeouts anyway), a candidate of MAX_TERM steps down (the
 * same term: its vote for itself stands, so it cannot vote again in it), and a follower waits.
 * Liveness ends once MAX_TERM has no leader; the node process says so once (src/server/roleLog.ts).
 */
export function handleElectionTimeout(e: ServerEdit, out: Outbox): void {
  const s = e.draft;
  if (s.role === 'leader') {
    // CheckQuorum: without a majority heard, step down in the same term (its vote stands).
    if (out.config.checkQuorum && !quorumCheckPasses(e)) becomeFollower(e, s.currentTerm, out);
    return; // otherwise a leader's authority is renewed by its own heartbeats
  }
  if (!isVoter(configurationOf(e).config, s.id)) {
    setTimer(out, 'resetElectionTimer');
    return;
  }
  if (out.config.preVote) s.heardFromLeader = false;
  if (s.currentTerm >= MAX_TERM) {
    if (s.role === 'candidate' || s.role === 'preCandidate') becomeFollower(e, s.currentTerm, out);
    return;
  }
  if (out.config.preVote) becomePreCandidate(e, out);
  else becomeCandidate(e, out);
}

/** Leader: AppendEntries to every peer (heartbeat, carrying any entries the peer lacks). */
export function handleHeartbeatTick(e: ServerEdit, out: Outbox): void {
  const s = e.draft;
  if (s.role !== 'leader') return;
  broadcastAppendEntries(e, out);
}

/**
 * Client Start(command): a leader appends the command to its own log, answers at once with the
 * index it will occupy, and starts replicating it. Anyone else answers isLeader: false and
 * changes nothing.
 */
export function handleStart(e: ServerEdit, command: unknown, out: Outbox): void {
  const { role, currentTerm: term } = e.draft;
  if (role !== 'leader') {
    out.start = { index: -1, term, isLeader: false };
    return;
  }
  const index = appendAsLeader(e, { term, command }, out);
  out.start = { index, term, isLeader: true };
}

/**
 * Leader: appends `entry` to its own log, commits it at once when this leader alone is a majority
 * of the voters, and sends it to every member. Returns the entry's index.
 */
export function appendAsLeader(e: ServerEdit, entry: LogEntry, out: Outbox): LogIndex {
  const { id } = e.draft;
  appendToLog(e, [entry]);
  const index = lastLogIndex(logOf(e));
  writeAt(e, 'matchIndex', id, index);
  writeAt(e, 'nextIndex', id, index + 1);
  advanceCommitIndex(e); // a one-voter cluster commits at once
  broadcastAppendEntries(e, out);
  return index;
}
