/**
 * `pure-raft repair --data-dir D [--yes]`: the operator's one way past a data directory the
 * node refuses. Without --yes it prints what it would drop (the offset, the bytes, the records
 * and entries in them, and what the seal said was acknowledged) and changes nothing; with --yes
 * it cuts the log after its last whole, valid record, writes a seal for what is kept, and checks
 * that the directory now opens. A damaged header is rebuilt from the generation and snapshot the
 * newest valid seal names (then the records are judged as usual); with no valid seal, --yes
 * empties the directory. A snapshot file that is missing, damaged or not the one the seal names
 * cannot be rebuilt (the log no longer holds the entries it replaced): --yes empties the
 * directory, and the leader sends the server its snapshot. A directory that opens as it is: says
 * so, exit 0.
 *
 * Dropping acknowledged state can make this server forget a vote or entries a quorum counted
 * on; the printout says so, and that is why it takes --yes.
 *
 * Exit: 0 done (or nothing to do, or a dry run); 1 cannot repair (no such directory, a log of a
 * format version this build cannot read); 2 bad flags.
 */
import { promises as fsp, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  DiskPersisterError, HEADER_SIZE, NO_SNAPSHOT, RecordType, currentSeal, decodeRecord, encodeHeader, encodeSealFile,
  judgeLog, readFrame, readHeader, readLog, readSealSlots, readSnapshotFile, readVersion2, repairHint, snapshotId,
  type LogHeader, type LogRead, type Seal, type SnapshotId,
} from '../runtime/diskFormat.js';
import { DataDirLock, DataDirLockError } from '../runtime/dataDirLock.js';
import {
  DiskPersister, LOG_FILE, MARKER_FILE, nodeDiskFs, replaceDurably, SEAL_FILE, SNAPSHOT_FILE, SNAPSHOT_TEMP_FILE, syncDirectory,
} from '../runtime/diskPersister.js';

export const REPAIR_USAGE = `usage: pure-raft repair --data-dir DIR [--yes]
  --data-dir    the data directory a node refuses to start from
  --yes         drop what it prints (without it, nothing is changed)
exit: 0 repaired, nothing to repair, or a dry run; 1 cannot repair; 2 bad flags`;

interface RepairArgs {
  readonly dataDir: string;
  readonly yes: boolean;
}

export interface RepairIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

const processIo: RepairIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

class RepairUsageError extends Error {}

function parseRepairArgs(argv: readonly string[]): RepairArgs | 'help' {
  let dataDir: string | undefined;
  let yes = false;
  const given = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    // As in `pure-raft node`: a flag given twice is a mistake to point out, not "last wins".
    const name = flag.startsWith('--') && flag.includes('=') ? flag.slice(0, flag.indexOf('=')) : flag;
    if (name.startsWith('--') && given.has(name)) throw new RepairUsageError(`${name} is given twice`);
    given.add(name);
    if (flag.startsWith('--data-dir=')) {
      dataDir = flag.slice('--data-dir='.length);
      if (dataDir === '') throw new RepairUsageError('--data-dir needs a value');
      continue;
    }
    switch (flag) {
      case '--data-dir': {
        const value = argv[++i];
        if (value === undefined || value === '' || value.startsWith('--')) throw new RepairUsageError('--data-dir needs a value');
        dataDir = value;
        break;
      }
      case '--yes': yes = true; break;
      case '--help': case '-h': return 'help';
      default: throw new RepairUsageError(`unknown flag '${flag}'`);
    }
  }
  if (dataDir === undefined) throw new RepairUsageError('--data-dir is required');
  return { dataDir, yes };
}

/** What repair found, and what --yes does about it. */
type Plan =
  | { readonly kind: 'fine'; readonly note: string }
  | { readonly kind: 'cannot'; readonly reason: string }
  | { readonly kind: 'empty'; readonly reason: string }
  /** header: the header to rewrite a damaged one with first, else null; snapshot: the snapshot file the log goes with. */
  | {
    readonly kind: 'cut'; readonly reason: string; readonly keep: number; readonly generation: number; readonly seq: number;
    readonly header: LogHeader | null; readonly snapshot: SnapshotId;
  };

export async function runRepair(argv: readonly string[], io: RepairIo = processIo): Promise<number> {
  let args: RepairArgs | 'help';
  try {
    args = parseRepairArgs(argv);
  } catch (error) {
    if (!(error instanceof RepairUsageError)) throw error;
    io.err(`pure-raft repair: ${error.message} (pure-raft repair --help)`);
    return 2;
  }
  if (args === 'help') {
    io.out(REPAIR_USAGE);
    return 0;
  }
  const dir = args.dataDir;
  // A node running on the directory would keep writing under the repair (and a dry run would
  // read a moving log): the repair holds the node's own lock, or refuses.
  let lock: DataDirLock | null = null;
  if (statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
    try {
      lock = DataDirLock.acquire(dir);
    } catch (error) {
      if (!(error instanceof DataDirLockError)) throw error;
      const held = error.held !== null;
      io.err(held ? `pure-raft repair: ${dir} is ${error.message}: stop that node first` : `pure-raft repair: ${error.message}`);
      return 1;
    }
  }
  try {
    return await repairLocked(dir, args.yes, io);
  } finally {
    lock?.release();
  }
}

async function repairLocked(dir: string, yes: boolean, io: RepairIo): Promise<number> {
  let plan: Plan;
  try {
    plan = await planRepair(dir, io);
  } catch (error) {
    io.err(`pure-raft repair: ${dir}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  switch (plan.kind) {
    case 'fine':
      io.out(`${dir}: nothing to repair: ${plan.note}`);
      return 0;
    case 'cannot':
      io.err(`pure-raft repair: ${dir}: cannot repair: ${plan.reason}`);
      return 1;
    case 'empty':
    case 'cut':
      if (!yes) {
        io.out(`${dir}: nothing changed; run again with --yes to drop it`);
        return 0;
      }
      await carryOut(dir, plan);
      try {
        const opened = await DiskPersister.open(dir);
        const state = opened.load();
        await opened.close();
        const snapshot = state !== null && state.lastIncludedIndex > 0 ? `, the snapshot through index ${state.lastIncludedIndex}` : '';
        io.out(`${dir}: repaired: it now starts with ${state ? `currentTerm ${state.currentTerm}, votedFor ${state.votedFor ?? '-'}, log ${state.log.length} entries${snapshot}` : 'no saved state'}`);
        return 0;
      } catch (error) {
        io.err(`pure-raft repair: ${dir}: still refused after repair: ${error instanceof Error ? error.message : String(error)}`);
        return 1;
      }
  }
}

/** Reads the directory as a start would, and prints what a repair would drop. Changes nothing. */
async function planRepair(dir: string, io: RepairIo): Promise<Plan> {
  const stat = await fsp.stat(dir).catch(() => null);
  if (stat === null) return { kind: 'cannot', reason: 'no such directory' };
  if (!stat.isDirectory()) return { kind: 'cannot', reason: 'it is not a directory' };
  const logPath = join(dir, LOG_FILE);
  const marker = await exists(join(dir, MARKER_FILE));
  const raw = await fsp.readFile(logPath).catch((error: unknown) => {
    if ((error as { code?: unknown }).code === 'ENOENT') return null;
    throw error;
  });
  if (raw === null) {
    if (!marker) return { kind: 'fine', note: 'it holds no Raft state (a node starts it empty)' };
    const reason = `${LOG_FILE} is missing but ${MARKER_FILE} says this directory held Raft state`;
    io.out(`${logPath}: ${reason}`);
    io.out(`would drop: all of this server's state (term, vote, snapshot and log); ${EMPTY_REMOVES}`);
    warn(io);
    return { kind: 'empty', reason };
  }
  const sealBytes = (await fsp.readFile(join(dir, SEAL_FILE)).catch(() => null)) ?? Buffer.alloc(0);
  if (readVersion2(raw, sealBytes) !== null) {
    return { kind: 'cannot', reason: `${LOG_FILE} is format version 2 (before snapshots): start the node once, which reads it and rewrites it as version 3, and repair that if it is refused` };
  }
  const slots = readSealSlots(sealBytes);
  let logHeader: LogHeader;
  let bytes = raw;
  let header: LogHeader | null = null;
  try {
    logHeader = readHeader(bytes, logPath);
  } catch (error) {
    if (!(error instanceof DiskPersisterError)) throw error;
    if (error.kind !== 'bad-header') return { kind: 'cannot', reason: `${error.detail} (${error.kind}); move the directory aside and start the server from an empty one` };
    io.out(`${logPath}: ${error.detail} (${error.kind})`);
    // The header holds only the magic, the version, the generation and the snapshot's index and
    // term, and the newest valid seal names them: rebuilt from it, the records after it are
    // judged as usual.
    const newest = slots.reduce<Seal | null>((best, seal) => (seal !== null && (best === null || seal.seq > best.seq) ? seal : best), null);
    if (newest === null) {
      const reason = `the log's header is damaged and no valid seal names its generation`;
      io.out(`would drop: all of this server's state (term, vote, snapshot and log), as no seal says what the log was; ${EMPTY_REMOVES}`);
      warn(io);
      return { kind: 'empty', reason };
    }
    logHeader = { generation: newest.generation, lastIncludedIndex: newest.snapshot.lastIncludedIndex, lastIncludedTerm: newest.snapshot.lastIncludedTerm };
    header = logHeader;
    bytes = Buffer.concat([encodeHeader(logHeader), bytes.subarray(HEADER_SIZE)]);
    io.out(`would rewrite: the ${HEADER_SIZE}-byte header, with log generation ${logHeader.generation} after the snapshot through index ${logHeader.lastIncludedIndex} (named by the seal, flush ${newest.seq}); the records after it are checked as usual`);
  }
  const generation = logHeader.generation;
  const chosen = currentSeal(slots, generation);
  const seal = chosen?.seal ?? null;
  const read = readLog(bytes, logPath, seal?.end ?? null);
  const seq = Math.max(slots[0]?.seq ?? 0, slots[1]?.seq ?? 0) + 1;
  const snapshot = await judgeSnapshot(dir, logHeader, seal);
  if (typeof snapshot === 'string') {
    io.out(`${join(dir, SNAPSHOT_FILE)}: ${snapshot}`);
    io.out(`would drop: all of this server's state (term, vote, snapshot and log): the snapshot cannot be rebuilt, as the log no longer holds the ${logHeader.lastIncludedIndex} entries it replaced; ${EMPTY_REMOVES}, and the leader sends it a snapshot`);
    warn(io);
    return { kind: 'empty', reason: snapshot };
  }
  let refusal: DiskPersisterError | null = null;
  try {
    const discard = judgeLog(read, bytes.length, seal, logPath, !marker, repairHint(dir));
    const tail = discard ? `; a start drops the ${discard.bytes} unacknowledged bytes at offset ${discard.offset} by itself (${discard.detail})` : '';
    if (header === null) return { kind: 'fine', note: `it starts with log ${read.log.length} entries, currentTerm ${read.currentTerm}${tail}` };
  } catch (error) {
    if (!(error instanceof DiskPersisterError)) throw error;
    refusal = error;
  }
  if (refusal === null) {
    // Only the header was damaged: --yes rewrites it and seals the log as it is.
    io.out(`would keep: offsets 0-${bytes.length}: ${describe(read)}`);
    io.out(`would drop: nothing; --yes rewrites the header and writes a seal for the ${read.records} records kept`);
    io.out(sealClaim(seal, bytes.length));
    return { kind: 'cut', reason: 'the header is damaged', keep: bytes.length, generation, seq, header, snapshot };
  }
  const keep = read.stop?.offset ?? read.end;
  const kept = keep === bytes.length ? read : readLog(bytes.subarray(0, keep), logPath);
  const dropped = countRecords(bytes, keep);
  io.out(`${logPath}: ${refusal.detail} (${refusal.kind})`);
  io.out(`would keep: offsets 0-${keep}: ${describe(kept)}`);
  if (keep < bytes.length) {
    io.out(`would drop: ${bytes.length - keep} bytes from offset ${keep} to the end (${dropped.records} checksum-valid records with ${dropped.entries} entries found in them)`);
  } else {
    io.out(`would drop: nothing; --yes writes a seal for the ${kept.records} records kept`);
  }
  io.out(sealClaim(seal, keep));
  if (seal !== null && keep < seal.end) warn(io);
  return { kind: 'cut', reason: refusal.detail, keep, generation, seq, header, snapshot };
}

const EMPTY_REMOVES = `--yes removes ${LOG_FILE}, ${SNAPSHOT_FILE}, ${MARKER_FILE} and ${SEAL_FILE} so it starts empty`;

/**
 * The snapshot file a log with this header goes with, as a start would find it (the seal's, or
 * when no seal names the log, the snapshot file's own if it is whole and of the header's index
 * and term); or why there is none. Changes nothing (a start renames a matching temp file in).
 */
async function judgeSnapshot(dir: string, header: LogHeader, seal: Seal | null): Promise<SnapshotId | string> {
  const path = join(dir, SNAPSHOT_FILE);
  const bytes = await fsp.readFile(path).catch(() => null);
  if (header.lastIncludedIndex === 0) {
    return bytes === null ? NO_SNAPSHOT : `the log follows no snapshot, but this snapshot file is there (stray-snapshot)`;
  }
  const named = seal?.snapshot ?? (bytes === null ? null : snapshotId(bytes, header.lastIncludedIndex, header.lastIncludedTerm));
  if (named === null) return `the snapshot file is missing, but the log follows the snapshot through index ${header.lastIncludedIndex} (corrupt-snapshot)`;
  let problem = '';
  for (const candidate of [path, join(dir, SNAPSHOT_TEMP_FILE)]) {
    const content = candidate === path ? bytes : await fsp.readFile(candidate).catch(() => null);
    if (content === null) continue;
    try {
      readSnapshotFile(content, candidate, named, null);
      return named;
    } catch (error) {
      if (!(error instanceof DiskPersisterError)) throw error;
      if (candidate === path) problem = `${error.detail} (${error.kind})`;
    }
  }
  return problem || `the snapshot file is missing, but the seal names the snapshot through index ${named.lastIncludedIndex} (corrupt-snapshot)`;
}

function describe(read: LogRead): string {
  return `${read.records} records, log ${read.log.length} entries, currentTerm ${read.currentTerm}, votedFor ${read.votedFor ?? '-'}`;
}

function sealClaim(seal: Seal | null, keep: number): string {
  if (seal === null) return 'the seal: none names this log, so nothing says how much of it was acknowledged';
  const lost = Math.max(0, seal.end - keep);
  return `the seal (flush ${seal.seq}) claimed ${seal.end} bytes were written and acknowledged${lost > 0 ? `: ${lost} acknowledged bytes are lost` : ''}`;
}

function warn(io: RepairIo): void {
  io.out('warning: this server acknowledged what is dropped; it may have forgotten a vote or entries a quorum counted on, so repair one server at a time and let it catch up from the leader');
}

/** Whole, checksum-valid records (and their entries) found by scanning the bytes from `from`. */
function countRecords(bytes: Buffer, from: number): { records: number; entries: number } {
  let records = 0;
  let entries = 0;
  for (let at = from; at + 9 <= bytes.length;) {
    const type = bytes[at + 8];
    const frame = type !== undefined && type >= RecordType.State && type <= RecordType.SnapshotConfig ? readFrame(bytes, at) : null;
    if (frame?.kind !== 'ok') {
      at++;
      continue;
    }
    records++;
    try {
      for (const change of decodeRecord(frame.type, frame.payload.toString('utf8'))) {
        if (change.type === RecordType.Append) entries += change.entries.length;
      }
    } catch {
      // counted as a record; its entries unknown
    }
    at = frame.next;
  }
  return { records, entries };
}

async function carryOut(dir: string, plan: Extract<Plan, { kind: 'empty' | 'cut' }>): Promise<void> {
  const sealPath = join(dir, SEAL_FILE);
  if (plan.kind === 'empty') {
    await fsp.rm(join(dir, LOG_FILE), { force: true }); // gone already, or a log nothing can read
    await fsp.rm(join(dir, SNAPSHOT_FILE), { force: true });
    await fsp.rm(join(dir, SNAPSHOT_TEMP_FILE), { force: true });
    await fsp.rm(sealPath, { force: true });
    await fsp.rm(join(dir, MARKER_FILE), { force: true });
    await syncDirectory(nodeDiskFs, dir);
    return;
  }
  const logPath = join(dir, LOG_FILE);
  const handle = await fsp.open(logPath, 'r+');
  try {
    if (plan.header !== null) await handle.write(encodeHeader(plan.header), 0, HEADER_SIZE, 0);
    await handle.truncate(plan.keep);
    await handle.datasync();
  } finally {
    await handle.close();
  }
  const kept = readLog(await fsp.readFile(logPath), logPath);
  const seal: Seal = { seq: plan.seq, generation: plan.generation, end: kept.end, lastCrc: kept.end === HEADER_SIZE ? 0 : kept.lastCrc, snapshot: plan.snapshot };
  await replaceDurably(nodeDiskFs, sealPath, [encodeSealFile(seal)]);
}

async function exists(path: string): Promise<boolean> {
  return fsp.stat(path).then(() => true, () => false);
}
