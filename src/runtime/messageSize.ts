import type { LogEntry, Message } from '../core/index.js';

/**
 * A message's size in bytes as the network counts it: the length of its JSON encoding.
 * Entries are immutable and shared between the log and every message carrying them, so each
 * entry's length is computed once and remembered; a message's size then costs its entry count,
 * not its byte count, which matters when a leader repeats a long tail to a lagging follower.
 * The result equals JSON.stringify(message).length.
 */
const entrySizes = new WeakMap<LogEntry, number>();

function entrySize(entry: LogEntry): number {
  let size = entrySizes.get(entry);
  if (size === undefined) {
    size = JSON.stringify(entry).length;
    entrySizes.set(entry, size);
  }
  return size;
}

export function messageSize(m: Message): number {
  if (m.type !== 'AppendEntries' || m.entries.length === 0) return JSON.stringify(m).length;
  let size = JSON.stringify({ ...m, entries: [] }).length + (m.entries.length - 1); // commas
  for (const entry of m.entries) size += entrySize(entry);
  return size;
}
