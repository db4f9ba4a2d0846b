import { produce } from 'immer';
import { DEFAULT_STEP_CONFIG, step, type StepConfig } from '../../src/core/index.js';
import type { Mutant } from './mutant.js';
import { received, stepFrom, withStep } from './wrap.js';

/**
 * Bugs of PreVote and CheckQuorum (thesis §9.6, §6.2), each the real core with both options on
 * and one rule broken. Their bounds turn the options on (the other mutants run the plain algorithm).
 */
const OPTIONS: StepConfig = { ...DEFAULT_STEP_CONFIG, preVote: true, checkQuorum: true };
const ON = { preVote: true, checkQuorum: true } as const;

export const preVoteBumpsTerm: Mutant = {
  name: 'pre-vote-bumps-term',
  description: 'A PreVote of a higher term is taken as a RequestVote\'s: the receiver adopts its term (and forgets its vote) before answering.',
  breaks: 'PreVoteChangesNoTermOrVote',
  bounds: ON,
  reducer: withStep((state, input) => {
    const m = received(input);
    if (m?.type !== 'PreVote' || m.term <= state.currentTerm) return step(state, input, OPTIONS);
    const adopted = produce(state, (d) => {
      d.currentTerm = m.term;
      d.votedFor = null;
      d.role = 'follower';
      d.heardFromLeader = false;
      d.votesGranted = [];
      d.nextIndex = [];
      d.matchIndex = [];
      d.recentActive = [];
    });
    const r = stepFrom(state, adopted, input, OPTIONS);
    return state.role === 'leader' ? { ...r, timers: [...r.timers, 'stopHeartbeat'] } : r;
  }),
};

export const preVoteIgnoresLeader: Mutant = {
  name: 'pre-vote-granted-despite-live-leader',
  description: 'No leader stickiness: a follower that hears a current leader still grants pre-votes.',
  breaks: 'PreVoteRefusedWhileLeaderHeard',
  bounds: ON,
  reducer: withStep((state, input) => {
    if (received(input)?.type !== 'PreVote' || !state.heardFromLeader) return step(state, input, OPTIONS);
    return { ...step({ ...state, heardFromLeader: false }, input, OPTIONS), state }; // a pre-vote changes no state
  }),
};

export const checkQuorumKeepsStaleActivity: Mutant = {
  name: 'check-quorum-counts-stale-responses',
  description: 'A leader\'s quorum check does not start a fresh period: replies heard before the last check count at every later one.',
  breaks: 'LeaderKeepsOnlyWithQuorum',
  bounds: ON,
  reducer: withStep((state, input) => {
    const r = step(state, input, OPTIONS);
    if (input.type !== 'ElectionTimeout' || state.role !== 'leader' || r.state.role !== 'leader') return r;
    return { ...r, state: produce(r.state, (d) => { d.recentActive = [...state.recentActive]; }) };
  }),
};

export const leaderNeverStepsDown: Mutant = {
  name: 'leader-never-steps-down',
  description: 'CheckQuorum that never acts: a leader that heard from no majority stays leader through its quorum check.',
  breaks: 'LeaderKeepsOnlyWithQuorum',
  bounds: ON,
  reducer: withStep((state, input) => {
    const r = step(state, input, OPTIONS);
    if (input.type !== 'ElectionTimeout' || state.role !== 'leader' || r.state.role === 'leader') return r;
    return step({ ...state, recentActive: state.recentActive.map(() => true) }, input, OPTIONS); // as if all had answered
  }),
};
