import type { PersistEffect, PersistentState } from '../core/index.js';

/**
 * Where a node keeps Figure 2's persistent state, with Figure 13's snapshot. `save` is durable
 * when it returns (or when its promise settles): the node sends nothing of a step before its
 * save is done. A save writes the Raft state and the snapshot atomically (a crash leaves the
 * one or the other save whole, never the state of one with the snapshot of another); the
 * effect always carries the current snapshot, and `snapshotChanged` says when it is new, so a
 * persister that stores it apart need rewrite it only then. Entries up to the effect's
 * lastIncludedIndex are gone from what `load` gives back.
 */
export interface Persister {
  save(state: PersistEffect): void | Promise<void>;
  /** What was last saved (the snapshot with it), or null for a server that never saved anything. */
  load(): PersistentState | null;
}
