import { advanceCommitIndex } from './commit.js';
import { entriesFrom, entryAt, lastLogIndex, termAt } from './log.js';
import { installLog, logOf, read, writeAt, type ServerEdit } from './draft.js';
import { lastConfigIndex } from './configuration.js';
import { type Outbox, setTimer } from './outbox.js';
import { becomeFollower } from './roles.js';
import { sendAppendEntries } from './send.js';
import type { InstallSnapshotArgs, InstallSnapshotReply, LogIndex } from './types.js';

/**
 * Log compaction (section 7 of the extended Raft paper; the lab's part D): the service's snapshot
 * input, and the InstallSnapshot RPC (Figure 13) by which a leader brings up a follower whose next
 * entry it has already compacted away.
 */

/**
 * All servers, from the service: `snapshot` holds every entry up to `index`, so the log keeps only
 * the entries after it. Ignored unless the index is past the current snapshot and already
 * applied (a snapshot can only hold what the service applied, and applied entries are committed).
 * The configuration in effect at `index` is kept with it (lastIncludedConfig: that of the last
 * configuration entry compacted, else the one the old snapshot kept), since the entry is gone.
 */
export function handleSnapshot(e: ServerEdit, index: LogIndex, snapshot: unknown): void {
  const s = e.draft;
  if (!Number.isInteger(index) || index <= s.lastIncludedIndex || index > s.lastApplied) return;
  const v = logOf(e);
  const configIndex = lastConfigIndex(v, index);
  const lastIncludedConfig = configIndex > 0 ? entryAt(v, configIndex).config : v.lastIncludedConfig;
  installLog(e, index, termAt(v, index), snapshot, entriesFrom(v, index + 1), lastIncludedConfig);
}

/**
 * InstallSnapshot RPC receiver (Figure 13), the whole snapshot in one message. The caller has
 * already applied the term rule.
 *  1. Reply immediately if term < currentTerm.
 *  6. If an existing log entry has the same index and term as the snapshot's last included entry,
 *     retain the log entries following it.
 *  7. Otherwise discard the entire log.
 *  8. Reset the state machine using the snapshot (an apply record of the snapshot, in order).
 * The snapshot's configuration (lastIncludedConfig) is stored with it: the configuration in effect
 * is then the last configuration entry retained, else that one.
 * Never backwards: a snapshot that holds no more than this server has committed changes nothing
 * (its entries are committed here already, so the follower holds them), and is acknowledged.
 */
export function handleInstallSnapshot(e: ServerEdit, args: InstallSnapshotArgs, out: Outbox): void {
  const s = e.draft;
  if (args.term < s.currentTerm) return sendReply(e, args, out);

  // A current-term InstallSnapshot comes from the legitimate leader, as an AppendEntries does.
  if (s.role !== 'follower') becomeFollower(e, args.term, out);
  setTimer(out, 'resetElectionTimer');
  if (out.config.preVote) s.heardFromLeader = true; // leader stickiness (preVote.ts)

  const index = args.lastIncludedIndex;
  if (index <= s.commitIndex) return sendReply(e, args, out);
  const v = logOf(e);
  const keep = index < lastLogIndex(v) && termAt(v, index) === args.lastIncludedTerm;
  installLog(e, index, args.lastIncludedTerm, args.data, keep ? entriesFrom(v, index + 1) : [], args.lastIncludedConfig);
  s.commitIndex = index;
  s.lastApplied = index;
  out.apply.push({ snapshotValid: true, snapshot: args.data, snapshotTerm: args.lastIncludedTerm, snapshotIndex: index });
  sendReply(e, args, out);
}

function sendReply(e: ServerEdit, args: InstallSnapshotArgs, out: Outbox): void {
  const s = e.draft;
  const reply: InstallSnapshotReply = {
    type: 'InstallSnapshotReply', from: s.id, to: args.from, term: s.currentTerm,
    matchIndex: args.term < s.currentTerm ? 0 : args.lastIncludedIndex,
  };
  out.messages.push(reply);
}

/**
 * Leader: a current-term reply says the follower holds every entry up to matchIndex. matchIndex
 * never goes back; nextIndex follows it, and the entries after the snapshot are sent at once.
 * Replies from older terms are ignored.
 */
export function handleInstallSnapshotReply(e: ServerEdit, reply: InstallSnapshotReply, out: Outbox): void {
  const s = e.draft;
  if (s.role !== 'leader' || reply.term !== s.currentTerm) return;
  const peer = reply.from;
  if (reply.matchIndex <= read(e, 'matchIndex')[peer]!) return; // late or duplicate: acted on already
  writeAt(e, 'matchIndex', peer, reply.matchIndex);
  writeAt(e, 'nextIndex', peer, Math.max(read(e, 'nextIndex')[peer]!, reply.matchIndex + 1));
  advanceCommitIndex(e);
  if (lastLogIndex(logOf(e)) > reply.matchIndex) sendAppendEntries(e, peer, out);
}
