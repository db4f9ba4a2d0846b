import type { RaftState } from '../core/index.js';

/**
 * The line a node process logs when its role changes (nothing otherwise: a follower adopting a
 * new term without changing role is routine and would be noise).
 */
export function roleChangeLine(before: RaftState, after: RaftState): string | null {
  if (before.role === after.role) return null;
  return `node ${after.id}: ${before.role} -> ${after.role} in term ${after.currentTerm}` +
    ` (log ${after.log.length}, commitIndex ${after.commitIndex})`;
}
