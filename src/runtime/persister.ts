import type { PersistEffect, PersistentState } from '../core/index.js';

/**
 * Where a node keeps Figure 2's persistent state. `save` is durable when it returns (or when
 * its promise settles): the node sends nothing of a step before its save is done.
 */
export interface Persister {
  save(state: PersistEffect): void | Promise<void>;
  /** What was last saved, or null for a server that never saved anything. */
  load(): PersistentState | null;
}
