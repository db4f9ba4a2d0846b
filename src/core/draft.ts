import { current, isDraft, type Draft } from 'immer';
import type { LogEntry, RaftState } from './types.js';

/** The mutable view of a server's state that handlers edit inside an immer recipe. */
export type ServerDraft = Draft<RaftState>;

export function majority(clusterSize: number): number {
  return Math.floor(clusterSize / 2) + 1;
}

export function peersOf(s: { readonly id: number; readonly clusterSize: number }): number[] {
  const peers: number[] = [];
  for (let i = 0; i < s.clusterSize; i++) if (i !== s.id) peers.push(i);
  return peers;
}

/**
 * The log as plain entries (not drafts), to put in messages and apply records that outlive the
 * recipe. Entries are never edited in place, so this shares every entry object with the state.
 * Handlers never edit the log draft in place either: they assign a new plain array to `s.log`
 * (see setLog). So this is O(1): that plain array, or an unmodified draft's base. (`current` of an
 * edited array draft would copy it through the proxy, drafting every entry: O(n) proxies per call.)
 */
export function plainLog(s: ServerDraft): readonly LogEntry[] {
  const log = s.log;
  return (isDraft(log) ? current(log) : log) as readonly LogEntry[];
}

/**
 * Replaces the log with `kept` followed by `added`, as a new plain array (see plainLog for why
 * never in place). The array and the added entries are frozen here, as immer's autoFreeze would
 * freeze them: immer then skips them when finalizing (it would otherwise walk the whole new log
 * looking for drafts, O(n) per append), and the log is immutable whatever the autoFreeze setting.
 */
export function setLog(s: ServerDraft, kept: readonly LogEntry[], added: readonly LogEntry[]): void {
  for (const entry of added) freezeDeep(entry);
  s.log = Object.freeze([...kept, ...added]) as LogEntry[];
}

/** Freezes plain objects and arrays, deeply (what immer's autoFreeze freezes). */
function freezeDeep(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  const proto: unknown = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return;
  Object.freeze(value);
  for (const child of Object.values(value)) freezeDeep(child);
}
