import { configurationOf, read, write, writeAt, type ServerEdit } from './draft.js';
import { voterQuorum, votersFlagged } from './configuration.js';
import { type Outbox, setTimer } from './outbox.js';
import type { Message } from './types.js';

/**
 * CheckQuorum (Raft thesis §6.2, §9.6; etcd-io/raft's checkQuorum), with StepConfig.checkQuorum.
 * A leader keeps its election timer; each firing is a quorum check: unless a majority (itself
 * included) answered an AppendEntries of its term since the previous check, it steps down. Time
 * reaches the core only as that ElectionTimeout input, never as a clock.
 */

/** A new leader starts its first check period: only itself heard, and a full timeout ahead. */
export function startQuorumCheck(e: ServerEdit, out: Outbox): void {
  onlySelfActive(e);
  setTimer(out, 'resetElectionTimer');
}

function onlySelfActive(e: ServerEdit): void {
  const { id, clusterSize } = e.draft;
  write(e, 'recentActive', Array.from({ length: clusterSize }, (_, i) => i === id));
}

/**
 * Leader: a reply of its term to its AppendEntries or InstallSnapshot shows the sender is live and
 * reachable both ways.
 */
export function noteRecentActive(e: ServerEdit, m: Message): void {
  const s = e.draft;
  if (s.role !== 'leader' || (m.type !== 'AppendEntriesReply' && m.type !== 'InstallSnapshotReply') || m.term !== s.currentTerm) return;
  writeAt(e, 'recentActive', m.from, true);
}

/**
 * Leader's election timeout, the quorum check: true when a majority of the voters of the
 * configuration in effect (itself included while it is one) was heard
 * since the last one, and the next period starts (the timer that fired is re-armed by the
 * runtime's timer rule); false when the leader must step down (its caller does it: becomeFollower
 * is in roles.ts, which imports this module).
 */
export function quorumCheckPasses(e: ServerEdit): boolean {
  const { config } = configurationOf(e);
  if (votersFlagged(config, read(e, 'recentActive')) < voterQuorum(config)) return false;
  onlySelfActive(e);
  return true;
}
