import { produce } from 'immer';
import { lastLogTerm, step } from '../../src/core/index.js';
import type { Mutant } from './mutant.js';
import { REPLICATION_BOUNDS, received, rewritingReceived, stepFrom, withStep } from './wrap.js';

export const noUpToDateCheck: Mutant = {
  name: 'no-up-to-date-check',
  description: 'Vote granting skips the "candidate log at least as up-to-date" check (§5.4.1).',
  breaks: 'LeaderCompleteness',
  reducer: rewritingReceived((m) => (m.type === 'RequestVote' ? { ...m, lastLogTerm: Number.MAX_SAFE_INTEGER } : null)),
};

export const upToDateByLengthOnly: Mutant = {
  name: 'up-to-date-by-length-only',
  description: 'The up-to-date check compares log lengths only, ignoring the last entries\' terms.',
  breaks: 'LeaderCompleteness',
  bounds: { maxTerm: 3, maxLog: 1, maxCommands: 2, maxCrashes: 0, duplicate: false },
  // Pretend the candidate's last term equals ours, so only lastLogIndex decides.
  reducer: rewritingReceived((m, state) => (m.type === 'RequestVote' ? { ...m, lastLogTerm: lastLogTerm(state) } : null)),
};

export const secondVoteInTerm: Mutant = {
  name: 'second-vote-in-term',
  description: 'A server that already voted in this term votes again for another candidate (votedFor not consulted).',
  breaks: 'ElectionSafety',
  reducer: withStep((state, input) => {
    const m = received(input);
    if (m?.type === 'RequestVote' && m.term === state.currentTerm && state.votedFor !== null && state.votedFor !== m.candidateId) {
      return stepFrom(state, { ...state, votedFor: null }, input);
    }
    return step(state, input);
  }),
};

export const votedForKeptOnNewTerm: Mutant = {
  name: 'votedFor-kept-on-new-term',
  description: 'Adopting a higher term does not clear votedFor: the old vote carries into the new term.',
  breaks: 'VotesOnlyForCandidatesOfTheTerm',
  reducer: withStep((state, input) => {
    const m = received(input);
    if (!m || m.term <= state.currentTerm || state.votedFor === null) return step(state, input);
    // Adopt the term first, keeping the vote, then handle the message in that term.
    const adopted = produce(state, (d) => {
      d.currentTerm = m.term;
      d.role = 'follower';
      d.votesGranted = [];
      d.nextIndex = [];
      d.matchIndex = [];
    });
    const r = stepFrom(state, adopted, input);
    return state.role === 'leader' && !r.timers.includes('stopHeartbeat') ? { ...r, timers: [...r.timers, 'stopHeartbeat'] } : r;
  }),
};

export const noStepDownOnReply: Mutant = {
  name: 'no-step-down-on-higher-term-reply',
  description: 'A reply carrying a higher term is ignored instead of making the receiver adopt it and step down.',
  breaks: 'HigherTermAdopted',
  reducer: withStep((state, input) => {
    const m = received(input);
    if ((m?.type === 'RequestVoteReply' || m?.type === 'AppendEntriesReply') && m.term > state.currentTerm) {
      return { state, messages: [], persist: null, apply: [], timers: [] };
    }
    return step(state, input);
  }),
};

export const countStaleVotes: Mutant = {
  name: 'count-votes-from-older-term',
  description: 'A candidate counts a granted vote even when the reply answers an older term\'s RequestVote.',
  breaks: 'StaleRepliesIgnored',
  bounds: REPLICATION_BOUNDS,
  reducer: rewritingReceived((m, state) => (m.type === 'RequestVoteReply' && m.term < state.currentTerm ? { ...m, term: state.currentTerm } : null)),
};
