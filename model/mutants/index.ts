import { applyBeyondCommitIndex, commitPreviousTermByCounting } from './commit.js';
import { countStaleVotes, noStepDownOnReply, noUpToDateCheck, secondVoteInTerm, upToDateByLengthOnly, votedForKeptOnNewTerm } from './election.js';
import type { Mutant } from './mutant.js';
import { currentTermNotPersisted, logNotPersisted, persistFromWrongIndex, replyBeforePersist, votedForNotPersisted } from './persistence.js';
import { acceptPrevLogIndexPastEnd, followerCommitWithoutMin, matchIndexFromLogLength, staleRepliesMoveIndices, truncateOnEveryAppend } from './replication.js';

export type { Mutant } from './mutant.js';

/** The catalog of classic Raft bugs the checker must catch, one broken rule each. */
export const MUTANTS: readonly Mutant[] = [
  // election
  noUpToDateCheck, upToDateByLengthOnly, secondVoteInTerm, votedForKeptOnNewTerm, noStepDownOnReply, countStaleVotes,
  // replication
  truncateOnEveryAppend, acceptPrevLogIndexPastEnd, followerCommitWithoutMin, matchIndexFromLogLength, staleRepliesMoveIndices,
  // commitment
  commitPreviousTermByCounting, applyBeyondCommitIndex,
  // persistence and effect order
  currentTermNotPersisted, votedForNotPersisted, logNotPersisted, persistFromWrongIndex, replyBeforePersist,
];
