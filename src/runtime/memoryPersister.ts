import type { PersistEffect, PersistentState } from '../core/index.js';
import type { Persister } from './persister.js';

/**
 * An in-memory persister with the lab's crash semantics: on a crash the harness takes a copy
 * and restarts the server from the copy, so a dead instance that still writes changes only the
 * orphaned original, which no one reads again. Saves are synchronous (durable on return).
 * States are immutable (the core freezes them), so keeping a reference is keeping a copy.
 */
export class MemoryPersister implements Persister {
  private state: PersistentState | null;

  constructor(state: PersistentState | null = null) {
    this.state = state;
  }

  save(effect: PersistEffect): void {
    this.state = { currentTerm: effect.currentTerm, votedFor: effect.votedFor, log: effect.log };
  }

  load(): PersistentState | null {
    return this.state;
  }

  copy(): MemoryPersister {
    return new MemoryPersister(this.state);
  }

  /** Size of the saved state (JSON length), as the lab's RaftStateSize. */
  raftStateSize(): number {
    return this.state ? JSON.stringify(this.state).length : 0;
  }
}
