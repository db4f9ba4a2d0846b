import type { PersistentState, RaftState, ServerId } from './types.js';

export const EMPTY_PERSISTENT_STATE: PersistentState = { currentTerm: 0, votedFor: null, log: [] };

/**
 * A server's state after a crash, built from what it persisted and nothing else:
 * a follower with commitIndex = lastApplied = 0 and the persistent fields exactly as written.
 */
export function restore(id: ServerId, clusterSize: number, persisted: PersistentState): RaftState {
  if (!Number.isInteger(clusterSize) || clusterSize < 1) throw new RangeError(`clusterSize must be a positive integer, got ${clusterSize}`);
  if (!Number.isInteger(id) || id < 0 || id >= clusterSize) throw new RangeError(`server id must be in 0..${clusterSize - 1}, got ${id}`);
  return {
    id,
    clusterSize,
    currentTerm: persisted.currentTerm,
    votedFor: persisted.votedFor,
    log: persisted.log,
    role: 'follower',
    commitIndex: 0,
    lastApplied: 0,
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
