import { applyBeyondCommitIndex, commitPreviousTermByCounting } from './commit.js';
import { countStaleVotes, noStepDownOnReply, noUpToDateCheck, secondVoteInTerm, upToDateByLengthOnly, votedForKeptOnNewTerm } from './election.js';
import { type Bounds, DEFAULT_BOUNDS } from '../raft/bounds.js';
import type { ReducerVariant } from '../raft/reducer.js';
import { candidateIgnoresElectionTimeout, votedServerIgnoresElectionTimeout } from './liveness.js';
import { MEMBERSHIP_MUTANTS } from './membership.js';
import type { Mutant } from './mutant.js';
import { currentTermNotPersisted, logNotPersisted, persistFromWrongIndex, replyBeforePersist, votedForNotPersisted } from './persistence.js';
import { checkQuorumKeepsStaleActivity, leaderNeverStepsDown, preVoteBumpsTerm, preVoteIgnoresLeader } from './preVoteCheckQuorum.js';
import { acceptPrevLogIndexPastEnd, followerCommitIndexLowered, followerCommitWithoutMin, matchIndexFromLogLength, staleRepliesMoveIndices, truncateOnEveryAppend } from './replication.js';
import { overwriteWithoutTruncating, upToDateTermOrLength, voteMajorityByHalf } from './bigger-bounds.js';
import { appendEntriesBelowSnapshot, installDiscardsMatchingSuffix, snapshotBeyondLastApplied, snapshotNotPersisted, staleInstallRollsBack, upToDateIgnoresSnapshot } from './snapshot.js';

export type { Mutant } from './mutant.js';

/** The catalog of classic Raft bugs the checker must catch, one broken rule each. */
export const MUTANTS: readonly Mutant[] = [
  // election
  noUpToDateCheck, upToDateByLengthOnly, secondVoteInTerm, votedForKeptOnNewTerm, noStepDownOnReply, countStaleVotes,
  // replication
  truncateOnEveryAppend, acceptPrevLogIndexPastEnd, followerCommitWithoutMin, matchIndexFromLogLength, staleRepliesMoveIndices, followerCommitIndexLowered,
  // commitment
  commitPreviousTermByCounting, applyBeyondCommitIndex,
  // persistence and effect order
  currentTermNotPersisted, votedForNotPersisted, logNotPersisted, persistFromWrongIndex, replyBeforePersist,
  // log compaction (snapshots, InstallSnapshot)
  installDiscardsMatchingSuffix, staleInstallRollsBack, snapshotBeyondLastApplied, snapshotNotPersisted, appendEntriesBelowSnapshot,
  upToDateIgnoresSnapshot,
  // PreVote and CheckQuorum
  preVoteBumpsTerm, preVoteIgnoresLeader, checkQuorumKeepsStaleActivity, leaderNeverStepsDown,
  // past the old default bound (3 servers, 2 terms, 2 commands): a third term, a third command, a fourth server
  upToDateTermOrLength, overwriteWithoutTruncating, voteMajorityByHalf,
  // liveness (caught by the recoverability check, --liveness)
  candidateIgnoresElectionTimeout, votedServerIgnoresElectionTimeout,
  // membership change (thesis chapter 4)
  ...MEMBERSHIP_MUTANTS,
];

/** The reducer variant that runs mutant `name`; an unknown name is a RangeError (bad input, one line). */
export function mutantVariant(name: string): ReducerVariant {
  const m = MUTANTS.find((x) => x.name === name);
  if (!m) throw new RangeError(`unknown mutant '${name}' (try --mutant list)`);
  return { name: `mutant ${m.name}`, reducer: m.reducer, preVote: m.bounds?.preVote === true, checkQuorum: m.bounds?.checkQuorum === true };
}

/**
 * The bounds `npm run mutants` checks `m` at: the defaults, with the options off (a mutant runs
 * the options it was written for: its own bounds say which), merged with its own.
 */
export function mutantBounds(m: Mutant): Bounds {
  return { ...DEFAULT_BOUNDS, preVote: false, checkQuorum: false, ...m.bounds };
}

/** The Raft model options that run `mutant`: none for the production core (undefined). */
export function mutantOptions(mutant: string | undefined): { readonly variant?: ReducerVariant } {
  return mutant === undefined ? {} : { variant: mutantVariant(mutant) };
}
