import { step, type StepResult, type RaftState } from '../../src/core/index.js';
import type { Mutant } from './mutant.js';
import { withStep } from './wrap.js';

/**
 * Liveness bugs: no safety rule breaks, the cluster only stops making progress. Only the
 * recoverability check (`--liveness`) catches them: it finds a reachable state from which no
 * election can succeed, and gives a shortest trace to it.
 */

const nothing = (state: RaftState): StepResult => ({ state, messages: [], persist: null, apply: [], timers: [] });

export const candidateIgnoresElectionTimeout: Mutant = {
  name: 'candidate-ignores-election-timeout',
  description: 'A candidate never restarts its election: its election timeout is ignored, so a split vote lasts for ever.',
  breaks: 'LeaderCanBeElected',
  // No crashes: a restart would make a follower of the candidate, which can stand again.
  bounds: { maxCrashes: 0, maxSnapshots: 0 },
  liveness: true,
  reducer: withStep((state, input) => (input.type === 'ElectionTimeout' && state.role === 'candidate' ? nothing(state) : step(state, input))),
};

export const votedServerIgnoresElectionTimeout: Mutant = {
  name: 'voted-server-ignores-election-timeout',
  description: 'A server that has voted in its term waits for that candidate to lead and ignores its election timeout (its vote for itself included).',
  breaks: 'PendingCommandCanCommit',
  // The leader of term 1 takes a command and crashes before replicating it; it restarts a
  // follower that voted (for itself) in term 1, as did the others: nobody stands again.
  bounds: { maxSnapshots: 0, crashMidStep: false },
  liveness: true,
  reducer: withStep((state, input) => (input.type === 'ElectionTimeout' && state.votedFor !== null && state.role !== 'leader' ? nothing(state) : step(state, input))),
};
