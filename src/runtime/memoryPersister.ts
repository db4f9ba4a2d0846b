import { persistentPart, type PersistEffect, type PersistentState } from '../core/index.js';
import type { Persister } from './persister.js';

/**
 * An in-memory persister with the lab's crash semantics: on a crash the harness takes a copy
 * and restarts the server from the copy, so a dead instance that still writes changes only the
 * orphaned original, which no one reads again. Saves are synchronous (durable on return).
 * States are immutable (the core freezes them), so keeping a reference is keeping a copy.
 *
 * The Raft state and the snapshot are one object, replaced whole by each save: they change
 * together, atomically, as the lab's Save(raftstate, snapshot). Every effect carries the
 * current snapshot (changed or not), so no save can lose one.
 */
export class MemoryPersister implements Persister {
  private state: PersistentState | null;

  constructor(state: PersistentState | null = null) {
    this.state = state;
  }

  save(effect: PersistEffect): void {
    this.state = persistentPart(effect);
  }

  load(): PersistentState | null {
    return this.state;
  }

  copy(): MemoryPersister {
    return new MemoryPersister(this.state);
  }

  /**
   * Size of the saved Raft state without the snapshot (JSON length of currentTerm, votedFor,
   * lastIncludedIndex, lastIncludedTerm and log), as the lab's RaftStateSize: what compaction
   * keeps bounded. 0 before the first save.
   */
  raftStateSize(): number {
    if (this.state === null) return 0;
    const { currentTerm, votedFor, lastIncludedIndex, lastIncludedTerm, log } = this.state;
    return JSON.stringify({ currentTerm, votedFor, lastIncludedIndex, lastIncludedTerm, log }).length;
  }

  /** The last saved snapshot, as the lab's ReadSnapshot (null when none was ever saved). */
  readSnapshot(): unknown {
    return this.state?.snapshot ?? null;
  }
}
