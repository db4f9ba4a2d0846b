import { current, type Draft } from 'immer';
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
 */
export function plainLog(s: ServerDraft): readonly LogEntry[] {
  return current(s.log) as readonly LogEntry[];
}
