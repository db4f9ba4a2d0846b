import { isVoter, majority } from '../../src/core/index.js';
import { configOf } from './membership-properties.js';
import type { Invariant } from '../engine/model.js';
import { type Finding, finding, serverName as sn } from './finding.js';
import type { StepProperty } from './server-step.js';
import type { SystemState } from './system.js';

/**
 * The step properties of PreVote and CheckQuorum (thesis §9.6, §6.2): rules of a single
 * transition, judged as the plain algorithm's are (step-properties.ts). Each is vacuous when its
 * option is off: no PreVote is ever sent, and a leader times out only with checkQuorum.
 */

/**
 * A pre-vote binds no one: its request, and a granted reply, leave the receiver's currentTerm and
 * votedFor as they were; save that a granted reply that completes a majority makes its receiver
 * stand (a candidate of the next term, voting for itself), as an election timeout would.
 */
export const PreVoteChangesNoTermOrVote: StepProperty = {
  name: 'PreVoteChangesNoTermOrVote',
  invariant: 'PreVoteChangesNoTermOrVote',
  check: ({ server, input, before, result }) => {
    if (input.type !== 'Receive') return null;
    const m = input.message;
    if (m.type !== 'PreVote' && !(m.type === 'PreVoteReply' && m.voteGranted)) return null;
    const after = result.state;
    if (after.currentTerm === before.currentTerm && after.votedFor === before.votedFor) return null;
    const stands = m.type === 'PreVoteReply' && before.role === 'preCandidate' && after.role !== 'preCandidate' &&
      after.currentTerm === before.currentTerm + 1 && after.votedFor === server;
    if (stands) return null;
    const field = after.currentTerm !== before.currentTerm ? 'currentTerm' : 'votedFor';
    return finding('PreVoteChangesNoTermOrVote', [{ server, field }], [before.currentTerm, after.currentTerm],
      `${sn(server)} received ${m.type} of term ${m.term} from ${sn(m.from)} and changed its ${field} ` +
        (field === 'currentTerm' ? `from ${before.currentTerm} to ${after.currentTerm}` : `from ${String(before.votedFor)} to ${String(after.votedFor)}`), [server, m.from]);
  },
};

/**
 * Leader stickiness: a server that hears a current leader (it is one, or it took an AppendEntries
 * of its term since its last election timeout) refuses every pre-vote.
 */
export const PreVoteRefusedWhileLeaderHeard: StepProperty = {
  name: 'PreVoteRefusedWhileLeaderHeard',
  invariant: 'PreVoteRefusedWhileLeaderHeard',
  check: ({ server, input, before, result }) => {
    if (input.type !== 'Receive' || input.message.type !== 'PreVote') return null;
    if (before.role !== 'leader' && !before.heardFromLeader) return null;
    const granted = result.messages.some((m) => m.type === 'PreVoteReply' && m.voteGranted);
    if (!granted) return null;
    const m = input.message;
    return finding('PreVoteRefusedWhileLeaderHeard', [{ server, field: 'role' }], [before.currentTerm, m.term],
      `${sn(server)} (${before.role === 'leader' ? 'the leader' : 'hearing a leader'} of term ${before.currentTerm}) granted ${sn(m.from)} a pre-vote for term ${m.term}`, [server, m.from]);
  },
};

/**
 * CheckQuorum: a leader that stays leader through its quorum check (its election timeout) heard,
 * since its election or its previous check, an AppendEntriesReply of its term from enough distinct
 * peers to make a majority with itself. `quorumHeard` is the model's own record of that (a ghost).
 */
export const LeaderKeepsOnlyWithQuorum: StepProperty = {
  name: 'LeaderKeepsOnlyWithQuorum',
  invariant: 'LeaderKeepsOnlyWithQuorum',
  check: ({ system, server, input, before, result }) => {
    const after = result.state;
    if (input.type !== 'ElectionTimeout' || before.role !== 'leader' || after.role !== 'leader' || after.currentTerm !== before.currentTerm) return null;
    const heard = system.quorumHeard[server] ?? 0;
    // Voters only, the leader among them while it is one (membership); without membership, everyone.
    const config = configOf(before);
    const n = config === null ? before.clusterSize : config.voters.length;
    let peers = 0;
    for (let k = 0; k < n; k++) {
      const i = config === null ? k : config.voters[k]!;
      if (i !== server && heard & (1 << i)) peers++;
    }
    const self = config === null || isVoter(config, server) ? 1 : 0;
    if (self + peers >= majority(n)) return null;
    return finding('LeaderKeepsOnlyWithQuorum', [{ server, field: 'role' }], [before.currentTerm],
      `leader ${sn(server)} of term ${before.currentTerm} stayed leader through its quorum check having heard ${peers} ${config === null ? 'peer' : 'voter'}${peers === 1 ? '' : 's'} since the last one (a majority is ${majority(n)}${self === 1 ? ' with itself' : ''})`);
  },
};

export const OPTION_STEP_PROPERTIES: readonly StepProperty[] = [PreVoteChangesNoTermOrVote, PreVoteRefusedWhileLeaderHeard, LeaderKeepsOnlyWithQuorum];

/** Their invariants, each reporting the finding a transition recorded for it (as invariants.ts does for the plain rules). */
export const OPTION_INVARIANTS: readonly Invariant<SystemState, Finding>[] = OPTION_STEP_PROPERTIES.map((p) => ({
  name: p.invariant,
  check: (s: SystemState) => (s.breach !== null && s.breach.invariant === p.invariant ? s.breach : null),
}));
