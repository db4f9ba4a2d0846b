import { lastLogIndex, lastLogTerm } from './log.js';
import { configurationOf, empty, logOf, read, write, type ServerEdit } from './draft.js';
import { voterQuorum, votersFlagged } from './configuration.js';
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

/** Election timeout (of a voter): a new term, a vote for self, RequestVote to every other voter. */
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
  if (wonVotes(e)) becomeLeader(e, out);
}

/**
 * RequestVote (or, with preVote, PreVote) for `term` to every other voter of the configuration
 * in effect (only votes count: learners and servers outside are not asked), with this server's
 * last log entry.
 */
export function askForVotes(e: ServerEdit, type: 'RequestVote' | 'PreVote', term: Term, out: Outbox): void {
  const { id } = e.draft;
  const log = logOf(e);
  for (const peer of configurationOf(e).config.voters) {
    if (peer === id) continue;
    out.messages.push({ type, from: id, to: peer, term, candidateId: id, lastLogIndex: lastLogIndex(log), lastLogTerm: lastLogTerm(log) });
  }
}

/** The votes (or pre-votes) granted so far by voters of the configuration in effect. */
export function countVotes(e: ServerEdit): number {
  return votersFlagged(configurationOf(e).config, read(e, 'votesGranted'));
}

/** A majority of the voters of the configuration in effect granted their vote (or pre-vote). */
export function wonVotes(e: ServerEdit): boolean {
  return countVotes(e) >= voterQuorum(configurationOf(e).config);
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
