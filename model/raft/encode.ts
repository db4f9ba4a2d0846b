import type { Configuration, LogEntry, Message, PersistentState, RaftState } from '../../src/core/index.js';
import type { Relabelling } from '../engine/relabelling.js';
import type { Sink } from '../engine/sink.js';
import { holdsConfig, isAppliedConfig, isAppliedNoop } from './configs.js';
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
 *
 * Membership (configuration entries, no-ops, lastIncludedConfig, bootstrapConfig and its ghosts)
 * is written only where it is present, behind a mark or a flag bit that was free before (a
 * command's string, the snapshot's flag, the role's number, the breach flag): with membership
 * off every state writes exactly the calls it wrote before, so every key, fingerprint and count
 * is unchanged. A configuration reads ids: a log (or ghost list) that holds one is a relabelled
 * part, written with the ids relabelled and sorted.
 */

const int = (n: number, _: unknown, sink: Sink): void => sink.int(n);
const bool = (b: boolean, _: unknown, sink: Sink): void => sink.int(b ? 1 : 0);

/** The command's string of a configuration entry and of a no-op: no model command (a number) is either. */
export const CONFIG_MARK = 'c';
export const NOOP_MARK = 'n';

const relabelledIds = (ids: readonly number[], r: Relabelling): number[] => ids.map((id) => r.newId[id]!).sort((a, b) => a - b);

/** Voters, then learners, each as relabelled ids ascending. */
export function encodeConfig(c: Configuration, r: Relabelling, sink: Sink): void {
  const ids = r.rank === 0 ? c.voters : relabelledIds(c.voters, r);
  sink.list(ids, null, int);
  sink.list(r.rank === 0 ? c.learners : relabelledIds(c.learners, r), null, int);
}

/** A command, or a configuration entry's (its command is null: the model gives no context) or a no-op's mark. */
function encodeEntry(e: LogEntry, r: Relabelling, sink: Sink): void {
  sink.int(e.term);
  if (e.config !== undefined) {
    if (e.command !== null) throw new RangeError(`the model's configuration entries carry no context, got ${String(e.command)}`);
    sink.str(CONFIG_MARK);
    encodeConfig(e.config, r, sink);
  } else if (e.noop === true) sink.str(NOOP_MARK);
  else sink.str(String(e.command));
}

/** A log without configuration entries (its encoding reads no id: a plain part). */
export function encodeLog(log: readonly LogEntry[], sink: Sink): void {
  sink.list(log, null as unknown as Relabelling, encodeEntry);
}

const encodeLogRelabelled = (log: readonly LogEntry[], r: Relabelling, sink: Sink): void => sink.list(log, r, encodeEntry);

/** A log as a part: plain, or relabelled when it holds a configuration (the same calls either way). */
export function writeLog(log: readonly LogEntry[], r: Relabelling, sink: Sink): void {
  if (holdsConfig(log)) sink.relabelledPart(log, r, encodeLogRelabelled);
  else sink.part(log, encodeLog);
}

export const ROLES: Record<RaftState['role'], number> = { follower: 0, candidate: 1, leader: 2, preCandidate: 3 };

/**
 * lastIncludedIndex, lastIncludedTerm and the snapshot's entries (a part: shared by servers,
 * disks and messages), after a flag saying whether there are any (bit 0) and whether a
 * lastIncludedConfig follows them (bit 1), so that a reader knows which call comes next (decode.ts).
 */
function encodeSnapshot(lastIncludedIndex: number, lastIncludedTerm: number, data: unknown, config: Configuration | undefined, r: Relabelling, sink: Sink): void {
  sink.int(lastIncludedIndex);
  sink.int(lastIncludedTerm);
  sink.int((data === null ? 0 : 1) | (config === undefined ? 0 : 2));
  if (data !== null) writeLog(dataEntries(data), r, sink);
  if (config !== undefined) encodeConfig(config, r, sink);
}

/** The role's number, plus 4 when a bootstrap configuration follows. */
export const BOOTSTRAP_FLAG = 4;

export function encodeRaftState(s: RaftState, r: Relabelling, sink: Sink): void {
  const bootstrap = s.bootstrapConfig;
  sink.int(ROLES[s.role] | (bootstrap === undefined ? 0 : BOOTSTRAP_FLAG));
  if (bootstrap !== undefined) encodeConfig(bootstrap, r, sink);
  sink.int(s.currentTerm);
  sink.int(r.id(s.votedFor));
  encodeSnapshot(s.lastIncludedIndex, s.lastIncludedTerm, s.snapshot, s.lastIncludedConfig, r, sink);
  writeLog(s.log, r, sink);
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
  encodeSnapshot(d.lastIncludedIndex, d.lastIncludedTerm, d.snapshot, d.lastIncludedConfig, r, sink);
  writeLog(d.log, r, sink);
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
      writeLog(m.entries, r, sink);
      return;
    case 'AppendEntriesReply':
      sink.int(m.success ? 1 : 0);
      sink.int(m.matchIndex);
      sink.int(m.conflictTerm);
      sink.int(m.conflictIndex);
      return;
    case 'InstallSnapshot':
      encodeSnapshot(m.lastIncludedIndex, m.lastIncludedTerm, m.data, m.lastIncludedConfig, r, sink);
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

function encodeCommittedEntry(c: CommittedEntry, r: Relabelling, sink: Sink): void {
  encodeEntry(c, r, sink);
  sink.int(c.commitTerm);
}

const encodeCommitted = (list: readonly CommittedEntry[], sink: Sink): void => sink.list(list, null as unknown as Relabelling, encodeCommittedEntry);
const encodeCommittedRelabelled = (list: readonly CommittedEntry[], r: Relabelling, sink: Sink): void => sink.list(list, r, encodeCommittedEntry);

/** A command as written in a log; a configuration applied, or a no-op, by its mark (configs.ts, appliedValue). */
function encodeCommand(c: unknown, r: Relabelling, sink: Sink): void {
  if (typeof c !== 'object' || c === null) sink.str(String(c));
  else if (isAppliedNoop(c)) sink.str(NOOP_MARK);
  else if (isAppliedConfig(c)) {
    sink.str(CONFIG_MARK);
    encodeConfig(c, r, sink);
  } else sink.str(String(c));
}
const encodeApplied = (list: readonly unknown[], sink: Sink): void => sink.list(list, null as unknown as Relabelling, encodeCommand);
const encodeAppliedRelabelled = (list: readonly unknown[], r: Relabelling, sink: Sink): void => sink.list(list, r, encodeCommand);

/**
 * The membership part of the system (bit 1 of its last flag): the change budget used, the
 * removed-leader ghost and the bootstrap configuration (after a 0/1 flag). Present when any of
 * them is not at its first value.
 */
const isConfigEntry = (c: CommittedEntry): boolean => c.config !== undefined;

const membershipPresent = (s: SystemState): boolean => s.configChanges > 0 || s.removedLeaderTerm > 0 || s.bootstrapConfig != null;

function encodeMembership(s: SystemState, r: Relabelling, sink: Sink): void {
  sink.int(s.configChanges);
  sink.int(s.removedLeaderTerm);
  if (s.bootstrapConfig == null) sink.int(0);
  else {
    sink.int(1);
    encodeConfig(s.bootstrapConfig, r, sink);
  }
}

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
  if (s.committed.some(isConfigEntry)) sink.relabelledPart(s.committed, r, encodeCommittedRelabelled);
  else sink.part(s.committed, encodeCommitted);
  if (s.applied.some(isAppliedConfig)) sink.relabelledPart(s.applied, r, encodeAppliedRelabelled);
  else sink.part(s.applied, encodeApplied);
  sink.int(s.committedAfterRestart ? 1 : 0);
  sink.int(s.installedSnapshot ? 1 : 0);
  candidateMask(s.restartedFromSnapshot, r, sink);
  sink.int(s.committedAfterSnapshotRestart ? 1 : 0);
  sink.byId(s.quorumHeard, r, r, candidateMask); // bitmasks of ids, in relabelled order
  // Bit 0: a breach (its invariant follows); bit 1: the membership part follows.
  const membership = membershipPresent(s);
  sink.int((s.breach === null ? 0 : 1) | (membership ? 2 : 0));
  if (s.breach !== null) sink.str(s.breach.invariant);
  if (membership) encodeMembership(s, r, sink);
}
