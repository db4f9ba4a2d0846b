import { isAtLeastAsUpToDate } from './log.js';
import { logOf, writeAt, type ServerEdit } from './draft.js';
import { type Outbox, setTimer } from './outbox.js';
import { becomeLeader, wonVotes } from './roles.js';
import type { RequestVoteArgs, RequestVoteReply } from './types.js';

/**
 * RequestVote RPC receiver (Figure 2). The caller has already applied the term rule, so
 * args.term <= currentTerm here.
 *  1. Reply false if term < currentTerm.
 *  2. If votedFor is null or candidateId, and the candidate's log is at least as up-to-date as
 *     the receiver's, grant the vote (and reset the election timer: a vote was granted).
 */
export function handleRequestVote(e: ServerEdit, args: RequestVoteArgs, out: Outbox): void {
  const s = e.draft;
  let voteGranted = false;
  if (
    args.term === s.currentTerm &&
    (s.votedFor === null || s.votedFor === args.candidateId) &&
    isAtLeastAsUpToDate(args.lastLogTerm, args.lastLogIndex, logOf(e))
  ) {
    s.votedFor = args.candidateId;
    voteGranted = true;
    setTimer(out, 'resetElectionTimer');
  }
  out.messages.push({ type: 'RequestVoteReply', from: s.id, to: args.from, term: s.currentTerm, voteGranted });
}

/** Candidate: count a vote granted in the current term; a majority of the voters makes a leader. */
export function handleRequestVoteReply(e: ServerEdit, reply: RequestVoteReply, out: Outbox): void {
  const s = e.draft;
  if (s.role !== 'candidate' || reply.term !== s.currentTerm || !reply.voteGranted) return;
  writeAt(e, 'votesGranted', reply.from, true);
  if (wonVotes(e)) becomeLeader(e, out);
}
