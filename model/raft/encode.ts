import type { LogEntry, Message, PersistentState, RaftState } from '../../src/core/index.js';
import type { Relabelling } from '../engine/relabelling.js';
import type { Sink } from '../engine/sink.js';
import { dataEntries } from './snapshot-data.js';
import type { CommittedEntry, SystemState } from './system.js';

/**
 * The one encoding of a system state, relabelled by `r` (identity: the state as it is): every
 * field two states must agree on to be one, in a fixed order. The engine runs it into a string
 * (exact keys) or a hash (fingerprints) and takes the least over relabellings for symmetry, or
 * into bytes (the packed BFS levels), which decode.ts reads back call for call: whatever is not
 * written must follow from what is, and a choice between calls is written as an int first.
 *
 * Server ids are written as r.newId[id]; servers, and every array indexed by server id, in the
 * relabelled order. Not written: each server's own id and clusterSize (its position says them),
 * candidateId and leaderId (always `from`), and a breach's detail (its invariant is enough).
 * States, disks, logs, messages and ghost lists are immutable and shared by many system states,
 * so they are parts: each is encoded once per object (and relabelling) and cached by the sink.
 */

const int = (n: number, _: unknown, sink: Sink): void => sink.int(n);
const bool = (b: boolean, _: unknown, sink: Sink): void => sink.int(b ? 1 : 0);

function encodeEntry(e: LogEntry, _: unknown, sink: Sink): void {
  sink.int(e.term);
  sink.str(String(e.command));
}

export function encodeLog(log: readonly LogEntry[], sink: Sink): void {
  sink.list(log, null, encodeEntry);
}

export const ROLES: Record<RaftState['role'], number> = { follower: 0, candidate: 1, leader: 2, preCandidate: 3 };

/**
 * lastIncludedIndex, lastIncludedTerm and the snapshot's entries (a part: shared by servers,
 * disks and messages), after a flag saying whether there are any, so that a reader knows which
 * call comes next (decode.ts).
 */
function encodeSnapshot(lastIncludedIndex: number, lastIncludedTerm: number, data: unknown, sink: Sink): void {
  sink.int(lastIncludedIndex);
  sink.int(lastIncludedTerm);
  if (data === null) sink.int(0);
  else {
    sink.int(1);
    sink.part(dataEntries(data), encodeLog);
  }
}

export function encodeRaftState(s: RaftState, r: Relabelling, sink: Sink): void {
  sink.int(ROLES[s.role]);
  sink.int(s.currentTerm);
  sink.int(r.id(s.votedFor));
  encodeSnapshot(s.lastIncludedIndex, s.lastIncludedTerm, s.snapshot, sink);
  sink.part(s.log, encodeLog);
  sink.int(s.commitIndex);
  sink.int(s.lastApplied);
  sink.byId(s.votesGranted, r, null, bool);
  sink.byId(s.nextIndex, r, null, int);
  sink.byId(s.matchIndex, r, null, int);
  sink.int(s.heardFromLeader ? 1 : 0);
  sink.byId(s.recentActive, r, null, bool);
}

function encodeDisk(d: PersistentState, r: Relabelling, sink: Sink): void {
  sink.int(d.currentTerm);
  sink.int(r.id(d.votedFor));
  encodeSnapshot(d.lastIncludedIndex, d.lastIncludedTerm, d.snapshot, sink);
  sink.part(d.log, encodeLog);
}

/** Plain message keys sort by type first: Figure 2's in the order of their names, then Figure 13's, then the pre-vote pair. */
export const MESSAGE_TYPES: Record<Message['type'], number> = {
  AppendEntries: 0, AppendEntriesReply: 1, RequestVote: 2, RequestVoteReply: 3, InstallSnapshot: 4, InstallSnapshotReply: 5,
  PreVote: 6, PreVoteReply: 7,
};

export function encodeMessage(m: Message, r: Relabelling, sink: Sink): void {
  sink.int(MESSAGE_TYPES[m.type]);
  sink.int(r.newId[m.from]!);
  sink.int(r.newId[m.to]!);
  sink.int(m.term);
  switch (m.type) {
    case 'RequestVote':
    case 'PreVote':
      sink.int(m.lastLogIndex);
      sink.int(m.lastLogTerm);
      return;
    case 'RequestVoteReply':
    case 'PreVoteReply':
      sink.int(m.voteGranted ? 1 : 0);
      return;
    case 'AppendEntries':
      sink.int(m.prevLogIndex);
      sink.int(m.prevLogTerm);
      sink.int(m.leaderCommit);
      sink.part(m.entries, encodeLog);
      return;
    case 'AppendEntriesReply':
      sink.int(m.success ? 1 : 0);
      sink.int(m.matchIndex);
      sink.int(m.conflictTerm);
      sink.int(m.conflictIndex);
      return;
    case 'InstallSnapshot':
      encodeSnapshot(m.lastIncludedIndex, m.lastIncludedTerm, m.data, sink);
      return;
    case 'InstallSnapshotReply':
      sink.int(m.matchIndex);
      return;
  }
}

const inFlight = (m: Message, r: Relabelling, sink: Sink): void => sink.relabelledPart(m, r, encodeMessage);

/** candidates[t] is a bitmask of server ids: relabelled bit by bit. */
function candidateMask(mask: number, r: Relabelling, sink: Sink): void {
  let relabelled = 0;
  for (let i = 0; i < r.size; i++) if (mask & (1 << i)) relabelled |= 1 << r.newId[i]!;
  sink.int(relabelled);
}

const electedId = (e: number, r: Relabelling, sink: Sink): void => sink.int(e < 0 ? -1 : r.newId[e]!);

function encodeCommittedEntry(c: CommittedEntry, _: unknown, sink: Sink): void {
  sink.int(c.term);
  sink.str(String(c.command));
  sink.int(c.commitTerm);
}

const encodeCommitted = (list: readonly CommittedEntry[], sink: Sink): void => sink.list(list, null, encodeCommittedEntry);
const encodeCommand = (c: unknown, _: unknown, sink: Sink): void => sink.str(String(c));
const encodeApplied = (list: readonly unknown[], sink: Sink): void => sink.list(list, null, encodeCommand);

export function encodeSystem(s: SystemState, r: Relabelling, sink: Sink): void {
  const servers = s.servers;
  for (let j = 0; j < servers.length; j++) {
    const slot = servers[r.oldId[j]!]!;
    if (slot.state === null) sink.int(0);
    else {
      sink.int(1);
      sink.relabelledPart(slot.state, r, encodeRaftState);
    }
    sink.relabelledPart(slot.persisted, r, encodeDisk);
  }
  sink.bag(s.network, r, inFlight);
  sink.int(s.commandsIssued);
  sink.int(s.crashes);
  sink.int(s.restarts);
  sink.int(s.snapshots);
  sink.list(s.candidates, r, candidateMask);
  sink.list(s.elected, r, electedId);
  sink.part(s.committed, encodeCommitted);
  sink.part(s.applied, encodeApplied);
  sink.int(s.committedAfterRestart ? 1 : 0);
  sink.int(s.installedSnapshot ? 1 : 0);
  candidateMask(s.restartedFromSnapshot, r, sink);
  sink.int(s.committedAfterSnapshotRestart ? 1 : 0);
  sink.byId(s.quorumHeard, r, r, candidateMask); // bitmasks of ids, in relabelled order
  if (s.breach === null) sink.int(0);
  else {
    sink.int(1);
    sink.str(s.breach.invariant);
  }
}
