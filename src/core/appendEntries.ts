import { advanceCommitIndex } from './commit.js';
import { entriesOf, firstIndexOfTerm, lastIndexOfTerm, lastLogIndex, termAt } from './log.js';
import { logOf, read, replaceLogFrom, writeAt, type ServerDraft, type ServerEdit } from './draft.js';
import { type Outbox, setTimer } from './outbox.js';
import { becomeFollower } from './roles.js';
import { sendAppendEntries } from './send.js';
import type { AppendEntriesArgs, AppendEntriesReply } from './types.js';

/**
 * AppendEntries RPC receiver (Figure 2). The caller has already applied the term rule.
 *  1. Reply false if term < currentTerm.
 *  2. Reply false if the log has no entry at prevLogIndex whose term matches prevLogTerm
 *     (with conflictTerm/conflictIndex for the leader's fast backup).
 *  3. If an existing entry conflicts with a new one (same index, different terms), delete it and
 *     all that follow. Only a real conflict truncates: a stale or duplicate AppendEntries whose
 *     entries are already present removes nothing.
 *  4. Append any new entries not already in the log.
 *  5. If leaderCommit > commitIndex, commitIndex = min(leaderCommit, index of last new entry).
 * Entries up to lastIncludedIndex are in the snapshot, so committed, so the leader's own: a
 * request reaching back into the snapshot is checked from lastIncludedIndex on.
 */
export function handleAppendEntries(e: ServerEdit, args: AppendEntriesArgs, out: Outbox): void {
  const s = e.draft;
  if (args.term < s.currentTerm) return sendReply(s, args, out, false, 0, 0, 0);

  // A current-term AppendEntries comes from the legitimate leader: candidates yield to it.
  if (s.role !== 'follower') becomeFollower(e, args.term, out);
  setTimer(out, 'resetElectionTimer');
  if (out.config.preVote) s.heardFromLeader = true; // leader stickiness (preVote.ts)

  const log = logOf(e);
  const last = lastLogIndex(log);
  if (args.prevLogIndex > last) return sendReply(s, args, out, false, 0, 0, last + 1);
  // The request's entries up to lastIncludedIndex are skipped (the snapshot holds them), and the
  // check moves to the last one skipped; when all of it is in the snapshot there is nothing to check.
  const skip = Math.max(0, Math.min(log.lastIncludedIndex - args.prevLogIndex, args.entries.length));
  const prevIndex = args.prevLogIndex + skip;
  if (prevIndex >= log.lastIncludedIndex) {
    const prevTerm = skip === 0 ? args.prevLogTerm : args.entries[skip - 1]!.term;
    const localPrevTerm = termAt(log, prevIndex);
    if (localPrevTerm !== prevTerm) {
      return sendReply(s, args, out, false, 0, localPrevTerm, firstIndexOfTerm(log, localPrevTerm, prevIndex));
    }
  }

  for (let i = skip; i < args.entries.length; i++) {
    const index = args.prevLogIndex + 1 + i;
    if (index <= last && termAt(log, index) === args.entries[i]!.term) continue;
    replaceLogFrom(e, index, entriesOf(args.entries, i + 1));
    break;
  }

  const lastNewEntry = args.prevLogIndex + args.entries.length;
  if (args.leaderCommit > s.commitIndex) {
    s.commitIndex = Math.max(s.commitIndex, Math.min(args.leaderCommit, lastNewEntry));
  }
  sendReply(s, args, out, true, lastNewEntry, 0, 0);
}

function sendReply(
  s: ServerDraft, args: AppendEntriesArgs, out: Outbox,
  success: boolean, matchIndex: number, conflictTerm: number, conflictIndex: number,
): void {
  const r: AppendEntriesReply = {
    type: 'AppendEntriesReply', from: s.id, to: args.from, term: s.currentTerm,
    success, matchIndex, conflictTerm, conflictIndex,
  };
  out.messages.push(r);
}

/**
 * Leader: a reply from the current term moves matchIndex (never backwards) and nextIndex, then
 * commitIndex may advance. A rejection jumps nextIndex back past the conflicting term at once
 * (fast backup) and retries. Replies from older terms are ignored.
 */
export function handleAppendEntriesReply(e: ServerEdit, reply: AppendEntriesReply, out: Outbox): void {
  const s = e.draft;
  if (s.role !== 'leader' || reply.term !== s.currentTerm) return;
  const peer = reply.from;
  if (reply.success) {
    if (reply.matchIndex > read(e, 'matchIndex')[peer]!) writeAt(e, 'matchIndex', peer, reply.matchIndex);
    writeAt(e, 'nextIndex', peer, Math.max(read(e, 'nextIndex')[peer]!, read(e, 'matchIndex')[peer]! + 1));
    advanceCommitIndex(e);
    // A follower still a whole capped request behind is sent the next one now, not at the
    // next heartbeat (never, with no cap: every request carried the whole tail).
    if (lastLogIndex(logOf(e)) - read(e, 'matchIndex')[peer]! >= out.config.maxEntriesPerAppend) sendAppendEntries(e, peer, out);
    return;
  }
  const log = logOf(e);
  let next = reply.conflictIndex;
  if (reply.conflictTerm > 0) {
    const last = lastIndexOfTerm(log, reply.conflictTerm);
    if (last > 0) next = last + 1;
  }
  // Never below what the follower is known to hold, never past the end of our log.
  next = Math.min(Math.max(next, read(e, 'matchIndex')[peer]! + 1), lastLogIndex(log) + 1);
  if (next === read(e, 'nextIndex')[peer]) return; // a duplicate of a rejection already acted on
  writeAt(e, 'nextIndex', peer, next);
  sendAppendEntries(e, peer, out);
}
