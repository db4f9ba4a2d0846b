import { majority } from '../../src/core/index.js';
import { configOf } from './membership-properties.js';
import type { Property } from '../engine/model.js';
import type { Bounds } from './bounds.js';
import type { SystemState } from './system.js';

/**
 * Sometimes-goals of PreVote and CheckQuorum, included only when the option is on: a run with it
 * on that never reaches its goal has not exercised it.
 */

/**
 * A leader stepped down on a lost quorum: a live server is a follower of the very term it was
 * elected leader in. Nothing else does that before any restart (restore() also makes a follower
 * of the same term; a leader meets no other leader of its term), so restarts must be 0.
 */
export const LeaderStepsDownOnLostQuorum: Property<SystemState> = {
  name: 'LeaderStepsDownOnLostQuorum',
  holds: (s) => s.restarts === 0 && s.servers.some((x, i) => x.state?.role === 'follower' && s.elected[x.state.currentTerm] === i),
};

/**
 * A pre-vote round failed without raising any term: a preCandidate of term T holds refusals
 * from enough peers that no majority can grant it, a leader of T is live, and no server (in
 * memory or on disk) is past T.
 */
export const PreVoteRoundFailsWithoutNewTerm: Property<SystemState> = {
  name: 'PreVoteRoundFailsWithoutNewTerm',
  holds: (s) => {
    const n = s.servers.length;
    let top = 0;
    for (const x of s.servers) top = Math.max(top, x.persisted.currentTerm, x.state?.currentTerm ?? 0);
    if (!s.servers.some((x) => x.state?.role === 'leader' && x.state.currentTerm === top)) return false;
    return s.servers.some((x, id) => {
      if (x.state?.role !== 'preCandidate' || x.state.currentTerm !== top) return false;
      let refusers = 0;
      for (const m of s.network) if (m.type === 'PreVoteReply' && m.to === id && !m.voteGranted && m.term === top) refusers |= 1 << m.from;
      // Refusals of the voters of its configuration (membership); without membership, of everyone.
      const config = configOf(x.state);
      const voters = config === null ? n : config.voters.length;
      let count = 0;
      for (let k = 0; k < voters; k++) if (refusers & (1 << (config === null ? k : config.voters[k]!))) count++;
      return count > voters - majority(voters);
    });
  },
};

export function optionGoals(b: Bounds): Property<SystemState>[] {
  return [...(b.checkQuorum === true ? [LeaderStepsDownOnLostQuorum] : []), ...(b.preVote === true ? [PreVoteRoundFailsWithoutNewTerm] : [])];
}
