/**
 * The on-disk format of the disk persister (see diskPersister.ts): a header, then an
 * append-only sequence of checksummed records. Pure functions over bytes; no I/O here.
 *
 *   header  = "PRAFTLOG" (8 bytes) | version u32 LE | crc32(first 12 bytes) u32 LE      16 bytes
 *   record  = length u32 LE | crc32(length bytes, type, payload) u32 LE | type u8 | payload
 *
 * Every payload is UTF-8 JSON:
 *   1 STATE     {"term":T,"votedFor":V}                 hard state (votedFor null or a server id)
 *   2 APPEND    {"from":I,"entries":[[term,command],…]} entries I, I+1, …; I must be lastIndex+1
 *   3 TRUNCATE  {"from":I}                              drop entries I and later
 *   4 GROUP     [[type,payload],…]                      several of the above, applied in order
 *
 * One flush (one write + one fsync) is exactly one record (a GROUP when it carries more than
 * one change), so a crash can tear only the last record, and a torn flush is dropped whole.
 */
import { crc32 } from 'node:zlib';
import type { LogEntry, ServerId, Term } from '../core/index.js';
import { jsonValueProblem } from './jsonValue.js';

export const MAGIC = 'PRAFTLOG';
export const FORMAT_VERSION = 1;
export const HEADER_SIZE = 16;
export const FRAME_HEADER_SIZE = 9;

export const RecordType = { State: 1, Append: 2, Truncate: 3, Group: 4 } as const;
export type RecordType = (typeof RecordType)[keyof typeof RecordType];
type SimpleRecordType = Exclude<RecordType, typeof RecordType.Group>;

export type DiskErrorKind =
  | 'unreadable' // the file (or directory) cannot be read
  | 'bad-header' // too short for a header, wrong magic, or header checksum mismatch
  | 'bad-version' // a format version this code does not read
  | 'corrupt' // a damaged record before the tail
  | 'invalid-record' // a record whose checksum holds but whose content makes no sense
  | 'missing-state'; // the directory says it holds state, the log file is gone

/** Start-up refusal: the stored state cannot be trusted. One line: file, offset, what is wrong. */
export class DiskPersisterError extends Error {
  override readonly name = 'DiskPersisterError';
  constructor(
    readonly kind: DiskErrorKind,
    readonly file: string,
    readonly offset: number | null,
    readonly detail: string,
  ) {
    super(`${file}${offset === null ? '' : ` at offset ${offset}`}: ${detail} (${kind}); refusing to start`);
  }
}

/** A log entry's command that JSON would not give back unchanged. */
export class CommandEncodingError extends Error {
  override readonly name = 'CommandEncodingError';
  constructor(readonly index: number, readonly path: string, readonly problem: string) {
    super(`log entry ${index}: command${path} is ${problem}, which JSON cannot round-trip; refusing to persist it`);
  }
}

// ---- header ----------------------------------------------------------------------------------

export function encodeHeader(version: number = FORMAT_VERSION): Buffer {
  const header = Buffer.alloc(HEADER_SIZE);
  header.write(MAGIC, 0, 'latin1');
  header.writeUInt32LE(version, 8);
  header.writeUInt32LE(crc32(header.subarray(0, 12)), 12);
  return header;
}

function checkHeader(bytes: Buffer, file: string): void {
  if (bytes.length < HEADER_SIZE) {
    throw new DiskPersisterError('bad-header', file, 0, `file is ${bytes.length} bytes, shorter than the ${HEADER_SIZE}-byte header`);
  }
  if (bytes.toString('latin1', 0, 8) !== MAGIC) {
    throw new DiskPersisterError('bad-header', file, 0, `wrong magic (not a pure-raft disk log)`);
  }
  if (bytes.readUInt32LE(12) !== crc32(bytes.subarray(0, 12))) {
    throw new DiskPersisterError('bad-header', file, 0, `header checksum mismatch`);
  }
  const version = bytes.readUInt32LE(8);
  if (version !== FORMAT_VERSION) {
    throw new DiskPersisterError('bad-version', file, 8, `format version ${version}, this build reads version ${FORMAT_VERSION}`);
  }
}

// ---- records ---------------------------------------------------------------------------------

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

function frameChecksum(bytes: Buffer, offset: number, length: number): number {
  const afterLength = crc32(bytes.subarray(offset, offset + 4));
  return crc32(bytes.subarray(offset + 8, offset + FRAME_HEADER_SIZE + length), afterLength);
}

type FrameRead =
  | { readonly kind: 'ok'; readonly type: number; readonly payload: Buffer; readonly next: number }
  | { readonly kind: 'short'; readonly detail: string }
  | { readonly kind: 'checksum'; readonly detail: string };

function readFrame(bytes: Buffer, offset: number): FrameRead {
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

/** The first offset at or after `from` where a whole, checksum-valid record of a known type starts. */
function findValidFrame(bytes: Buffer, from: number): number | null {
  for (let at = from; at + FRAME_HEADER_SIZE <= bytes.length; at++) {
    const type = bytes[at + 8];
    if (type === undefined || type < RecordType.State || type > RecordType.Group) continue;
    const length = bytes.readUInt32LE(at);
    if (length > bytes.length - at - FRAME_HEADER_SIZE) continue;
    if (bytes.readUInt32LE(at + 4) === frameChecksum(bytes, at, length)) return at;
  }
  return null;
}

// ---- entries and JSON ------------------------------------------------------------------------

/** An entry as stored: `[term,command]`. Throws CommandEncodingError for a non-JSON command. */
export function encodeEntry(entry: LogEntry, index: number): string {
  if (!isTerm(entry.term)) {
    throw new CommandEncodingError(index, '', `in an entry whose term ${String(entry.term)} is not a non-negative integer`);
  }
  const problem = jsonValueProblem(entry.command);
  if (problem) throw new CommandEncodingError(index, problem.path, problem.problem);
  return `[${entry.term},${JSON.stringify(entry.command)}]`;
}

function isTerm(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

// ---- reading a whole log ---------------------------------------------------------------------

export interface ScanResult {
  readonly currentTerm: Term;
  readonly votedFor: ServerId | null;
  readonly log: LogEntry[];
  /** Stored size (UTF-8 bytes of the `[term,command]` encoding) of each entry, parallel to `log`. */
  readonly entrySizes: number[];
  /** Whole, valid records read. */
  readonly records: number;
  /** Where the valid part ends: the file is truncated here when a torn tail follows. */
  readonly end: number;
  /** The discarded torn tail, if any. */
  readonly torn: { readonly offset: number; readonly bytes: number; readonly detail: string } | null;
}

/**
 * Reads a whole log file. A damaged last record (short, or failing its checksum, with no valid
 * record anywhere after it) is a write the crash interrupted: reported in `torn`, not applied.
 * Anything else that is wrong throws DiskPersisterError naming the file and offset.
 */
export function scanLog(bytes: Buffer, file: string): ScanResult {
  checkHeader(bytes, file);
  let currentTerm: Term = 0;
  let votedFor: ServerId | null = null;
  const log: LogEntry[] = [];
  const entrySizes: number[] = [];
  let records = 0;
  let offset = HEADER_SIZE;
  let torn: ScanResult['torn'] = null;

  const apply = (type: number, payload: unknown, at: number, nested: boolean): void => {
    const bad = (what: string): DiskPersisterError => new DiskPersisterError('invalid-record', file, at, what);
    const obj = (typeof payload === 'object' && payload !== null ? payload : {}) as Record<string, unknown>;
    switch (type) {
      case RecordType.State: {
        const term = obj['term'];
        const vote = obj['votedFor'];
        if (!isTerm(term)) throw bad('STATE record without a valid term');
        if (vote !== null && !isTerm(vote)) throw bad('STATE record with an invalid votedFor');
        currentTerm = term;
        votedFor = vote;
        return;
      }
      case RecordType.Truncate: {
        const from = obj['from'];
        if (!isTerm(from) || from < 1 || from > log.length + 1) {
          throw bad(`TRUNCATE from ${String(from)} on a log of ${log.length} entries`);
        }
        log.length = from - 1;
        entrySizes.length = from - 1;
        return;
      }
      case RecordType.Append: {
        const from = obj['from'];
        const entries = obj['entries'];
        if (from !== log.length + 1) throw bad(`APPEND from ${String(from)} on a log of ${log.length} entries`);
        if (!Array.isArray(entries)) throw bad('APPEND record without an entries array');
        for (const item of entries as unknown[]) {
          if (!Array.isArray(item) || item.length !== 2 || !isTerm(item[0])) throw bad('APPEND record with a malformed entry');
          const entry: LogEntry = Object.freeze({ term: item[0], command: item[1] as unknown });
          log.push(entry);
          entrySizes.push(Buffer.byteLength(JSON.stringify(item), 'utf8'));
        }
        return;
      }
      case RecordType.Group: {
        if (nested || !Array.isArray(payload)) throw bad('malformed GROUP record');
        for (const member of payload as unknown[]) {
          if (!Array.isArray(member) || member.length !== 2 || typeof member[0] !== 'number') throw bad('malformed GROUP member');
          apply(member[0], member[1], at, true);
        }
        return;
      }
      default:
        throw bad(`unknown record type ${type}`);
    }
  };

  while (offset < bytes.length) {
    const frame = readFrame(bytes, offset);
    if (frame.kind !== 'ok') {
      const later = findValidFrame(bytes, offset + 1);
      if (later !== null) {
        throw new DiskPersisterError('corrupt', file, offset, `${frame.detail}, yet a valid record follows at offset ${later}: damage before the tail`);
      }
      torn = { offset, bytes: bytes.length - offset, detail: frame.detail };
      break;
    }
    let payload: unknown;
    try {
      payload = JSON.parse(frame.payload.toString('utf8'));
    } catch {
      throw new DiskPersisterError('invalid-record', file, offset, 'record payload is not JSON');
    }
    apply(frame.type, payload, offset, false);
    records++;
    offset = frame.next;
  }
  return { currentTerm, votedFor, log, entrySizes, records, end: offset, torn };
}
