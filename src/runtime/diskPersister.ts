import { promises as fsp } from 'node:fs';
import { dirname, join } from 'node:path';
import { lastLogIndex, persistentPart, type Configuration, type LogEntry, type PersistEffect, type PersistentState, type ServerId, type Term } from '../core/index.js';
import { MAX_TERM } from '../core/limits.js';
import {
  DiskPersisterError, HEADER_SIZE, NO_SNAPSHOT, RecordProblem, RecordType, appendOp, currentSeal, decodeRecord, encodeEntry,
  encodeFlush, encodeFrame, encodeHeader, encodeSealFile, encodeSealSlot, encodeSnapshotFile, isTerm, judgeLog, misplaced,
  readFrame, readHeader, readLog, readSealSlots, readSnapshotFile, readVersion2, repairHint, sameChange, SEAL_SLOT_SIZE, snapshotConfigOp, snapshotId,
  stateOp, storedChecksum, truncateOp, type Change, type Discard, type LogHeader, type Op, type Seal, type SnapshotId,
} from './diskFormat.js';
import { sameConfiguration } from './configurationFormat.js';
import type { Persister } from './persister.js';
import { ensureDirectory } from '../fs/ensureDirectory.js';

export { CommandEncodingError, DiskPersisterError, SnapshotEncodingError, type DiskErrorKind, type Discard } from './diskFormat.js';

export const LOG_FILE = 'raft.log';
/** Two alternating slots naming how much of the log was acknowledged (see diskFormat.ts). */
export const SEAL_FILE = 'raft.seal';
/** Written once the log file exists durably: from then on a missing log is an error, not a fresh start. */
export const MARKER_FILE = 'raft.marker';
/** The service's snapshot (Figure 13) that the log's entries follow; the seal names it. */
export const SNAPSHOT_FILE = 'raft.snapshot';
const TEMP_SUFFIX = '.tmp';
/** The log's temp file (a compaction or a first write in progress): state too, for the identity check. */
export const LOG_TEMP_FILE = LOG_FILE + TEMP_SUFFIX;
/** A new snapshot on its way in (renamed over SNAPSHOT_FILE once the log that goes with it is in place). */
export const SNAPSHOT_TEMP_FILE = SNAPSHOT_FILE + TEMP_SUFFIX;
/** Every file of the persister's: what makes a directory hold Raft state. */
export const STATE_FILES: readonly string[] = [LOG_FILE, SEAL_FILE, MARKER_FILE, SNAPSHOT_FILE, LOG_TEMP_FILE, SNAPSHOT_TEMP_FILE];

/** The file operations the disk persister uses; node's fs.promises by default, injectable for tests. */
export interface DiskFileHandle {
  write(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesWritten: number }>;
  sync(): Promise<void>;
  datasync(): Promise<void>;
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
}

export interface DiskFs {
  open(path: string, flags: string): Promise<DiskFileHandle>;
  /** Rejects with code ENOENT when the file does not exist. */
  readFile(path: string): Promise<Buffer>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  mkdir(path: string): Promise<void>;
  exists(path: string): Promise<boolean>;
}

export const nodeDiskFs: DiskFs = {
  open: (path, flags) => fsp.open(path, flags),
  readFile: (path) => fsp.readFile(path),
  rename: (from, to) => fsp.rename(from, to),
  unlink: (path) => fsp.unlink(path),
  // One component at a time (src/fs): Node's recursive mkdir spins for ever under /proc.
  mkdir: async (path) => { ensureDirectory(path, 'data directory'); },
  exists: async (path) => {
    try {
      await fsp.lstat(path);
      return true;
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return false;
      throw error;
    }
  },
};

export interface DiskPersisterOptions {
  readonly fs?: DiskFs;
  /** Compact only once the file is larger than this (default 1 MiB). */
  readonly compactMinBytes?: number;
  /** ... and larger than this many times the live state's size (default 4). */
  readonly compactFactor?: number;
}

export interface DiskPersisterStats {
  /** save calls. */
  saves: number;
  /** Record batches written to the log (each one write and one fsync). */
  flushes: number;
  /** fsyncs of the log file for flushes (compaction and directory fsyncs are counted apart). */
  fsyncs: number;
  /** fsyncs of the seal file (one per flush, after the log's, before the saves resolve). */
  sealSyncs: number;
  bytesWritten: number;
  compactions: number;
  /** Snapshot files written (each with a new log generation holding only the entries after it). */
  snapshots: number;
  /** Bytes of torn tail discarded at open. */
  tornBytesDiscarded: number;
  /** What open dropped: an unsealed (never acknowledged) torn tail; null when nothing. */
  discarded: Discard | null;
}

/** Where the seal file stands: the slot holding the current seal, and the highest seq written. */
interface SealState {
  readonly handle: DiskFileHandle;
  slot: 0 | 1;
  seq: number;
}

interface Pending {
  readonly ops: readonly Op[];
  readonly state: PersistentState;
  /** For a save that brings a new snapshot: its file, written with a new log generation (ops then unused). */
  readonly snapshotFile: Buffer | null;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

const COMPACT_CHUNK_BYTES = 1 << 20;

/**
 * A durable persister: an append-only log file of checksummed records (see diskFormat.ts) in
 * a data directory, and the service's snapshot in a file beside it. Open with
 * `DiskPersister.open(dir)`; `load()` then answers synchronously (the snapshot included).
 *
 * `save` encodes only what changed (hard state if it changed; a truncation and the new entries
 * from `logChangedFrom`), so a save costs what changed, never the log's size. Its promise
 * resolves once the record is written and fsync'd and its seal (end offset and checksum, see
 * diskFormat.ts) is written to the seal file and fsync'd: two fsyncs per flush, so at start
 * everything up to the sealed end is known to have been acknowledged, and damage there is a
 * refusal rather than a silently shorter log. Saves that arrive while a flush is in flight are
 * written together as one record and sealed once, and each resolves after the seal that covers it.
 *
 * A new generation of the log (the live state alone: a header naming the snapshot, the hard
 * state, the entries after lastIncludedIndex) is written when the file outgrows the live state
 * (compaction, see the options) and with every new snapshot (`snapshotChanged`), so the log
 * keeps only the suffix. In that order: the snapshot to its temp file, fsync'd; the generation to
 * the log's temp file, fsync'd; its seal, naming the snapshot file by size and checksum, in the
 * slot not holding the current seal (so the old generation's seal survives); the log renamed into
 * place and the directory fsync'd (the commit point); the snapshot renamed into place and the
 * directory fsync'd. A crash before the log's rename is durable leaves the old log, its seal and
 * its snapshot; after it, the new log and its seal, with the new snapshot in place or still in
 * its temp file, which the next open renames in (it is the one the seal names). At every point
 * some seal vouches for the log found and names the one snapshot that goes with it.
 *
 * Fail-stop: once a write, fsync or compaction fails, every pending and later save rejects.
 */
export class DiskPersister implements Persister {
  readonly stats: DiskPersisterStats;
  /** The last saved state (possibly not yet durable), or null before any record exists. */
  private latest: PersistentState | null;
  /** Stored size of each entry of `latest.log`, and their sum: the live-size estimate. */
  private readonly entrySizes: number[];
  private liveEntryBytes: number;
  /** What the file holds once every write so far is durable. */
  private durable: PersistentState;
  private pending: Pending[] = [];
  private flushing: Promise<void> | null = null;
  private failure: unknown = null;
  private closed = false;
  private readonly compactMinBytes: number;
  private readonly compactFactor: number;

  private constructor(
    readonly dir: string,
    private readonly fs: DiskFs,
    private handle: DiskFileHandle,
    private size: number,
    private generation: number,
    private readonly seal: SealState,
    /** The snapshot file the current log generation goes with (what every seal names). */
    private snapshot: SnapshotId,
    loaded: LogHeader & { currentTerm: Term; votedFor: ServerId | null; lastIncludedConfig?: Configuration; log: readonly LogEntry[]; entrySizes: number[]; records: number },
    snapshotData: unknown,
    discarded: Discard | null,
    options: DiskPersisterOptions,
  ) {
    const state: PersistentState = {
      currentTerm: loaded.currentTerm, votedFor: loaded.votedFor, log: Object.freeze(loaded.log),
      lastIncludedIndex: loaded.lastIncludedIndex, lastIncludedTerm: loaded.lastIncludedTerm, snapshot: snapshotData,
      ...(loaded.lastIncludedConfig !== undefined ? { lastIncludedConfig: loaded.lastIncludedConfig } : {}),
    };
    this.latest = loaded.records > 0 ? state : null;
    this.durable = state;
    this.entrySizes = loaded.entrySizes;
    this.liveEntryBytes = loaded.entrySizes.reduce((a, b) => a + b, 0);
    this.compactMinBytes = options.compactMinBytes ?? 1 << 20;
    this.compactFactor = options.compactFactor ?? 4;
    this.stats = {
      saves: 0, flushes: 0, fsyncs: 0, sealSyncs: 0, bytesWritten: 0, compactions: 0, snapshots: 0,
      tornBytesDiscarded: discarded?.bytes ?? 0, discarded,
    };
  }

  get logPath(): string {
    return join(this.dir, LOG_FILE);
  }

  get snapshotPath(): string {
    return join(this.dir, SNAPSHOT_FILE);
  }

  /** Current size of the log file in bytes (including writes not yet fsync'd). */
  get fileSize(): number {
    return this.size;
  }

  /** Size of the snapshot file the current log goes with (0: none). */
  get snapshotFileSize(): number {
    return this.snapshot.bytes;
  }

  /**
   * Opens (creating if needed) the data directory. A brand-new or empty directory starts from
   * the empty state; a torn flush past the sealed end (never acknowledged) is dropped, counted in
   * `stats.discarded` and the file truncated; anything missing or damaged up to the sealed end,
   * a snapshot file other than the one the seal names, or anything else wrong, rejects with a
   * one-line DiskPersisterError naming the file and `pure-raft repair`.
   */
  static async open(dir: string, options: DiskPersisterOptions = {}): Promise<DiskPersister> {
    const fs = options.fs ?? nodeDiskFs;
    if (options.compactFactor !== undefined && !(options.compactFactor >= 1.5)) {
      throw new RangeError(`compactFactor must be at least 1.5 (a compacted file must fit well under the threshold), got ${options.compactFactor}`);
    }
    if (options.compactMinBytes !== undefined && !(options.compactMinBytes >= 0)) {
      throw new RangeError(`compactMinBytes must be non-negative, got ${options.compactMinBytes}`);
    }
    const logPath = join(dir, LOG_FILE);
    const markerPath = join(dir, MARKER_FILE);
    const sealPath = join(dir, SEAL_FILE);
    const tempPath = join(dir, LOG_TEMP_FILE);
    const snapshotTempPath = join(dir, SNAPSHOT_TEMP_FILE);
    const fix = repairHint(dir);
    await fs.mkdir(dir);
    // A log temp file is a compaction or creation a crash interrupted before its rename: the log
    // (or its absence) is still the truth. (A snapshot temp file may be the one the log's seal
    // names: it is judged below.)
    if (await fs.exists(tempPath)) await fs.unlink(tempPath);

    let bytes = await readOrNull(fs, logPath);
    if (bytes === null) {
      if (await fs.exists(markerPath)) {
        throw new DiskPersisterError('missing-state', logPath, null, `the log is missing but ${MARKER_FILE} says this directory holds Raft state`, fix);
      }
      bytes = encodeHeader({ generation: 1, lastIncludedIndex: 0, lastIncludedTerm: 0 });
      await writeDurably(fs, tempPath, [bytes]);
      await fs.rename(tempPath, logPath);
      await syncDirectory(fs, dir);
      await syncDirectory(fs, dirname(dir)); // the data directory itself may be new
    }
    const sealBytes = (await readOrNull(fs, sealPath)) ?? Buffer.alloc(0);
    // A version-2 log (before snapshots) is read as a version-3 one without a snapshot and
    // rewritten as version 3 below, before anything else is written.
    const version2 = readVersion2(bytes, sealBytes);
    if (version2 !== null) bytes = version2.log;
    const { generation } = readHeader(bytes, logPath);
    const slots = version2?.slots ?? readSealSlots(sealBytes);
    let chosen = currentSeal(slots, generation);
    const read = readLog(bytes, logPath, chosen?.seal.end ?? null);
    const fresh = !(await fs.exists(markerPath));
    const discarded = judgeLog(read, bytes.length, chosen?.seal ?? null, logPath, fresh, fix);
    if (chosen === null) {
      // A log of no records that no seal names yet: this directory's creation, interrupted or new.
      const first: Seal = { seq: 1, generation, end: HEADER_SIZE, lastCrc: 0, snapshot: NO_SNAPSHOT };
      await writeDurably(fs, sealPath, [encodeSealFile(first)]);
      await syncDirectory(fs, dir);
      chosen = { seal: first, slot: 0 };
    }
    const snapshotData = await openSnapshot(fs, dir, chosen.seal.snapshot, fix);
    if (await fs.exists(snapshotTempPath)) await fs.unlink(snapshotTempPath); // not the one the seal names
    if (fresh) {
      await writeDurably(fs, markerPath, [Buffer.from('pure-raft disk persister: this directory holds Raft state\n')]);
      await syncDirectory(fs, dir);
    }

    const handle = await fs.open(logPath, 'r+');
    let sealHandle: DiskFileHandle | null = null;
    try {
      if (version2 !== null) {
        sealHandle = await fs.open(sealPath, 'r+');
        // The version-3 seal goes to slot 1 (bytes 64-127), past both version-2 slots, so until
        // the new log's rename is durable the old log's seal is still there.
        const seal: SealState = { handle: sealHandle, slot: 0, seq: Math.max(slots[0]?.seq ?? 0, slots[1]?.seq ?? 0, chosen.seal.seq) };
        const upgraded = new DiskPersister(dir, fs, handle, read.end, generation, seal, NO_SNAPSHOT, read, null, discarded, options);
        await upgraded.writeGeneration(upgraded.durable, null);
        upgraded.stats.compactions = 0;
        return upgraded;
      }
      if (discarded) {
        await handle.truncate(read.end);
        await handle.datasync();
      }
      sealHandle = await fs.open(sealPath, 'r+');
      const seqs = [slots[0]?.seq ?? 0, slots[1]?.seq ?? 0, chosen.seal.seq];
      const seal: SealState = { handle: sealHandle, slot: chosen.slot, seq: Math.max(...seqs) };
      const snapshot = chosen.seal.snapshot;
      // Whole records past the old seal were durable but never acknowledged: seal what is kept,
      // so the next flush appends to a fully sealed log.
      if (read.end !== chosen.seal.end) await writeSeal(seal, { generation, end: read.end, lastCrc: read.lastCrc, snapshot });
      return new DiskPersister(dir, fs, handle, read.end, generation, seal, snapshot, read, snapshotData, discarded, options);
    } catch (error) {
      await handle.close();
      await sealHandle?.close();
      throw error;
    }
  }

  load(): PersistentState | null {
    return this.latest;
  }

  save(effect: PersistEffect): Promise<void> {
    this.stats.saves++;
    if (this.closed) return Promise.reject(new Error(`disk persister for ${this.dir} is closed`));
    if (this.failure !== null) return Promise.reject(this.failure);
    const previous = this.latest ?? this.durable;
    const base = effect.lastIncludedIndex;
    if (!isTerm(effect.currentTerm)) {
      return Promise.reject(new RangeError(`currentTerm ${String(effect.currentTerm)} is not an integer from 0 to MAX_TERM (${MAX_TERM}); refusing to persist it`));
    }
    if (effect.snapshotChanged
      ? !(Number.isSafeInteger(base) && base > previous.lastIncludedIndex && isTerm(effect.lastIncludedTerm))
      : base !== previous.lastIncludedIndex || effect.lastIncludedTerm !== previous.lastIncludedTerm) {
      return Promise.reject(new RangeError(`${this.logPath}: a save with snapshot through ${base} (term ${effect.lastIncludedTerm}, snapshotChanged ${effect.snapshotChanged}) after the snapshot through ${previous.lastIncludedIndex} (term ${previous.lastIncludedTerm}); refusing to write it`));
    }
    // lastIncludedConfig is written with a new generation only: it changes only with the snapshot.
    if (!effect.snapshotChanged && !sameConfiguration(effect.lastIncludedConfig, previous.lastIncludedConfig)) {
      return Promise.reject(new RangeError(`${this.logPath}: a save that changes lastIncludedConfig without a new snapshot; refusing to write it`));
    }
    // A new snapshot comes with a new generation holding the whole suffix; otherwise only what changed.
    const from = effect.snapshotChanged ? base + 1 : Math.min(effect.logChangedFrom, lastLogIndex(previous) + 1, lastLogIndex(effect) + 1);
    if (!Number.isSafeInteger(from) || from <= base) {
      return Promise.reject(new RangeError(`invalid logChangedFrom ${effect.logChangedFrom}`));
    }
    const encoded: string[] = [];
    let snapshotFile: Buffer | null = null;
    try {
      for (let index = from; index <= lastLogIndex(effect); index++) {
        encoded.push(encodeEntry(effect.log[index - base - 1] as LogEntry, index));
      }
      if (effect.snapshotChanged) {
        snapshotFile = encodeSnapshotFile(base, effect.lastIncludedTerm, effect.snapshot);
        if (effect.lastIncludedConfig !== undefined) snapshotConfigOp(effect.lastIncludedConfig); // refused here, before anything is queued
      }
    } catch (error) {
      return Promise.reject(error);
    }
    const ops: Op[] = [];
    if (snapshotFile === null) {
      const meant: Change[] = [];
      if (effect.currentTerm !== previous.currentTerm || effect.votedFor !== previous.votedFor) {
        ops.push(stateOp(effect.currentTerm, effect.votedFor));
        meant.push({ type: RecordType.State, currentTerm: effect.currentTerm, votedFor: effect.votedFor });
      }
      if (from <= lastLogIndex(previous)) {
        ops.push(truncateOp(from));
        meant.push({ type: RecordType.Truncate, from });
      }
      if (encoded.length > 0) {
        ops.push(appendOp(from, encoded));
        meant.push({ type: RecordType.Append, from, entries: effect.log.slice(from - base - 1) });
      }
      const wrong = readsBackWrong(ops, meant, base, lastLogIndex(previous));
      if (wrong !== null) {
        return Promise.reject(new RangeError(`${this.logPath}: this save would not read back as given (${wrong}); refusing to write it`));
      }
    }

    const keep = snapshotFile === null ? from - base - 1 : 0;
    for (let i = keep; i < this.entrySizes.length; i++) this.liveEntryBytes -= this.entrySizes[i] ?? 0;
    this.entrySizes.length = keep;
    for (const e of encoded) {
      const bytes = Buffer.byteLength(e, 'utf8');
      this.entrySizes.push(bytes);
      this.liveEntryBytes += bytes;
    }
    const state = persistentPart(effect);
    this.latest = state;
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ ops, state, snapshotFile, resolve, reject });
      // Started from a microtask, so a loop that finishes without awaiting cannot clear
      // `flushing` before it is assigned.
      this.flushing ??= Promise.resolve().then(() => this.flushLoop());
    });
  }

  /** Waits for every save so far to be durable (or to fail), then closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.flushing) await this.flushing.catch(() => undefined);
    await this.handle.close();
    await this.seal.handle.close();
  }

  private async flushLoop(): Promise<void> {
    let batch: Pending[] = [];
    try {
      while (this.pending.length > 0) {
        batch = this.pending;
        this.pending = [];
        // A new snapshot's generation holds the whole state of its save, so the saves before it
        // in the batch are in it; the saves after it are appended to it as usual.
        let last = -1;
        batch.forEach((p, i) => { if (p.snapshotFile !== null) last = i; });
        const withSnapshot = batch[last];
        if (withSnapshot !== undefined) await this.writeGeneration(withSnapshot.state, withSnapshot.snapshotFile);
        const ops = batch.slice(last + 1).flatMap((p) => p.ops);
        const record = encodeFlush(ops);
        if (record.length > 0) {
          const wrong = frameReadsBackWrong(record, ops.length);
          if (wrong !== null) throw new Error(`${this.logPath} at offset ${this.size}: the flush record would not read back (${wrong}); refusing to write it`);
          await writeAll(this.handle, record, this.size);
          this.size += record.length;
          this.stats.bytesWritten += record.length;
          await this.handle.datasync();
          this.stats.flushes++;
          this.stats.fsyncs++;
          await writeSeal(this.seal, { generation: this.generation, end: this.size, lastCrc: storedChecksum(record), snapshot: this.snapshot });
          this.stats.sealSyncs++;
        }
        this.durable = (batch[batch.length - 1] as Pending).state;
        for (const p of batch) p.resolve();
        batch = [];
        if (this.size > Math.max(this.compactMinBytes, this.compactFactor * this.liveSizeEstimate())) {
          await this.writeGeneration(this.durable, null);
        }
      }
    } catch (error) {
      this.failure = error;
      for (const p of [...batch, ...this.pending]) p.reject(error);
      this.pending = [];
    } finally {
      this.flushing = null;
    }
  }

  private liveSizeEstimate(): number {
    return HEADER_SIZE + 64 + this.liveEntryBytes + this.entrySizes.length;
  }

  /**
   * Writes `state` as the next log generation (and `snapshotFile`, when given, as the snapshot
   * it goes with), in the order the class comment gives: at every point a crash leaves the old
   * generation with its snapshot or the new one with its snapshot.
   */
  private async writeGeneration(state: PersistentState, snapshotFile: Buffer | null): Promise<void> {
    const tempPath = this.logPath + TEMP_SUFFIX;
    const snapshotTempPath = this.snapshotPath + TEMP_SUFFIX;
    const generation = (this.generation + 1) >>> 0;
    const base = state.lastIncludedIndex;
    const chunks: Buffer[] = [
      encodeHeader({ generation, lastIncludedIndex: base, lastIncludedTerm: state.lastIncludedTerm }),
      encodeFrame(RecordType.State, stateOp(state.currentTerm, state.votedFor).json),
    ];
    if (state.lastIncludedConfig !== undefined) chunks.push(encodeFrame(RecordType.SnapshotConfig, snapshotConfigOp(state.lastIncludedConfig).json));
    let from = base + 1;
    let entries: string[] = [];
    let chunkBytes = 0;
    const cut = (next: number): void => {
      if (entries.length === 0) return;
      const op = appendOp(from, entries);
      chunks.push(encodeFrame(op.type, op.json));
      from = next;
      entries = [];
      chunkBytes = 0;
    };
    state.log.forEach((entry, i) => {
      const encoded = encodeEntry(entry, base + i + 1);
      entries.push(encoded);
      chunkBytes += encoded.length;
      if (chunkBytes >= COMPACT_CHUNK_BYTES) cut(base + i + 2);
    });
    cut(lastLogIndex(state) + 1);
    const snapshot = snapshotFile === null ? this.snapshot : snapshotId(snapshotFile, base, state.lastIncludedTerm);
    if (snapshotFile !== null) {
      // Read back before it is written: the file must give the snapshot back.
      readSnapshotFile(snapshotFile, snapshotTempPath, snapshot, null);
      await writeDurably(this.fs, snapshotTempPath, [snapshotFile]);
      this.stats.bytesWritten += snapshotFile.length;
    }
    const size = await writeDurably(this.fs, tempPath, chunks);
    this.stats.bytesWritten += size;
    // Sealed before the rename, in the other slot: until the rename is durable the old log's
    // seal is still there for the old log.
    await writeSeal(this.seal, { generation, end: size, lastCrc: storedChecksum(chunks[chunks.length - 1] as Buffer), snapshot });
    await this.fs.rename(tempPath, this.logPath);
    await syncDirectory(this.fs, this.dir);
    if (snapshotFile !== null) {
      await this.fs.rename(snapshotTempPath, this.snapshotPath);
      await syncDirectory(this.fs, this.dir);
    }
    const old = this.handle;
    this.handle = await this.fs.open(this.logPath, 'r+');
    this.size = size;
    this.generation = generation;
    this.snapshot = snapshot;
    if (snapshotFile === null) this.stats.compactions++;
    else this.stats.snapshots++;
    await old.close();
  }
}

/**
 * The snapshot the seal names, read from the snapshot file (or from its temp file, when a crash
 * came between the log's rename and the snapshot's: renamed into place first); null when the
 * seal names none, and then no snapshot file may be there. Anything else is a refusal naming
 * the file.
 */
async function openSnapshot(fs: DiskFs, dir: string, named: SnapshotId, fix: string): Promise<unknown> {
  const path = join(dir, SNAPSHOT_FILE);
  const tempPath = join(dir, SNAPSHOT_TEMP_FILE);
  if (named.lastIncludedIndex === 0) {
    if (await fs.exists(path)) {
      throw new DiskPersisterError('stray-snapshot', path, null, `the log's seal says it follows no snapshot, but this snapshot file is there`, fix);
    }
    return null;
  }
  const bytes = await readOrNull(fs, path);
  if (bytes === null) {
    const missing = new DiskPersisterError('corrupt-snapshot', path, null, `the snapshot file is missing, but the log's seal names the snapshot through index ${named.lastIncludedIndex} (${named.bytes} bytes)`, fix);
    return rollForward(missing);
  }
  try {
    return readSnapshotFile(bytes, path, named, fix);
  } catch (error) {
    if (!(error instanceof DiskPersisterError)) throw error;
    return rollForward(error);
  }

  /** The temp file, if it is the snapshot the seal names, renamed into place; else the refusal about the snapshot file. */
  async function rollForward(refusal: DiskPersisterError): Promise<unknown> {
    const temp = await readOrNull(fs, tempPath);
    if (temp === null) throw refusal;
    let data: unknown;
    try {
      data = readSnapshotFile(temp, tempPath, named, fix);
    } catch (error) {
      if (error instanceof DiskPersisterError) throw refusal;
      throw error;
    }
    await fs.rename(tempPath, path);
    await syncDirectory(fs, dir);
    return data;
  }
}

/**
 * Why these ops, read back by the log's own reader, would not give `meant` on a log holding
 * the entries after `lastIncludedIndex` up to `lastIndex` (null when they do): so a node never fsyncs what its next start refuses or misreads.
 */
function readsBackWrong(ops: readonly Op[], meant: readonly Change[], lastIncludedIndex: number, lastIndex: number): string | null {
  let entries = lastIndex;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i] as Op;
    let read: Change[];
    try {
      read = decodeRecord(op.type, op.json);
    } catch (error) {
      if (error instanceof RecordProblem) return error.message;
      throw error;
    }
    const change = read[0];
    if (read.length !== 1 || change === undefined || !sameChange(change, meant[i] as Change)) return 'it reads back different';
    const misfit = misplaced(change, lastIncludedIndex, entries);
    if (misfit !== null) return misfit;
    if (change.type === RecordType.Truncate) entries = change.from - 1;
    if (change.type === RecordType.Append) entries += change.entries.length;
  }
  return null;
}

/** The same for the one record of a flush: a whole frame whose payload holds the `count` ops it was made of. */
function frameReadsBackWrong(record: Buffer, count: number): string | null {
  const frame = readFrame(record, 0);
  if (frame.kind !== 'ok') return frame.detail;
  if (frame.next !== record.length) return 'trailing bytes';
  try {
    if (decodeRecord(frame.type, frame.payload.toString('utf8')).length !== count) return `not the ${count} changes it was made of`;
  } catch (error) {
    if (error instanceof RecordProblem) return error.message;
    throw error;
  }
  return null;
}

/** Writes the next seal over the slot not holding the current one, and fsyncs it. */
async function writeSeal(seal: SealState, next: Omit<Seal, 'seq'>): Promise<void> {
  const slot = seal.slot === 0 ? 1 : 0;
  const seq = seal.seq + 1;
  await writeAll(seal.handle, encodeSealSlot({ seq, ...next }), slot * SEAL_SLOT_SIZE);
  await seal.handle.datasync();
  seal.slot = slot;
  seal.seq = seq;
}

/** A file's bytes, null when it does not exist; other read failures are an 'unreadable' refusal. */
async function readOrNull(fs: DiskFs, path: string): Promise<Buffer | null> {
  try {
    return await fs.readFile(path);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null;
    throw new DiskPersisterError('unreadable', path, null, `cannot read it: ${errorText(error)}`);
  }
}

async function writeAll(handle: DiskFileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done);
    if (bytesWritten <= 0) throw new Error(`short write at offset ${position + done}`);
    done += bytesWritten;
  }
}

/**
 * Replaces `path` whole: the contents to a temp file beside it, fsync'd, renamed over it, and the
 * directory fsync'd, so after a crash the file is the old one or the new one, never a mix.
 */
export async function replaceDurably(fs: DiskFs, path: string, chunks: readonly Uint8Array[]): Promise<void> {
  const temp = `${path}.tmp`;
  await writeDurably(fs, temp, chunks);
  await fs.rename(temp, path);
  await syncDirectory(fs, dirname(path));
}

/** Creates (or replaces) a file with these contents and fsyncs it; answers its size. */
async function writeDurably(fs: DiskFs, path: string, chunks: readonly Uint8Array[]): Promise<number> {
  const handle = await fs.open(path, 'w');
  try {
    let position = 0;
    for (const chunk of chunks) {
      await writeAll(handle, chunk, position);
      position += chunk.length;
    }
    await handle.sync();
    return position;
  } finally {
    await handle.close();
  }
}

/** Makes a directory's entries (created and renamed files) durable. */
export async function syncDirectory(fs: DiskFs, dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
