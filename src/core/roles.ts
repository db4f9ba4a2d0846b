import { lastLogIndex, lastLogTerm } from './log.js';
import { majority, peersOf } from './cluster.js';
import { empty, logOf, read, write, type ServerEdit } from './draft.js';
import { type Outbox, setTimer } from './outbox.js';
import { broadcastAppendEntries } from './send.js';
import { startQuorumCheck } from './checkQuorum.js';
import type { Term } from './types.js';

/**
 * Every role change happens here, one function per target role, so what a transition resets
 * is read in one place (cf. etcd-io/raft's becomeFollower/becomeCandidate/becomeLeader).
 */

/** Step down (or stay) as follower. A new term forgets the vote; the same term keeps it. */
export function becomeFollower(e: ServerEdit, term: Term, out: Outbox): void {
  const s = e.draft;
  const role = s.role;
  if (role === 'leader') setTimer(out, 'stopHeartbeat');
  if (term > s.currentTerm) {
    s.currentTerm = term;
    s.votedFor = null;
    s.heardFromLeader = false; // a leader of an older term is no current leader
  }
  if (role !== 'follower') s.role = 'follower';
  empty(e, 'votesGranted');
  empty(e, 'nextIndex');
  empty(e, 'matchIndex');
  empty(e, 'recentActive');
}

/** Election timeout: a new term, a vote for self, RequestVote to every peer. */
export function becomeCandidate(e: ServerEdit, out: Outbox): void {
  const s = e.draft;
  const { id, clusterSize } = s;
  s.currentTerm += 1;
  s.role = 'candidate';
  s.votedFor = id;
  write(e, 'votesGranted', Array.from({ length: clusterSize }, (_, i) => i === id));
  empty(e, 'nextIndex');
  empty(e, 'matchIndex');
  setTimer(out, 'resetElectionTimer');
  askForVotes(e, 'RequestVote', s.currentTerm, out);
  if (countVotes(e) >= majority(clusterSize)) becomeLeader(e, out);
}

/** RequestVote (or, with preVote, PreVote) for `term` to every peer, with this server's last log entry. */
export function askForVotes(e: ServerEdit, type: 'RequestVote' | 'PreVote', term: Term, out: Outbox): void {
  const { id, clusterSize } = e.draft;
  const log = logOf(e);
  for (const peer of peersOf(id, clusterSize)) {
    out.messages.push({ type, from: id, to: peer, term, candidateId: id, lastLogIndex: lastLogIndex(log), lastLogTerm: lastLogTerm(log) });
  }
}

export function countVotes(e: ServerEdit): number {
  const votesGranted = read(e, 'votesGranted');
  let votes = 0;
  for (let i = 0; i < votesGranted.length; i++) if (votesGranted[i]) votes++;
  return votes;
}

/** A majority voted: reinitialise nextIndex/matchIndex and assert leadership with heartbeats. */
export function becomeLeader(e: ServerEdit, out: Outbox): void {
  const s = e.draft;
  const { id, clusterSize } = s;
  s.role = 'leader';
  empty(e, 'votesGranted');
  const next = lastLogIndex(logOf(e)) + 1;
  write(e, 'nextIndex', Array.from({ length: clusterSize }, () => next));
  write(e, 'matchIndex', Array.from({ length: clusterSize }, (_, i) => (i === id ? next - 1 : 0)));
  setTimer(out, 'startHeartbeat');
  if (out.config.checkQuorum) startQuorumCheck(e, out);
  broadcastAppendEntries(e, out);
}
