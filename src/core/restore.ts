import { configurationProblem } from './configuration.js';
import type { Configuration, PersistentState, RaftState, ServerId } from './types.js';

export const EMPTY_PERSISTENT_STATE: PersistentState = { currentTerm: 0, votedFor: null, lastIncludedIndex: 0, lastIncludedTerm: 0, snapshot: null, log: [] };

/**
 * Only the persistent fields of `p` (a state, a persist effect, or a persisted state): what a
 * persister keeps, and all a restart may use (lastIncludedConfig only when present).
 */
export function persistentPart(p: PersistentState): PersistentState {
  const { currentTerm, votedFor, lastIncludedIndex, lastIncludedTerm, snapshot, log, lastIncludedConfig } = p;
  const part = { currentTerm, votedFor, lastIncludedIndex, lastIncludedTerm, snapshot, log };
  return lastIncludedConfig === undefined ? part : { ...part, lastIncludedConfig };
}

/**
 * A server's state after a crash, built from what it persisted and nothing else: a follower with
 * the persistent fields exactly as written, and commitIndex = lastApplied = lastIncludedIndex (a
 * snapshot holds only committed entries, and the service restarts from it). `bootstrapConfig`
 * (absent: every server a voter) is the cluster's configuration before any configuration entry,
 * the same at every start of every server of the cluster.
 */
export function restore(id: ServerId, clusterSize: number, persisted: PersistentState, bootstrapConfig?: Configuration): RaftState {
  if (!Number.isInteger(clusterSize) || clusterSize < 1) throw new RangeError(`clusterSize must be a positive integer, got ${clusterSize}`);
  if (!Number.isInteger(id) || id < 0 || id >= clusterSize) throw new RangeError(`server id must be in 0..${clusterSize - 1}, got ${id}`);
  const { lastIncludedIndex, lastIncludedTerm } = persisted;
  if (!Number.isInteger(lastIncludedIndex) || lastIncludedIndex < 0 || !Number.isInteger(lastIncludedTerm) || lastIncludedTerm < 0 || (lastIncludedIndex === 0) !== (lastIncludedTerm === 0)) {
    throw new RangeError(`lastIncludedIndex and lastIncludedTerm must be non-negative integers, both 0 or neither, got ${lastIncludedIndex} and ${lastIncludedTerm}`);
  }
  for (const [name, config] of [['bootstrapConfig', bootstrapConfig], ['lastIncludedConfig', persisted.lastIncludedConfig]] as const) {
    const problem = config === undefined ? null : configurationProblem(config, clusterSize);
    if (problem !== null) throw new RangeError(`${name}: ${problem}`);
  }
  return {
    id,
    clusterSize,
    ...(bootstrapConfig === undefined ? {} : { bootstrapConfig }),
    currentTerm: persisted.currentTerm,
    votedFor: persisted.votedFor,
    lastIncludedIndex: persisted.lastIncludedIndex,
    lastIncludedTerm: persisted.lastIncludedTerm,
    snapshot: persisted.snapshot,
    log: persisted.log,
    ...(persisted.lastIncludedConfig === undefined ? {} : { lastIncludedConfig: persisted.lastIncludedConfig }),
    role: 'follower',
    commitIndex: persisted.lastIncludedIndex,
    lastApplied: persisted.lastIncludedIndex,
    votesGranted: [],
    nextIndex: [],
    matchIndex: [],
    heardFromLeader: false,
    recentActive: [],
  };
}

/** A server that has never run: term 0, no vote, empty log (in a cluster that starts as `bootstrapConfig`). */
export function initialState(id: ServerId, clusterSize: number, bootstrapConfig?: Configuration): RaftState {
  return restore(id, clusterSize, EMPTY_PERSISTENT_STATE, bootstrapConfig);
}
