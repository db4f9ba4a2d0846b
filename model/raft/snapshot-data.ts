import { lastLogIndex, type LogEntry, type LogIndex, type LogView, type PersistentState } from '../../src/core/index.js';

/**
 * The model's service. Its state machine is the applied log itself, so the snapshot a server
 * takes through index I is the list of the entries 1..I (term and command) it applied. The core
 * treats the snapshot as opaque; the invariants read it, so a server's whole log, in memory or on
 * disk, is its snapshot's entries followed by its log, and every rule compares the
 * snapshot-covered prefix too.
 */
export type SnapshotData = readonly LogEntry[];

const NONE: SnapshotData = Object.freeze([]);

/** A log view with its snapshot (every PersistentState, RaftState and PersistEffect is one). */
export type SnapshotView = LogView & Pick<PersistentState, 'snapshot'>;

/** The entries a snapshot holds (none without one). Anything but the model's own data is a bug of the model. */
export function snapshotEntries(v: SnapshotView): SnapshotData {
  return dataEntries(v.snapshot);
}

/** The entries of snapshot data (a state's, or an InstallSnapshot's). */
export function dataEntries(data: unknown): SnapshotData {
  if (data === null) return NONE;
  if (!Array.isArray(data)) throw new TypeError(`the model's snapshots are lists of entries, got ${typeof data}`);
  return data as SnapshotData;
}

/** The entry at absolute index `i` of the whole log (the snapshot's, then the log's); undefined past either end. */
export function knownEntry(v: SnapshotView, i: LogIndex): LogEntry | undefined {
  const base = v.lastIncludedIndex;
  if (i > base) return v.log[i - base - 1];
  if (i < 1 || base === 0) return undefined;
  return snapshotEntries(v)[i - 1];
}

/**
 * The service's snapshot through `index` (lastIncludedIndex < index <= lastLogIndex): the
 * previous snapshot's entries and then the log's, the very entry objects. Built once per server
 * state and index (the step memo and the fingerprint caches then share it).
 */
export function snapshotThrough(v: SnapshotView & object, index: LogIndex): SnapshotData {
  let byIndex = built.get(v);
  if (byIndex === undefined) built.set(v, (byIndex = new Map()));
  let data = byIndex.get(index);
  if (data === undefined) {
    if (!(index > v.lastIncludedIndex && index <= lastLogIndex(v))) throw new RangeError(`no snapshot through ${index} of entries ${v.lastIncludedIndex + 1}..${lastLogIndex(v)}`);
    data = Object.freeze([...snapshotEntries(v), ...v.log.slice(0, index - v.lastIncludedIndex)]);
    byIndex.set(index, data);
  }
  return data;
}
const built = new WeakMap<object, Map<LogIndex, SnapshotData>>();
