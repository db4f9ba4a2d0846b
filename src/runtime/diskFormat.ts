/**
 * The on-disk format of the disk persister (see diskPersister.ts): a log file of checksummed
 * records, and a seal file that says how much of the log was acknowledged. Pure functions over
 * bytes; no I/O here.
 *
 *   log     = header | record*
 *   header  = "PRAFTLOG" (8) | version u32 LE | generation u32 LE | crc32(first 16 bytes) u32 LE   20 bytes
 *   record  = length u32 LE | crc32(length bytes, type, payload) u32 LE | type u8 | payload
 *
 * Every payload is UTF-8 JSON:
 *   1 STATE     {"term":T,"votedFor":V}                 hard state (votedFor null or a server id)
 *   2 APPEND    {"from":I,"entries":[[term,command],…]} entries I, I+1, …; I must be lastIndex+1
 *   3 TRUNCATE  {"from":I}                              drop entries I and later
 *   4 GROUP     [[type,payload],…]                      several of the above, applied in order
 *
 * One flush (one write + one fsync) is exactly one record (a GROUP when it carries more than
 * one change): the flush group, sealed by its length and checksum. After the log's fsync the
 * persister writes the seal of that flush to the seal file and fsyncs it, and only then
 * acknowledges the saves:
 *
 *   seal file = slot 0 | slot 1                                                     2 × 32 bytes
 *   slot      = "SEAL" (4) | seq u64 LE | generation u32 LE | end u64 LE | lastCrc u32 LE | crc32(first 28) u32 LE
 *
 * `end` is the log offset where the sealed flush ends, `lastCrc` the checksum of the record that
 * ends there, `generation` the log file it belongs to (compaction writes a new generation).
 * A seal is written over the slot that does not hold the current one, so a torn seal write
 * leaves the previous seal whole; the valid slot with the highest seq wins.
 *
 * So at start, every byte up to the sealed end was acknowledged: any of it missing or damaged is
 * a refusal. Past the sealed end lies at most the one flush that was being written when the node
 * stopped, never acknowledged: whole records there are kept, a torn one is dropped and counted.
 * (A torn newest seal falls back to the previous one; the flush it would have sealed was not
 * acknowledged either, and if whole it is kept.)
 *
 * Version 1 logs (no seal, 16-byte header) are refused with a line saying so: nothing can prove
 * how much of them was acknowledged.
 */
import { dirname } from 'node:path';
import { crc32 } from 'node:zlib';
import { MAX_TERM } from '../core/limits.js';
import type { LogEntry, ServerId, Term } from '../core/index.js';
import { jsonEqual, jsonValueProblem } from './jsonValue.js';

export const MAGIC = 'PRAFTLOG';
export const FORMAT_VERSION = 2;
export const HEADER_SIZE = 20;
export const FRAME_HEADER_SIZE = 9;
export const SEAL_MAGIC = 'SEAL';
export const SEAL_SLOT_SIZE = 32;
export const SEAL_FILE_SIZE = 2 * SEAL_SLOT_SIZE;

export const RecordType = { State: 1, Append: 2, Truncate: 3, Group: 4 } as const;
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
  | 'missing-state'; // the directory says it holds state, the log file is gone

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

export function encodeHeader(generation: number, version: number = FORMAT_VERSION): Buffer {
  const header = Buffer.alloc(HEADER_SIZE);
  header.write(MAGIC, 0, 'latin1');
  header.writeUInt32LE(version, 8);
  header.writeUInt32LE(generation >>> 0, 12);
  header.writeUInt32LE(crc32(header.subarray(0, 16)), 16);
  return header;
}

/** The log's generation; throws DiskPersisterError for anything but a whole version-2 header. */
export function readHeader(bytes: Buffer, file: string): number {
  // A damaged header is repairable (repair rebuilds it from the seal): say how; a version is not.
  const badHeader = (detail: string): DiskPersisterError => new DiskPersisterError('bad-header', file, 0, detail, repairHint(dirname(file)));
  if (bytes.length < 12) {
    throw badHeader(`file is ${bytes.length} bytes, shorter than the ${HEADER_SIZE}-byte header`);
  }
  if (bytes.toString('latin1', 0, 8) !== MAGIC) {
    throw badHeader(`wrong magic (not a pure-raft disk log)`);
  }
  const version = bytes.readUInt32LE(8);
  if (version === 1) {
    throw new DiskPersisterError('bad-version', file, 8, `format version 1 (written before seals, so nothing proves how much of it was acknowledged); this build reads version ${FORMAT_VERSION}: start this server from an empty data directory and let the leader send it the log`);
  }
  if (version !== FORMAT_VERSION) {
    throw new DiskPersisterError('bad-version', file, 8, `format version ${version}, this build reads version ${FORMAT_VERSION}`);
  }
  if (bytes.length < HEADER_SIZE) {
    throw badHeader(`file is ${bytes.length} bytes, shorter than the ${HEADER_SIZE}-byte header`);
  }
  if (bytes.readUInt32LE(16) !== crc32(bytes.subarray(0, 16))) {
    throw badHeader(`header checksum mismatch`);
  }
  return bytes.readUInt32LE(12);
}

// ---- seal ------------------------------------------------------------------------------------

export interface Seal {
  /** Increases by one with every seal written; the highest valid one is current. */
  readonly seq: number;
  readonly generation: number;
  /** The log offset where the last acknowledged flush ends. */
  readonly end: number;
  /** The checksum of the record ending at `end` (0 when `end` is the header's end). */
  readonly lastCrc: number;
}

export function encodeSealSlot(seal: Seal): Buffer {
  const slot = Buffer.alloc(SEAL_SLOT_SIZE);
  slot.write(SEAL_MAGIC, 0, 'latin1');
  slot.writeBigUInt64LE(BigInt(seal.seq), 4);
  slot.writeUInt32LE(seal.generation >>> 0, 12);
  slot.writeBigUInt64LE(BigInt(seal.end), 16);
  slot.writeUInt32LE(seal.lastCrc >>> 0, 24);
  slot.writeUInt32LE(crc32(slot.subarray(0, 28)), 28);
  return slot;
}

/** Both slots of a seal file (null where a slot is missing or damaged). */
export function readSealSlots(bytes: Buffer): readonly [Seal | null, Seal | null] {
  const slot = (i: number): Seal | null => {
    const at = i * SEAL_SLOT_SIZE;
    if (bytes.length < at + SEAL_SLOT_SIZE) return null;
    if (bytes.toString('latin1', at, at + 4) !== SEAL_MAGIC) return null;
    if (bytes.readUInt32LE(at + 28) !== crc32(bytes.subarray(at, at + 28))) return null;
    return {
      seq: Number(bytes.readBigUInt64LE(at + 4)),
      generation: bytes.readUInt32LE(at + 12),
      end: Number(bytes.readBigUInt64LE(at + 16)),
      lastCrc: bytes.readUInt32LE(at + 24),
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

// ---- records ---------------------------------------------------------------------------------

/** One change as the reader gives it back. */
export type Change =
  | { readonly type: typeof RecordType.State; readonly currentTerm: Term; readonly votedFor: ServerId | null }
  | { readonly type: typeof RecordType.Truncate; readonly from: number }
  | { readonly type: typeof RecordType.Append; readonly from: number; readonly entries: readonly LogEntry[] };

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
        entries: (entries as unknown[]).map((item) => {
          if (!Array.isArray(item) || item.length !== 2 || !isTerm(item[0])) throw new RecordProblem('APPEND record with a malformed entry');
          return Object.freeze({ term: item[0], command: item[1] as unknown });
        }),
      };
    }
    default:
      throw new RecordProblem(`unknown record type ${type}`);
  }
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
        read.entries.every((e, i) => e.term === meant.entries[i]!.term && jsonEqual(e.command, meant.entries[i]!.command));
  }
}

/** Why a change cannot apply to a log of `length` entries, or null. */
export function misplaced(change: Change, length: number): string | null {
  if (change.type === RecordType.Truncate && change.from > length + 1) return `TRUNCATE from ${change.from} on a log of ${length} entries`;
  if (change.type === RecordType.Append && change.from !== length + 1) return `APPEND from ${change.from} on a log of ${length} entries`;
  return null;
}

// ---- entries ---------------------------------------------------------------------------------

/** An entry as stored: `[term,command]`. Throws CommandEncodingError for a non-JSON command. */
export function encodeEntry(entry: LogEntry, index: number): string {
  if (!isTerm(entry.term)) {
    throw new CommandEncodingError(index, '', `in an entry whose term ${String(entry.term)} is not an integer from 0 to MAX_TERM (${MAX_TERM})`);
  }
  const problem = jsonValueProblem(entry.command);
  if (problem) throw new CommandEncodingError(index, problem.path, problem.problem);
  return `[${entry.term},${JSON.stringify(entry.command)}]`;
}

// ---- reading a whole log ---------------------------------------------------------------------

export interface LogRead {
  readonly generation: number;
  readonly currentTerm: Term;
  readonly votedFor: ServerId | null;
  readonly log: LogEntry[];
  /** Stored size (UTF-8 bytes of the `[term,command]` encoding) of each entry, parallel to `log`. */
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
  const generation = readHeader(bytes, file);
  let currentTerm: Term = 0;
  let votedFor: ServerId | null = null;
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
        const wrong = misplaced(change, log.length);
        if (wrong !== null) throw new RecordProblem(wrong);
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
  return { generation, currentTerm, votedFor, log, entrySizes, records, end: offset, lastCrc, crcAt, stop };

  function applyChange(change: Change): void {
    switch (change.type) {
      case RecordType.State:
        currentTerm = change.currentTerm;
        votedFor = change.votedFor;
        return;
      case RecordType.Truncate:
        log.length = change.from - 1;
        entrySizes.length = change.from - 1;
        return;
      case RecordType.Append:
        for (const entry of change.entries) {
          log.push(entry);
          entrySizes.push(Buffer.byteLength(JSON.stringify([entry.term, entry.command]), 'utf8'));
        }
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
