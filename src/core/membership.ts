import { applyChange, changeRefusal, isVoter } from './configuration.js';
import { configurationOf, logOf, type ServerEdit } from './draft.js';
import { appendAsLeader } from './events.js';
import { lastLogTerm, termAt } from './log.js';
import type { Outbox } from './outbox.js';
import { becomeFollower } from './roles.js';
import type { MembershipChange, MembershipRefusal } from './types.js';

/**
 * Membership change (Raft thesis chapter 4), one server at a time: any two majorities of
 * configurations that differ by one voter overlap, so no joint consensus is needed as long as a
 * change is appended only when the one before it has committed.
 */

/**
 * Leader: append the configuration entry for `change` (its command: `context`, or null) and
 * replicate it, or refuse. The refusals, in the order they are checked:
 *  - 'not-leader': only a leader changes the configuration;
 *  - 'no-such-server': the server is not one of 0..clusterSize-1 (or, for RemoveServer, not a member);
 *  - 'already-member': AddLearner of a voter or learner;
 *  - 'not-a-learner': PromoteLearner of a server that is not a learner (a new server first catches up as one);
 *  - 'last-voter': RemoveServer of the only voter (a configuration without voters can never elect);
 *  - 'no-commit-in-term': no entry of currentTerm is committed yet, so the previous leader's last
 *    change may still be uncommitted and lost to a later leader that never saw it (the bug
 *    Ongaro found in 2015, raft-dev "bug in single-server membership changes"). The leader then
 *    appends one no-op of its term (unless its log holds an entry of its term already) and
 *    replicates it; the host asks again once it has committed;
 *  - 'change-in-progress': a configuration entry in the log is not committed yet (one at a time).
 * In this order: a new leader holding its predecessor's uncommitted configuration entry can
 * commit it only with an entry of its own term, so it appends the no-op first; the other way
 * round it would answer 'change-in-progress' for as long as no client wrote, and never change.
 */
export function handleChangeMembership(e: ServerEdit, change: MembershipChange, context: unknown, out: Outbox): void {
  const reason = refusal(e, change);
  if (reason !== null) {
    out.membership = { ok: false, reason };
    if (reason === 'no-commit-in-term' && lastLogTerm(logOf(e)) !== e.draft.currentTerm) {
      appendAsLeader(e, { term: e.draft.currentTerm, command: null, noop: true }, out);
    }
    return;
  }
  const config = applyChange(configurationOf(e).config, change);
  const index = appendAsLeader(e, { term: e.draft.currentTerm, command: context ?? null, config }, out);
  out.membership = { ok: true, index, term: e.draft.currentTerm };
}

function refusal(e: ServerEdit, change: MembershipChange): MembershipRefusal | null {
  const s = e.draft;
  if (s.role !== 'leader') return 'not-leader';
  const { server } = change;
  if (!Number.isInteger(server) || server < 0 || server >= s.clusterSize) return 'no-such-server';
  const { config, index } = configurationOf(e);
  const meaningless = changeRefusal(config, change);
  if (meaningless !== null) return meaningless;
  if (termAt(logOf(e), s.commitIndex) !== s.currentTerm) return 'no-commit-in-term';
  if (index > s.commitIndex) return 'change-in-progress';
  return null;
}

/**
 * Leader (thesis §4.2.2): a leader that removed itself keeps leading, without counting itself,
 * until the configuration without it commits, then steps down (same term: its vote stands).
 * Called at the end of every step in which a leader's commitIndex rose (ServerEdit.leaderCommitted).
 */
export function stepDownIfRemoved(e: ServerEdit, out: Outbox): void {
  const s = e.draft;
  if (s.role !== 'leader') return;
  const { config, index } = configurationOf(e);
  if (!isVoter(config, s.id) && index <= s.commitIndex) becomeFollower(e, s.currentTerm, out);
}
