import type { Configuration, LogEntry, Message, PersistentState, RaftState, Role } from '../../src/core/index.js';
import type { ByteSource, Decode } from '../engine/byte-source.js';
import { internConfig, NOOP_APPLIED } from './configs.js';
import { BOOTSTRAP_FLAG, CONFIG_MARK, MESSAGE_TYPES, NOOP_MARK, ROLES } from './encode.js';
import { finding } from './finding.js';
import type { CommittedEntry, ServerSlot, SystemState } from './system.js';

/**
 * The reader of the one encoding (encode.ts), as the byte sink wrote it under the identity: one
 * function per encoder, reading each field with the call that wrote it, so that the engine can
 * keep BFS levels as bytes and get back a state equal to the one packed for every purpose of the
 * model (actions, next, invariants, goals, keys). What the encoding leaves out follows from what
 * it writes: a server's id and the cluster size from its position, candidateId and leaderId
 * from `from`. A breach comes back as its invariant alone: the engine asks the invariant again
 * of the replayed state for what broke (result.ts), and nothing else reads its detail.
 *
 * Decoded objects are frozen, as the core's states are, and parts are interned by the source.
 */

const ROLE_OF: readonly Role[] = inverse(ROLES);
const MESSAGE_TYPE_OF: readonly Message['type'][] = inverse(MESSAGE_TYPES);

function inverse<K extends string>(table: Record<K, number>): K[] {
  const out: K[] = [];
  for (const k of Object.keys(table) as K[]) out[table[k]] = k;
  return out;
}

/** The model's commands are the client requests' numbers (transitions.ts), written as strings. */
function number(s: string): number {
  const n = Number(s);
  if (String(n) !== s) throw new RangeError(`a packed command must be a number, got '${s}'`);
  return n;
}

const config = (src: ByteSource): Configuration => internConfig(src.list(int), src.list(int));

/** An applied command, configuration or no-op (encodeCommand). */
function command(src: ByteSource): unknown {
  const s = src.str();
  if (s === NOOP_MARK) return NOOP_APPLIED;
  if (s === CONFIG_MARK) return config(src);
  return number(s);
}

const int = (src: ByteSource): number => src.int();
const bool = (src: ByteSource): boolean => src.bool();
const vote = (src: ByteSource): number | null => {
  const v = src.int();
  return v < 0 ? null : v;
};

/** A log entry: a command, a configuration entry (its command null) or a no-op (encodeEntry). */
function entry(src: ByteSource): LogEntry {
  const term = src.int();
  const s = src.str();
  if (s === CONFIG_MARK) return Object.freeze({ term, command: null, config: config(src) });
  if (s === NOOP_MARK) return Object.freeze({ term, command: null, noop: true as const });
  return Object.freeze({ term, command: number(s) });
}
export const decodeLog: Decode<readonly LogEntry[]> = (src) => Object.freeze(src.list(entry));

interface Snapshot {
  readonly lastIncludedIndex: number;
  readonly lastIncludedTerm: number;
  readonly data: readonly LogEntry[] | null;
  readonly lastIncludedConfig: Configuration | undefined;
}

function snapshot(src: ByteSource): Snapshot {
  const lastIncludedIndex = src.int();
  const lastIncludedTerm = src.int();
  const flag = src.int();
  const data = (flag & 1) === 0 ? null : src.part(decodeLog);
  return { lastIncludedIndex, lastIncludedTerm, data, lastIncludedConfig: (flag & 2) === 0 ? undefined : config(src) };
}

/** lastIncludedConfig as the core writes it: present only when there is one. */
const withConfig = <T extends object>(o: T, c: Configuration | undefined): T | (T & { lastIncludedConfig: Configuration }) => (c === undefined ? o : { ...o, lastIncludedConfig: c });

function raftState(id: number, clusterSize: number, src: ByteSource): RaftState {
  const roleAndFlag = src.int();
  const role = ROLE_OF[roleAndFlag & ~BOOTSTRAP_FLAG]!;
  const bootstrapConfig = (roleAndFlag & BOOTSTRAP_FLAG) === 0 ? undefined : config(src);
  const currentTerm = src.int();
  const votedFor = vote(src);
  const snap = snapshot(src);
  const log = src.part(decodeLog);
  const commitIndex = src.int();
  const lastApplied = src.int();
  const votesGranted = Object.freeze(src.list(bool));
  const nextIndex = Object.freeze(src.list(int));
  const matchIndex = Object.freeze(src.list(int));
  const heardFromLeader = src.bool();
  const recentActive = Object.freeze(src.list(bool));
  // The core's field order (restore.ts), so that decoded states share the core's object shape.
  return Object.freeze({
    id, clusterSize, ...(bootstrapConfig === undefined ? {} : { bootstrapConfig }), currentTerm, votedFor,
    lastIncludedIndex: snap.lastIncludedIndex, lastIncludedTerm: snap.lastIncludedTerm, snapshot: snap.data, log,
    ...(snap.lastIncludedConfig === undefined ? {} : { lastIncludedConfig: snap.lastIncludedConfig }),
    role, commitIndex, lastApplied, votesGranted, nextIndex, matchIndex, heardFromLeader, recentActive,
  });
}

/**
 * A server state's part reads its id and the cluster size from where it stands, so each position
 * has a decoder of its own (and its own intern table: equal bytes at two positions are two states).
 */
const raftStateDecoders: Decode<RaftState>[][] = [];
function raftStateAt(id: number, clusterSize: number): Decode<RaftState> {
  const bySize = (raftStateDecoders[clusterSize] ??= []);
  return (bySize[id] ??= (src) => raftState(id, clusterSize, src));
}

const disk: Decode<PersistentState> = (src) => {
  const currentTerm = src.int();
  const votedFor = vote(src);
  const snap = snapshot(src);
  const log = src.part(decodeLog);
  return Object.freeze(withConfig({ currentTerm, votedFor, lastIncludedIndex: snap.lastIncludedIndex, lastIncludedTerm: snap.lastIncludedTerm, snapshot: snap.data, log }, snap.lastIncludedConfig));
};

export const decodeMessage: Decode<Message> = (src) => {
  const type = MESSAGE_TYPE_OF[src.int()]!;
  const from = src.int();
  const to = src.int();
  const term = src.int();
  switch (type) {
    case 'RequestVote':
    case 'PreVote':
      return Object.freeze({ type, from, to, term, candidateId: from, lastLogIndex: src.int(), lastLogTerm: src.int() });
    case 'RequestVoteReply':
    case 'PreVoteReply':
      return Object.freeze({ type, from, to, term, voteGranted: src.bool() });
    case 'AppendEntries': {
      const prevLogIndex = src.int();
      const prevLogTerm = src.int();
      const leaderCommit = src.int();
      return Object.freeze({ type, from, to, term, leaderId: from, prevLogIndex, prevLogTerm, entries: src.part(decodeLog), leaderCommit });
    }
    case 'AppendEntriesReply':
      return Object.freeze({ type, from, to, term, success: src.bool(), matchIndex: src.int(), conflictTerm: src.int(), conflictIndex: src.int() });
    case 'InstallSnapshot': {
      const snap = snapshot(src);
      return Object.freeze(withConfig({ type, from, to, term, leaderId: from, lastIncludedIndex: snap.lastIncludedIndex, lastIncludedTerm: snap.lastIncludedTerm, data: snap.data }, snap.lastIncludedConfig));
    }
    case 'InstallSnapshotReply':
      return Object.freeze({ type, from, to, term, matchIndex: src.int() });
  }
};

const inFlight = (src: ByteSource): Message => src.part(decodeMessage);
function committedEntry(src: ByteSource): CommittedEntry {
  const { term, command, config, noop } = entry(src);
  const commitTerm = src.int();
  return Object.freeze(config !== undefined ? { term, command, commitTerm, config } : noop === true ? { term, command, commitTerm, noop } : { term, command, commitTerm });
}
const decodeCommitted: Decode<readonly CommittedEntry[]> = (src) => Object.freeze(src.list(committedEntry));
const decodeApplied: Decode<readonly unknown[]> = (src) => Object.freeze(src.list(command));

/** A system state of `servers` servers, as encodeSystem wrote it under the identity. */
export function decodeSystem(src: ByteSource, servers: number): SystemState {
  const slots: ServerSlot[] = [];
  for (let id = 0; id < servers; id++) {
    const state = src.int() === 0 ? null : src.part(raftStateAt(id, servers));
    slots.push(Object.freeze({ state, persisted: src.part(disk) }));
  }
  const network = Object.freeze(src.list(inFlight));
  const commandsIssued = src.int();
  const crashes = src.int();
  const restarts = src.int();
  const snapshots = src.int();
  const candidates = Object.freeze(src.list(int));
  const elected = Object.freeze(src.list(int));
  const committed = src.part(decodeCommitted);
  const applied = src.part(decodeApplied);
  const committedAfterRestart = src.bool();
  const installedSnapshot = src.bool();
  const restartedFromSnapshot = src.int();
  const committedAfterSnapshotRestart = src.bool();
  const quorumHeard = Object.freeze(src.list(int));
  const flags = src.int();
  const breach = (flags & 1) === 0 ? null : breachOf(src.str());
  let configChanges = 0;
  let removedLeaderTerm = 0;
  let bootstrapConfig: Configuration | null = null;
  if ((flags & 2) !== 0) {
    configChanges = src.int();
    removedLeaderTerm = src.int();
    if (src.int() !== 0) bootstrapConfig = config(src);
  }
  return {
    servers: Object.freeze(slots), network, commandsIssued, crashes, restarts, snapshots,
    candidates, elected, committed, applied, committedAfterRestart, installedSnapshot,
    restartedFromSnapshot, committedAfterSnapshotRestart, quorumHeard, breach, configChanges, bootstrapConfig, removedLeaderTerm,
  };
}

const breachOf = (invariant: string) => finding(invariant, [], [], `${invariant} was broken by the step into this state (unpacked: replay the path for what broke)`);
