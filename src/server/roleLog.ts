import { MAX_TERM, type RaftState } from '../core/index.js';

/**
 * The line a node process logs when its role changes, or when its currentTerm reaches MAX_TERM
 * (nothing otherwise: a follower adopting a new term without changing role is routine and would
 * be noise). Reaching MAX_TERM is said once, on the step that reaches it: from then on the core
 * never campaigns, so an operator must know why this node stays a follower.
 */
export function roleChangeLine(before: RaftState, after: RaftState): string | null {
  const roleChanged = before.role !== after.role;
  const reachedMaxTerm = before.currentTerm < MAX_TERM && after.currentTerm === MAX_TERM;
  if (!roleChanged && !reachedMaxTerm) return null;
  const parts: string[] = [];
  if (roleChanged) {
    parts.push(`${before.role} -> ${after.role} in term ${after.currentTerm} (log ${after.log.length}, commitIndex ${after.commitIndex})`);
  }
  if (reachedMaxTerm) parts.push(`currentTerm is ${MAX_TERM}, the largest term (MAX_TERM): this node will never campaign again`);
  return `node ${after.id}: ${parts.join('; ')}`;
}
