import { lastLogIndex, lastLogTerm } from './log.js';
import { majority, peersOf, type ServerDraft } from './draft.js';
import { type Outbox, setTimer } from './outbox.js';
import { broadcastAppendEntries } from './send.js';
import type { Term } from './types.js';

/**
 * Every role change happens here, one function per target role, so what a transition resets
 * is read in one place (cf. etcd-io/raft's becomeFollower/becomeCandidate/becomeLeader).
 */

/** Step down (or stay) as follower. A new term forgets the vote; the same term keeps it. */
export function becomeFollower(s: ServerDraft, term: Term, out: Outbox): void {
  if (s.role === 'leader') setTimer(out, 'stopHeartbeat');
  if (term > s.currentTerm) {
    s.currentTerm = term;
    s.votedFor = null;
  }
  s.role = 'follower';
  s.votesGranted = [];
  s.nextIndex = [];
  s.matchIndex = [];
}

/** Election timeout: a new term, a vote for self, RequestVote to every peer. */
export function becomeCandidate(s: ServerDraft, out: Outbox): void {
  s.currentTerm += 1;
  s.role = 'candidate';
  s.votedFor = s.id;
  s.votesGranted = Array.from({ length: s.clusterSize }, (_, i) => i === s.id);
  s.nextIndex = [];
  s.matchIndex = [];
  setTimer(out, 'resetElectionTimer');
  for (const peer of peersOf(s)) {
    out.messages.push({
      type: 'RequestVote',
      from: s.id,
      to: peer,
      term: s.currentTerm,
      candidateId: s.id,
      lastLogIndex: lastLogIndex(s.log),
      lastLogTerm: lastLogTerm(s.log),
    });
  }
  if (countVotes(s) >= majority(s.clusterSize)) becomeLeader(s, out);
}

export function countVotes(s: ServerDraft): number {
  let votes = 0;
  for (const granted of s.votesGranted) if (granted) votes++;
  return votes;
}

/** A majority voted: reinitialise nextIndex/matchIndex and assert leadership with heartbeats. */
export function becomeLeader(s: ServerDraft, out: Outbox): void {
  s.role = 'leader';
  s.votesGranted = [];
  const next = lastLogIndex(s.log) + 1;
  s.nextIndex = Array.from({ length: s.clusterSize }, () => next);
  s.matchIndex = Array.from({ length: s.clusterSize }, (_, i) => (i === s.id ? next - 1 : 0));
  setTimer(out, 'startHeartbeat');
  broadcastAppendEntries(s, out);
}
