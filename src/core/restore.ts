import type { PersistentState, RaftState, ServerId } from './types.js';

export const EMPTY_PERSISTENT_STATE: PersistentState = { currentTerm: 0, votedFor: null, lastIncludedIndex: 0, lastIncludedTerm: 0, snapshot: null, log: [] };

/**
 * Only the persistent fields of `p` (a state, a persist effect, or a persisted state): what a
 * persister keeps, and all a restart may use.
 */
export function persistentPart(p: PersistentState): PersistentState {
  const { currentTerm, votedFor, lastIncludedIndex, lastIncludedTerm, snapshot, log } = p;
  return { currentTerm, votedFor, lastIncludedIndex, lastIncludedTerm, snapshot, log };
}

/**
 * A server's state after a crash, built from what it persisted and nothing else: a follower with
 * the persistent fields exactly as written, and commitIndex = lastApplied = lastIncludedIndex (a
 * snapshot holds only committed entries, and the service restarts from it).
 */
export function restore(id: ServerId, clusterSize: number, persisted: PersistentState): RaftState {
  if (!Number.isInteger(clusterSize) || clusterSize < 1) throw new RangeError(`clusterSize must be a positive integer, got ${clusterSize}`);
  if (!Number.isInteger(id) || id < 0 || id >= clusterSize) throw new RangeError(`server id must be in 0..${clusterSize - 1}, got ${id}`);
  const { lastIncludedIndex, lastIncludedTerm } = persisted;
  if (!Number.isInteger(lastIncludedIndex) || lastIncludedIndex < 0 || !Number.isInteger(lastIncludedTerm) || lastIncludedTerm < 0 || (lastIncludedIndex === 0) !== (lastIncludedTerm === 0)) {
    throw new RangeError(`lastIncludedIndex and lastIncludedTerm must be non-negative integers, both 0 or neither, got ${lastIncludedIndex} and ${lastIncludedTerm}`);
  }
  return {
    id,
    clusterSize,
    currentTerm: persisted.currentTerm,
    votedFor: persisted.votedFor,
    lastIncludedIndex: persisted.lastIncludedIndex,
    lastIncludedTerm: persisted.lastIncludedTerm,
    snapshot: persisted.snapshot,
    log: persisted.log,
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

/** A server that has never run: term 0, no vote, empty log. */
export function initialState(id: ServerId, clusterSize: number): RaftState {
  return restore(id, clusterSize, EMPTY_PERSISTENT_STATE);
}
