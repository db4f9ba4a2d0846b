import { isAtLeastAsUpToDate } from './log.js';
import { empty, logOf, write, writeAt, type ServerEdit } from './draft.js';
import { type Outbox, setTimer } from './outbox.js';
import { askForVotes, becomeCandidate, wonVotes } from './roles.js';
import type { Message, PreVoteArgs, PreVoteReply } from './types.js';

/**
 * PreVote (Raft thesis §9.6; etcd-io/raft's MsgPreVote), with StepConfig.preVote. Before
 * standing, a server asks whether a majority would vote for it in currentTerm + 1; nobody's term
 * or vote changes until it has that majority. A server that cannot win (cut off from the others,
 * or with a stale log) thus never forces a new term on a cluster whose leader is healthy.
 */

/** Election timeout (of a voter) with preVote: ask every other voter for a pre-vote for currentTerm + 1; the term and the vote stay. */
export function becomePreCandidate(e: ServerEdit, out: Outbox): void {
  const s = e.draft;
  const { id, clusterSize } = s;
  s.role = 'preCandidate';
  write(e, 'votesGranted', Array.from({ length: clusterSize }, (_, i) => i === id));
  empty(e, 'nextIndex');
  empty(e, 'matchIndex');
  empty(e, 'recentActive');
  setTimer(out, 'resetElectionTimer');
  askForVotes(e, 'PreVote', s.currentTerm + 1, out);
  if (wonVotes(e)) becomeCandidate(e, out);
}

/**
 * PreVote receiver: grant when the asker's proposed term is above ours, its log is at least as
 * up to date, and no current leader is heard (leader stickiness: a leader, or a follower that
 * heard one since its last election timeout, refuses). Nothing is recorded and no timer reset:
 * a pre-vote binds no one. The caller applies no term rule to a PreVote.
 */
export function handlePreVote(e: ServerEdit, args: PreVoteArgs, out: Outbox): void {
  const s = e.draft;
  const voteGranted =
    args.term > s.currentTerm &&
    s.role !== 'leader' &&
    !s.heardFromLeader &&
    isAtLeastAsUpToDate(args.lastLogTerm, args.lastLogIndex, logOf(e));
  out.messages.push({ type: 'PreVoteReply', from: s.id, to: args.from, term: voteGranted ? args.term : s.currentTerm, voteGranted });
}

/**
 * PreCandidate: count a pre-vote granted for this round (term currentTerm + 1); a majority makes
 * a candidate (a new term, a vote for self, RequestVote). A refusal of a higher term was already
 * adopted by the caller's term rule, which made this server a follower.
 */
export function handlePreVoteReply(e: ServerEdit, reply: PreVoteReply, out: Outbox): void {
  const s = e.draft;
  if (s.role !== 'preCandidate' || !reply.voteGranted || reply.term !== s.currentTerm + 1) return;
  writeAt(e, 'votesGranted', reply.from, true);
  if (wonVotes(e)) becomeCandidate(e, out);
}

/** The term rule's exception: a PreVote, or a granted PreVoteReply, carries a term nobody holds yet. */
export function carriesProposedTerm(m: Message): boolean {
  return m.type === 'PreVote' || (m.type === 'PreVoteReply' && m.voteGranted);
}
