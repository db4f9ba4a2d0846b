/**
 * The on-disk format of the disk persister (see diskPersister.ts): a log file of checksummed
 * records, a snapshot file, and a seal file that says how much of the log was acknowledged and
 * which snapshot goes with it. Pure functions over bytes; no I/O here.
 *
 *   log     = header | record*
 *   header  = "PRAFTLOG" (8) | version u32 LE | generation u32 LE | lastIncludedIndex u64 LE
 *             | lastIncludedTerm u32 LE | crc32(first 28 bytes) u32 LE                       32 bytes
 *   record  = length u32 LE | crc32(length bytes, type, payload) u32 LE | type u8 | payload
 *
 * A log generation holds only the entries after its snapshot (lastIncludedIndex, 0 for none):
 * its first APPEND starts at lastIncludedIndex + 1, and no TRUNCATE reaches into the snapshot.
 * Every payload is UTF-8 JSON, entry indices absolute:
 *   1 STATE     {"term":T,"votedFor":V}                 hard state (votedFor null or a server id)
 *   2 APPEND    {"from":I,"entries":[[term,command],…]} entries I, I+1, …; I must be lastIndex+1
 *   3 TRUNCATE  {"from":I}                              drop entries I and later
 *   4 GROUP     [[type,payload],…]                      several of the above, applied in order
 *   5 SNAPSHOT_CONFIG {"voters":[…],"learners":[…]}     the configuration in effect at lastIncludedIndex
 *                                                       (PersistentState.lastIncludedConfig): only in a
 *                                                       generation that follows a snapshot, at most once,
 *                                                       before any APPEND or TRUNCATE (written right after
 *                                                       the generation's STATE); absent: none compacted
 *
 * An entry is `[term,command]`; a configuration entry (membership change, thesis §4.1)
 * `[term,command,{"config":{"voters":[…],"learners":[…]}}]` (its command is the host's context for
 * the change), a leader's no-op `[term,null,{"noop":true}]`. A configuration read back must have
 * the shape configurationFormat.ts checks (ids ascending, disjoint, at least one voter), else the
 * record is refused as invalid. Logs written before membership hold only two-element entries and
 * no SNAPSHOT_CONFIG, and read exactly as before. (A build from before membership refuses a log
 * holding either: it is not meant to run a cluster that changed its membership.)
 *
 *   snapshot = "PRAFTSNP" (8) | version u32 LE | lastIncludedIndex u64 LE | lastIncludedTerm u32 LE
 *              | payload length u64 LE | crc32(payload) u32 LE | crc32(first 36 bytes) u32 LE   40 bytes
 *              | payload (the service's snapshot as UTF-8 JSON)
 *
 * One flush (one write + one fsync) is exactly one record (a GROUP when it carries more than
 * one change): the flush group, sealed by its length and checksum. After the log's fsync the
 * persister writes the seal of that flush to the seal file and fsyncs it, and only then
 * acknowledges the saves:
 *
 *   seal file = slot 0 | slot 1                                                     2 × 64 bytes
 *   slot      = "SEAL" (4) | seq u64 LE | generation u32 LE | end u64 LE | lastCrc u32 LE
 *               | snapshot lastIncludedIndex u64 LE | lastIncludedTerm u32 LE | snapshot bytes u64 LE
 *               | snapshot crc32 u32 LE | zero (4) | crc32(first 60) u32 LE
 *
 * `end` is the log offset where the sealed flush ends, `lastCrc` the checksum of the record that
 * ends there, `generation` the log file it belongs to (a compaction or a snapshot writes a new
 * generation), and the snapshot fields name the one snapshot file that goes with that log: its
 * index and term (the log header's), its size and the checksum of its whole file. A seal is
 * written over the slot that does not hold the current one, so a torn seal write leaves the
 * previous seal whole; the valid slot with the highest seq wins.
 *
 * So at start, every byte up to the sealed end was acknowledged: any of it missing or damaged is
 * a refusal, and so is a snapshot file other than the one the seal names. Past the sealed end
 * lies at most the one flush that was being written when the node stopped, never acknowledged:
 * whole records there are kept, a torn one is dropped and counted. (A torn newest seal falls
 * back to the previous one; the flush it would have sealed was not acknowledged either, and if
 * whole it is kept.)
 *
 * Version 1 logs (no seal, 16-byte header) are refused with a line saying so. A version 2 log
 * (before snapshots: a 20-byte header without the snapshot fields, 32-byte seal slots without
 * them, the same records) is read as a version 3 log without a snapshot (`readVersion2`), and
 * the persister rewrites it as version 3 at once.
 */
import { dirname } from 'node:path';
import { crc32 } from 'node:zlib';
import { MAX_TERM } from '../core/limits.js';
import type { Configuration, LogEntry, ServerId, Term } from '../core/index.js';
import { configurationProblem, frozenConfiguration, sameConfiguration } from './configurationFormat.js';
import { jsonEqual, jsonValueProblem } from './jsonValue.js';

export const MAGIC = 'PRAFTLOG';
export const FORMAT_VERSION = 3;
export const HEADER_SIZE = 32;
export const FRAME_HEADER_SIZE = 9;
export const SEAL_MAGIC = 'SEAL';
export const SEAL_SLOT_SIZE = 64;
export const SEAL_FILE_SIZE = 2 * SEAL_SLOT_SIZE;
export const SNAPSHOT_MAGIC = 'PRAFTSNP';
export const SNAPSHOT_HEADER_SIZE = 40;

export const RecordType = { State: 1, Append: 2, Truncate: 3, Group: 4, SnapshotConfig: 5 } as const;
export type RecordType = (typeof RecordType)[keyof typeof RecordType];
type SimpleRecordType = Exclude<RecordType, typeof RecordType.Group>;

export type DiskErrorKind =
  | 'unreadable' // the file (or directory) cannot be read
  | 'bad-header' // too short for a header, wrong magic, or header checksum mismatch
  | 'bad-version' // a format version this code does not read
  | 'corrupt' // a damaged record inside the acknowledged (sealed) part
  | 'truncated' // the log is shorter than its seal says was acknowledged
  | 'seal-mismatch' // the record at the sealed end is not the one the seal names
  | 'missing-seal' // records exist but no seal vouches for them
  | 'invalid-record' // a record whose checksum holds but whose content makes no sense
  | 'missing-state' // the directory says it holds state, the log file is gone
  | 'corrupt-snapshot' // the snapshot file is missing, damaged, or not the one the seal names
  | 'stray-snapshot'; // a snapshot file where the seal says the log has none

/** The command an operator runs to see (and, with --yes, drop) what blocks a start. */
export function repairHint(dir: string): string {
  return `run \`pure-raft repair --data-dir ${dir}\` to see what it would drop`;
}

/** Start-up refusal: the stored state cannot be trusted. One line: file, offset, what is wrong, the fix. */
export class DiskPersisterError extends Error {
  override readonly name = 'DiskPersisterError';
  constructor(
    readonly kind: DiskErrorKind,
    readonly file: string,
    readonly offset: number | null,
    readonly detail: string,
    readonly fix: string | null = null,
  ) {
    super(`${file}${offset === null ? '' : ` at offset ${offset}`}: ${detail} (${kind}); refusing to start${fix === null ? '' : `; ${fix}`}`);
  }
}

/** A snapshot that JSON would not give back unchanged. */
export class SnapshotEncodingError extends Error {
  override readonly name = 'SnapshotEncodingError';
  constructor(readonly index: number, readonly path: string, readonly problem: string) {
    super(`snapshot through index ${index}: snapshot${path} is ${problem}, which JSON cannot round-trip; refusing to persist it`);
  }
}

/** A log entry's command that JSON would not give back unchanged. */
export class CommandEncodingError extends Error {
  override readonly name = 'CommandEncodingError';
  constructor(readonly index: number, readonly path: string, readonly problem: string) {
    super(`log entry ${index}: command${path} is ${problem}, which JSON cannot round-trip; refusing to persist it`);
  }
}

export function isTerm(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0 && x <= MAX_TERM;
}

// ---- header ----------------------------------------------------------------------------------

/** What a log header says: which generation, and the snapshot its entries follow. */
export interface LogHeader {
  readonly generation: number;
  readonly lastIncludedIndex: number;
  readonly lastIncludedTerm: Term;
}

export function encodeHeader(header: LogHeader, version: number = FORMAT_VERSION): Buffer {
  const bytes = Buffer.alloc(HEADER_SIZE);
  bytes.write(MAGIC, 0, 'latin1');
  bytes.writeUInt32LE(version, 8);
  bytes.writeUInt32LE(header.generation >>> 0, 12);
  bytes.writeBigUInt64LE(BigInt(header.lastIncludedIndex), 16);
  bytes.writeUInt32LE(header.lastIncludedTerm >>> 0, 24);
  bytes.writeUInt32LE(crc32(bytes.subarray(0, 28)), 28);
  return bytes;
}

/** The log's header; throws DiskPersisterError for anything but a whole version-3 header. */
export function readHeader(bytes: Buffer, file: string): LogHeader {
  // A damaged header is repairable (repair rebuilds it from the seal): say how; a version is not.
  const badHeader = (detail: string): DiskPersisterError => new DiskPersisterError('bad-header', file, 0, detail, repairHint(dirname(file)));
  if (bytes.length < 12) {
    throw badHeader(`file is ${bytes.length} bytes, shorter than the ${HEADER_SIZE}-byte header`);
  }
  if (bytes.toString('latin1', 0, 8) !== MAGIC) {
    throw badHeader(`wrong magic (not a pure-raft disk log)`);
  }
  const version = bytes.readUInt32LE(8);
  const startOver = 'start this server from an empty data directory and let the leader send it the log';
  if (version === 1) {
    throw new DiskPersisterError('bad-version', file, 8, `format version 1 (written before seals, so nothing proves how much of it was acknowledged); this build reads version ${FORMAT_VERSION}: ${startOver}`);
  }
  if (version === 2) {
    // (A whole version-2 header is read by readVersion2 before this: here its checksum failed.)
    throw new DiskPersisterError('bad-version', file, 8, `format version 2 (written before snapshots) with a damaged header; this build reads version ${FORMAT_VERSION} and whole version-2 logs: ${startOver}`);
  }
  if (version !== FORMAT_VERSION) {
    throw new DiskPersisterError('bad-version', file, 8, `format version ${version}, this build reads version ${FORMAT_VERSION}`);
  }
  if (bytes.length < HEADER_SIZE) {
    throw badHeader(`file is ${bytes.length} bytes, shorter than the ${HEADER_SIZE}-byte header`);
  }
  if (bytes.readUInt32LE(28) !== crc32(bytes.subarray(0, 28))) {
    throw badHeader(`header checksum mismatch`);
  }
  const lastIncludedIndex = Number(bytes.readBigUInt64LE(16));
  const lastIncludedTerm = bytes.readUInt32LE(24);
  if (!Number.isSafeInteger(lastIncludedIndex) || (lastIncludedIndex === 0 && lastIncludedTerm !== 0)) {
    throw new DiskPersisterError('bad-header', file, 16, `snapshot lastIncludedIndex ${lastIncludedIndex} with lastIncludedTerm ${lastIncludedTerm}`, repairHint(dirname(file)));
  }
  return { generation: bytes.readUInt32LE(12), lastIncludedIndex, lastIncludedTerm };
}

/** A version-2 log and its seal file as the version-3 reader reads them (no snapshot), or null when `log` has no whole version-2 header. */
export function readVersion2(log: Buffer, sealFile: Buffer): { readonly log: Buffer; readonly slots: readonly [Seal | null, Seal | null] } | null {
  const V2_HEADER_SIZE = 20;
  const V2_SLOT_SIZE = 32;
  if (log.length < V2_HEADER_SIZE || log.toString('latin1', 0, 8) !== MAGIC || log.readUInt32LE(8) !== 2) return null;
  if (log.readUInt32LE(16) !== crc32(log.subarray(0, 16))) return null; // a damaged header: readHeader says so
  const generation = log.readUInt32LE(12);
  const grown = HEADER_SIZE - V2_HEADER_SIZE;
  const slot = (i: number): Seal | null => {
    const at = i * V2_SLOT_SIZE;
    if (sealFile.length < at + V2_SLOT_SIZE || sealFile.toString('latin1', at, at + 4) !== SEAL_MAGIC) return null;
    if (sealFile.readUInt32LE(at + 28) !== crc32(sealFile.subarray(at, at + 28))) return null;
    return {
      seq: Number(sealFile.readBigUInt64LE(at + 4)), generation: sealFile.readUInt32LE(at + 12),
      end: Number(sealFile.readBigUInt64LE(at + 16)) + grown, lastCrc: sealFile.readUInt32LE(at + 24), snapshot: NO_SNAPSHOT,
    };
  };
  return {
    log: Buffer.concat([encodeHeader({ generation, lastIncludedIndex: 0, lastIncludedTerm: 0 }), log.subarray(V2_HEADER_SIZE)]),
    slots: [slot(0), slot(1)],
  };
}

// ---- seal ------------------------------------------------------------------------------------

/** Which snapshot file goes with a log: the snapshot's index and term, the file's size and checksum (all 0: none). */
export interface SnapshotId {
  readonly lastIncludedIndex: number;
  readonly lastIncludedTerm: Term;
  readonly bytes: number;
  readonly crc: number;
}

export const NO_SNAPSHOT: SnapshotId = Object.freeze({ lastIncludedIndex: 0, lastIncludedTerm: 0, bytes: 0, crc: 0 });

export interface Seal {
  /** Increases by one with every seal written; the highest valid one is current. */
  readonly seq: number;
  readonly generation: number;
  /** The log offset where the last acknowledged flush ends. */
  readonly end: number;
  /** The checksum of the record ending at `end` (0 when `end` is the header's end). */
  readonly lastCrc: number;
  /** The snapshot file that goes with this log generation. */
  readonly snapshot: SnapshotId;
}

export function encodeSealSlot(seal: Seal): Buffer {
  const slot = Buffer.alloc(SEAL_SLOT_SIZE);
  slot.write(SEAL_MAGIC, 0, 'latin1');
  slot.writeBigUInt64LE(BigInt(seal.seq), 4);
  slot.writeUInt32LE(seal.generation >>> 0, 12);
  slot.writeBigUInt64LE(BigInt(seal.end), 16);
  slot.writeUInt32LE(seal.lastCrc >>> 0, 24);
  slot.writeBigUInt64LE(BigInt(seal.snapshot.lastIncludedIndex), 28);
  slot.writeUInt32LE(seal.snapshot.lastIncludedTerm >>> 0, 36);
  slot.writeBigUInt64LE(BigInt(seal.snapshot.bytes), 40);
  slot.writeUInt32LE(seal.snapshot.crc >>> 0, 48);
  slot.writeUInt32LE(crc32(slot.subarray(0, 60)), 60);
  return slot;
}

/** A seal file holding `seal` in slot 0 and nothing in slot 1 (a new directory's, or repair's). */
export function encodeSealFile(seal: Seal): Buffer {
  return Buffer.concat([encodeSealSlot(seal), Buffer.alloc(SEAL_FILE_SIZE - SEAL_SLOT_SIZE)]);
}

/** Both slots of a seal file (null where a slot is missing or damaged). */
export function readSealSlots(bytes: Buffer): readonly [Seal | null, Seal | null] {
  const slot = (i: number): Seal | null => {
    const at = i * SEAL_SLOT_SIZE;
    if (bytes.length < at + SEAL_SLOT_SIZE) return null;
    if (bytes.toString('latin1', at, at + 4) !== SEAL_MAGIC) return null;
    if (bytes.readUInt32LE(at + 60) !== crc32(bytes.subarray(at, at + 60))) return null;
    return {
      seq: Number(bytes.readBigUInt64LE(at + 4)),
      generation: bytes.readUInt32LE(at + 12),
      end: Number(bytes.readBigUInt64LE(at + 16)),
      lastCrc: bytes.readUInt32LE(at + 24),
      snapshot: {
        lastIncludedIndex: Number(bytes.readBigUInt64LE(at + 28)),
        lastIncludedTerm: bytes.readUInt32LE(at + 36),
        bytes: Number(bytes.readBigUInt64LE(at + 40)),
        crc: bytes.readUInt32LE(at + 48),
      },
    };
  };
  return [slot(0), slot(1)];
}

/** The current seal for a log of this generation: the valid slot with the highest seq among those naming it. */
export function currentSeal(slots: readonly [Seal | null, Seal | null], generation: number): { seal: Seal; slot: 0 | 1 } | null {
  let best: { seal: Seal; slot: 0 | 1 } | null = null;
  slots.forEach((seal, i) => {
    if (seal !== null && seal.generation === generation && (best === null || seal.seq > best.seal.seq)) best = { seal, slot: i as 0 | 1 };
  });
  return best;
}

// ---- snapshot file -------------------------------------------------------------------------

/** The snapshot file for the service's snapshot through `lastIncludedIndex`. Throws SnapshotEncodingError for a non-JSON snapshot. */
export function encodeSnapshotFile(lastIncludedIndex: number, lastIncludedTerm: Term, snapshot: unknown): Buffer {
  const problem = jsonValueProblem(snapshot);
  if (problem) throw new SnapshotEncodingError(lastIncludedIndex, problem.path, problem.problem);
  const payload = Buffer.from(JSON.stringify(snapshot), 'utf8');
  const file = Buffer.alloc(SNAPSHOT_HEADER_SIZE + payload.length);
  file.write(SNAPSHOT_MAGIC, 0, 'latin1');
  file.writeUInt32LE(FORMAT_VERSION, 8);
  file.writeBigUInt64LE(BigInt(lastIncludedIndex), 12);
  file.writeUInt32LE(lastIncludedTerm >>> 0, 20);
  file.writeBigUInt64LE(BigInt(payload.length), 24);
  file.writeUInt32LE(crc32(payload), 32);
  file.writeUInt32LE(crc32(file.subarray(0, 36)), 36);
  payload.copy(file, SNAPSHOT_HEADER_SIZE);
  return file;
}

/** How a seal names a snapshot file. */
export function snapshotId(file: Buffer, lastIncludedIndex: number, lastIncludedTerm: Term): SnapshotId {
  return { lastIncludedIndex, lastIncludedTerm, bytes: file.length, crc: crc32(file) };
}

/**
 * The service's snapshot from a snapshot file, which must be the one `expected` names (size,
 * checksum, index and term). Throws DiskPersisterError('corrupt-snapshot') naming the file and
 * what is wrong.
 */
export function readSnapshotFile(bytes: Buffer, file: string, expected: SnapshotId, fix: string | null): unknown {
  const refuse = (offset: number | null, detail: string): DiskPersisterError => new DiskPersisterError('corrupt-snapshot', file, offset, detail, fix);
  const named = `the seal names the snapshot through index ${expected.lastIncludedIndex} (term ${expected.lastIncludedTerm}), ${expected.bytes} bytes with checksum ${expected.crc}`;
  if (bytes.length !== expected.bytes) throw refuse(Math.min(bytes.length, expected.bytes), `the file is ${bytes.length} bytes but ${named}`);
  if (bytes.length < SNAPSHOT_HEADER_SIZE || bytes.toString('latin1', 0, 8) !== SNAPSHOT_MAGIC) throw refuse(0, `not a pure-raft snapshot file (${named})`);
  if (bytes.readUInt32LE(36) !== crc32(bytes.subarray(0, 36))) throw refuse(0, `snapshot header checksum mismatch (${named})`);
  const crc = crc32(bytes);
  if (crc !== expected.crc) throw refuse(SNAPSHOT_HEADER_SIZE, `the file's checksum is ${crc} but ${named}`);
  const version = bytes.readUInt32LE(8);
  if (version !== FORMAT_VERSION) throw refuse(8, `snapshot format version ${version}, this build reads version ${FORMAT_VERSION}`);
  const index = Number(bytes.readBigUInt64LE(12));
  const term = bytes.readUInt32LE(20);
  if (index !== expected.lastIncludedIndex || term !== expected.lastIncludedTerm) {
    throw refuse(12, `the file holds the snapshot through index ${index} (term ${term}) but ${named}`);
  }
  const length = Number(bytes.readBigUInt64LE(24));
  if (length !== bytes.length - SNAPSHOT_HEADER_SIZE) throw refuse(24, `payload length ${length} does not fit a ${bytes.length}-byte file`);
  const payload = bytes.subarray(SNAPSHOT_HEADER_SIZE);
  if (bytes.readUInt32LE(32) !== crc32(payload)) throw refuse(SNAPSHOT_HEADER_SIZE, `snapshot payload checksum mismatch`);
  try {
    return JSON.parse(payload.toString('utf8')) as unknown;
  } catch {
    throw refuse(SNAPSHOT_HEADER_SIZE, `the snapshot payload is not JSON`);
  }
}

// ---- records ---------------------------------------------------------------------------------

/** One change as the reader gives it back. */
export type Change =
  | { readonly type: typeof RecordType.State; readonly currentTerm: Term; readonly votedFor: ServerId | null }
  | { readonly type: typeof RecordType.Truncate; readonly from: number }
  | { readonly type: typeof RecordType.Append; readonly from: number; readonly entries: readonly LogEntry[] }
  | { readonly type: typeof RecordType.SnapshotConfig; readonly config: Configuration };

/** One change, its payload already JSON text. */
export interface Op {
  readonly type: SimpleRecordType;
  readonly json: string;
}

export function stateOp(currentTerm: Term, votedFor: ServerId | null): Op {
  return { type: RecordType.State, json: `{"term":${currentTerm},"votedFor":${votedFor === null ? 'null' : votedFor}}` };
}

export function truncateOp(from: number): Op {
  return { type: RecordType.Truncate, json: `{"from":${from}}` };
}

/** The configuration in effect at the snapshot's last index (written with a new generation only). */
export function snapshotConfigOp(config: Configuration): Op {
  const problem = configurationProblem(config);
  if (problem !== null) throw new RangeError(`lastIncludedConfig ${problem}; refusing to persist it`);
  return { type: RecordType.SnapshotConfig, json: configurationJson(config) };
}

function configurationJson(config: Configuration): string {
  return `{"voters":${JSON.stringify(config.voters)},"learners":${JSON.stringify(config.learners)}}`;
}

/** `entries` are entry encodings from `encodeEntry`. */
export function appendOp(from: number, entries: readonly string[]): Op {
  return { type: RecordType.Append, json: `{"from":${from},"entries":[${entries.join(',')}]}` };
}

/** One record frame around a payload. */
export function encodeFrame(type: RecordType, payload: string): Buffer {
  const length = Buffer.byteLength(payload, 'utf8');
  const frame = Buffer.alloc(FRAME_HEADER_SIZE + length);
  frame.writeUInt32LE(length, 0);
  frame.writeUInt8(type, 8);
  frame.write(payload, FRAME_HEADER_SIZE, 'utf8');
  frame.writeUInt32LE(frameChecksum(frame, 0, length), 4);
  return frame;
}

/** The record for one flush: the op itself, or a GROUP of them; empty for no ops. */
export function encodeFlush(ops: readonly Op[]): Buffer {
  const only = ops[0];
  if (only === undefined) return Buffer.alloc(0);
  if (ops.length === 1) return encodeFrame(only.type, only.json);
  return encodeFrame(RecordType.Group, `[${ops.map((op) => `[${op.type},${op.json}]`).join(',')}]`);
}

/** The checksum a frame stores (what a seal's `lastCrc` names). */
export function storedChecksum(frame: Buffer, offset = 0): number {
  return frame.readUInt32LE(offset + 4);
}

function frameChecksum(bytes: Buffer, offset: number, length: number): number {
  const afterLength = crc32(bytes.subarray(offset, offset + 4));
  return crc32(bytes.subarray(offset + 8, offset + FRAME_HEADER_SIZE + length), afterLength);
}

type FrameRead =
  | { readonly kind: 'ok'; readonly type: number; readonly payload: Buffer; readonly next: number }
  | { readonly kind: 'short'; readonly detail: string }
  | { readonly kind: 'checksum'; readonly detail: string };

export function readFrame(bytes: Buffer, offset: number): FrameRead {
  const left = bytes.length - offset;
  if (left < FRAME_HEADER_SIZE) return { kind: 'short', detail: `${left} bytes left, less than a record header` };
  const length = bytes.readUInt32LE(offset);
  if (length > left - FRAME_HEADER_SIZE) {
    return { kind: 'short', detail: `record of ${length} payload bytes overruns the end of the file (${left - FRAME_HEADER_SIZE} left)` };
  }
  if (bytes.readUInt32LE(offset + 4) !== frameChecksum(bytes, offset, length)) {
    return { kind: 'checksum', detail: `record checksum mismatch` };
  }
  const start = offset + FRAME_HEADER_SIZE;
  return { kind: 'ok', type: bytes.readUInt8(offset + 8), payload: bytes.subarray(start, start + length), next: start + length };
}

/** A record whose checksum holds but whose content the reader refuses. */
export class RecordProblem extends Error {}

/** The changes a record's payload carries; throws RecordProblem saying what is malformed. */
export function decodeRecord(type: number, payloadText: string): Change[] {
  let payload: unknown;
  try {
    payload = JSON.parse(payloadText);
  } catch {
    throw new RecordProblem('record payload is not JSON');
  }
  if (type !== RecordType.Group) return [decodeChange(type, payload)];
  if (!Array.isArray(payload)) throw new RecordProblem('malformed GROUP record');
  return (payload as unknown[]).map((member) => {
    if (!Array.isArray(member) || member.length !== 2 || typeof member[0] !== 'number' || member[0] === RecordType.Group) {
      throw new RecordProblem('malformed GROUP member');
    }
    return decodeChange(member[0], member[1]);
  });
}

function decodeChange(type: number, payload: unknown): Change {
  const obj = (typeof payload === 'object' && payload !== null ? payload : {}) as Record<string, unknown>;
  switch (type) {
    case RecordType.State: {
      const term = obj['term'];
      const vote = obj['votedFor'];
      if (!isTerm(term)) throw new RecordProblem(`STATE record without a valid term (at most ${MAX_TERM})`);
      if (vote !== null && !isTerm(vote)) throw new RecordProblem('STATE record with an invalid votedFor');
      return { type, currentTerm: term, votedFor: vote };
    }
    case RecordType.Truncate: {
      const from = obj['from'];
      if (!isTerm(from) || from < 1) throw new RecordProblem(`TRUNCATE from ${String(from)}`);
      return { type, from };
    }
    case RecordType.Append: {
      const from = obj['from'];
      const entries = obj['entries'];
      if (!isTerm(from) || from < 1) throw new RecordProblem(`APPEND from ${String(from)}`);
      if (!Array.isArray(entries)) throw new RecordProblem('APPEND record without an entries array');
      return {
        type,
        from,
        entries: (entries as unknown[]).map((item, i) => decodeEntry(item, from + i)),
      };
    }
    case RecordType.SnapshotConfig: {
      const problem = configurationProblem(payload);
      if (problem !== null) throw new RecordProblem(`SNAPSHOT_CONFIG record whose configuration ${problem}`);
      return { type, config: frozenConfiguration(payload as Configuration) };
    }
    default:
      throw new RecordProblem(`unknown record type ${type}`);
  }
}

/** One stored entry (`[term,command]`, or with a third element for a configuration entry or a no-op), as the core's LogEntry. */
function decodeEntry(item: unknown, index: number): LogEntry {
  if (!Array.isArray(item) || (item.length !== 2 && item.length !== 3) || !isTerm(item[0])) throw new RecordProblem(`APPEND record with a malformed entry ${index}`);
  const term = item[0];
  const command: unknown = item[1];
  if (item.length === 2) return Object.freeze({ term, command });
  const kind: unknown = item[2];
  const fields = typeof kind === 'object' && kind !== null && !Array.isArray(kind) ? Object.keys(kind) : [];
  if (fields.length === 1 && fields[0] === 'noop') {
    if ((kind as { noop: unknown }).noop !== true || command !== null) throw new RecordProblem(`APPEND record with a malformed no-op entry ${index} (a no-op is [term,null,{"noop":true}])`);
    return Object.freeze({ term, command: null, noop: true as const });
  }
  if (fields.length === 1 && fields[0] === 'config') {
    const problem = configurationProblem((kind as { config: unknown }).config);
    if (problem !== null) throw new RecordProblem(`APPEND record with a configuration entry ${index} whose configuration ${problem}`);
    return Object.freeze({ term, command, config: frozenConfiguration((kind as { config: Configuration }).config) });
  }
  throw new RecordProblem(`APPEND record with entry ${index} whose third element is neither {"config":…} nor {"noop":true}`);
}

/** Whether two entries are the same: term, command, and configuration or no-op alike. */
export function sameEntry(a: LogEntry, b: LogEntry): boolean {
  return a.term === b.term && jsonEqual(a.command, b.command) && (a.noop === true) === (b.noop === true) && sameConfiguration(a.config, b.config);
}

/** Whether the reader gave back exactly the change the writer meant. */
export function sameChange(read: Change, meant: Change): boolean {
  switch (meant.type) {
    case RecordType.State:
      return read.type === meant.type && read.currentTerm === meant.currentTerm && read.votedFor === meant.votedFor;
    case RecordType.Truncate:
      return read.type === meant.type && read.from === meant.from;
    case RecordType.Append:
      return read.type === meant.type && read.from === meant.from && read.entries.length === meant.entries.length &&
        read.entries.every((e, i) => sameEntry(e, meant.entries[i]!));
    case RecordType.SnapshotConfig:
      return read.type === meant.type && sameConfiguration(read.config, meant.config);
  }
}

/** Why a change cannot apply to a log holding the entries after `lastIncludedIndex` up to `lastIndex`, or null. */
export function misplaced(change: Change, lastIncludedIndex: number, lastIndex: number): string | null {
  const log = `a log of entries ${lastIncludedIndex + 1}..${lastIndex}`;
  if (change.type === RecordType.Truncate && (change.from > lastIndex + 1 || change.from <= lastIncludedIndex)) return `TRUNCATE from ${change.from} on ${log}`;
  if (change.type === RecordType.Append && change.from !== lastIndex + 1) return `APPEND from ${change.from} on ${log}`;
  return null;
}

// ---- entries ---------------------------------------------------------------------------------

/**
 * An entry as stored: `[term,command]`, `[term,command,{"config":…}]` or `[term,null,{"noop":true}]`.
 * Throws CommandEncodingError for a non-JSON command, RangeError for a malformed configuration.
 */
export function encodeEntry(entry: LogEntry, index: number): string {
  if (!isTerm(entry.term)) {
    throw new CommandEncodingError(index, '', `in an entry whose term ${String(entry.term)} is not an integer from 0 to MAX_TERM (${MAX_TERM})`);
  }
  const problem = jsonValueProblem(entry.command);
  if (problem) throw new CommandEncodingError(index, problem.path, problem.problem);
  if (entry.config !== undefined) {
    const wrong = configurationProblem(entry.config);
    if (wrong !== null) throw new RangeError(`log entry ${index}: its configuration ${wrong}; refusing to persist it`);
  }
  return entryJson(entry);
}

/** The stored text of an entry (no checks: encodeEntry's, or an entry the reader gave back). */
function entryJson(entry: LogEntry): string {
  const head = `[${entry.term},${JSON.stringify(entry.command)}`;
  if (entry.config !== undefined) return `${head},{"config":${configurationJson(entry.config)}}]`;
  if (entry.noop === true) return `${head},{"noop":true}]`;
  return `${head}]`;
}

// ---- reading a whole log ---------------------------------------------------------------------

export interface LogRead extends LogHeader {
  readonly currentTerm: Term;
  readonly votedFor: ServerId | null;
  /** The configuration in effect at lastIncludedIndex (its SNAPSHOT_CONFIG record); absent when none. */
  readonly lastIncludedConfig?: Configuration;
  /** The entries after lastIncludedIndex. */
  readonly log: LogEntry[];
  /** Stored size (UTF-8 bytes of the entry's encoding) of each entry, parallel to `log`. */
  readonly entrySizes: number[];
  /** Whole, valid records read. */
  readonly records: number;
  /** Where the valid records end. */
  readonly end: number;
  /** The checksum of the record ending at `end` (0 for none). */
  readonly lastCrc: number;
  /** The checksum of the record ending exactly at `at` (0 for the header's end), or null when no record ends there. */
  readonly crcAt: number | null;
  /** Why reading stopped before the end of the file, or null. State is as of `end`, except after 'invalid'. */
  readonly stop: { readonly kind: 'short' | 'checksum' | 'invalid'; readonly offset: number; readonly detail: string } | null;
}

/**
 * Reads the records of a log file until the first that is short, fails its checksum or makes no
 * sense. Throws DiskPersisterError only for the header; what the stop means is the seal's call
 * (`judgeLog`). `at` is an offset whose record boundary to report (the sealed end).
 */
export function readLog(bytes: Buffer, file: string, at: number | null = null): LogRead {
  const header = readHeader(bytes, file);
  const base = header.lastIncludedIndex;
  let currentTerm: Term = 0;
  let votedFor: ServerId | null = null;
  let lastIncludedConfig: Configuration | undefined;
  /** Whether an APPEND or TRUNCATE was read (a SNAPSHOT_CONFIG comes before both). */
  let logTouched = false;
  const log: LogEntry[] = [];
  const entrySizes: number[] = [];
  let records = 0;
  let offset = HEADER_SIZE;
  let lastCrc = 0;
  let crcAt: number | null = at === HEADER_SIZE ? 0 : null;
  let stop: LogRead['stop'] = null;

  while (offset < bytes.length) {
    const frame = readFrame(bytes, offset);
    if (frame.kind !== 'ok') {
      stop = { kind: frame.kind, offset, detail: frame.detail };
      break;
    }
    let changes: Change[];
    try {
      changes = decodeRecord(frame.type, frame.payload.toString('utf8'));
      for (const change of changes) {
        const wrong = misplaced(change, base, base + log.length);
        if (wrong !== null) throw new RecordProblem(wrong);
        if (change.type === RecordType.SnapshotConfig) {
          if (base === 0) throw new RecordProblem('SNAPSHOT_CONFIG record in a log that follows no snapshot');
          if (lastIncludedConfig !== undefined || logTouched) throw new RecordProblem('SNAPSHOT_CONFIG record after the first (or after the log\'s entries)');
        }
        applyChange(change);
      }
    } catch (problem) {
      if (!(problem instanceof RecordProblem)) throw problem;
      stop = { kind: 'invalid', offset, detail: problem.message };
      break;
    }
    records++;
    lastCrc = storedChecksum(bytes, offset);
    offset = frame.next;
    if (offset === at) crcAt = lastCrc;
  }
  return { ...header, currentTerm, votedFor, ...(lastIncludedConfig !== undefined ? { lastIncludedConfig } : {}), log, entrySizes, records, end: offset, lastCrc, crcAt, stop };

  function applyChange(change: Change): void {
    switch (change.type) {
      case RecordType.State:
        currentTerm = change.currentTerm;
        votedFor = change.votedFor;
        return;
      case RecordType.Truncate:
        logTouched = true;
        log.length = change.from - 1 - base;
        entrySizes.length = change.from - 1 - base;
        return;
      case RecordType.Append:
        logTouched = true;
        for (const entry of change.entries) {
          log.push(entry);
          entrySizes.push(Buffer.byteLength(entryJson(entry), 'utf8'));
        }
        return;
      case RecordType.SnapshotConfig:
        lastIncludedConfig = change.config;
    }
  }
}

/** What a start may drop: bytes past the sealed end that never were acknowledged. */
export interface Discard {
  readonly offset: number;
  readonly bytes: number;
  readonly detail: string;
}

/**
 * The seal's verdict on a log: null when every byte is whole, a Discard for a torn unsealed
 * tail, and a DiskPersisterError (thrown) when anything up to the sealed end is missing or
 * damaged. `seal` is null when no seal names this log: allowed only for a log of no records
 * that nothing yet claims holds state (`fresh`).
 */
export function judgeLog(read: LogRead, fileLength: number, seal: Seal | null, file: string, fresh: boolean, fix: string): Discard | null {
  const refuse = (kind: DiskErrorKind, offset: number | null, detail: string): DiskPersisterError =>
    new DiskPersisterError(kind, file, offset, detail, fix);
  if (seal === null) {
    if (fresh && read.records === 0 && fileLength === HEADER_SIZE) return null;
    throw refuse('missing-seal', null, `no seal names log generation ${read.generation}, so nothing proves which of its ${read.records} records were acknowledged`);
  }
  const stop = read.stop;
  if (stop !== null && stop.kind === 'invalid') throw refuse('invalid-record', stop.offset, stop.detail);
  const sealed = `its seal (flush ${seal.seq}) says ${seal.end} bytes were written and acknowledged`;
  if (seal.snapshot.lastIncludedIndex !== read.lastIncludedIndex || seal.snapshot.lastIncludedTerm !== read.lastIncludedTerm) {
    throw refuse('seal-mismatch', 16, `the log follows the snapshot through index ${read.lastIncludedIndex} (term ${read.lastIncludedTerm}), its seal (flush ${seal.seq}) names the snapshot through ${seal.snapshot.lastIncludedIndex} (term ${seal.snapshot.lastIncludedTerm})`);
  }
  if (stop !== null && stop.offset < seal.end && !(stop.kind === 'short' && fileLength < seal.end)) {
    throw refuse('corrupt', stop.offset, `${stop.detail}, inside the acknowledged part (${sealed})`);
  }
  if (fileLength < seal.end) throw refuse('truncated', fileLength, `the log ends here but ${sealed}`);
  if (read.crcAt === null) throw refuse('seal-mismatch', seal.end, `no record ends at the sealed end (${sealed})`);
  if (read.crcAt !== seal.lastCrc) {
    throw refuse('seal-mismatch', seal.end, `the record ending here has checksum ${read.crcAt}, the seal names ${seal.lastCrc} (${sealed})`);
  }
  if (stop === null) return null;
  return { offset: stop.offset, bytes: fileLength - stop.offset, detail: stop.detail };
}
