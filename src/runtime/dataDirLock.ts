import { createHash, randomBytes } from 'node:crypto';
import { linkSync, readFileSync, readlinkSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/**
 * One process per data directory. Two nodes on one directory both append to one log and
 * both acknowledge; what is left afterwards is neither's history. So a node holds LOCK in its
 * data directory for its whole life, and a second process is refused before it reads a byte.
 *
 * LOCK holds the owner's pid, host, process start time (Linux: field 22 of /proc/<pid>/stat,
 * so a pid reused after a reboot or a wrap is told apart) and a random nonce. It is created
 * whole or not at all: the record is written to a private temp file and hard-linked to LOCK
 * (link fails if LOCK exists, like O_EXCL, and no one ever sees a half-written LOCK).
 *
 * It also holds the owner's pid namespace and boot id (see judgeOwner for how they are read).
 * A LOCK whose owner is gone (no such pid, a pid with another start time, or another boot) is stale: a
 * SIGKILLed node leaves one, and the next start takes it over. Takeover is a race between
 * every starter that saw the same stale record, so each must first create (the same way) a
 * marker named for that record, LOCK.takeover-<digest>: only one can, and it replaces LOCK
 * only if LOCK still holds that very record, which only the marker's holder may change. A
 * starter that dies holding a marker leaves a stale marker, taken over the same way, one
 * level down. A lock held from another host or pid namespace cannot be judged from here and is refused.
 */
export const LOCK_FILE = 'LOCK';

/** The data directory is held by another live process (or cannot be locked): one line. */
export class DataDirLockError extends Error {
  override readonly name = 'DataDirLockError';
  /**
   * How another process holds the directory ('locked', or 'being taken over' from a stale owner),
   * when that is the reason; null when the lock could not be taken for another reason.
   */
  constructor(message: string, readonly held: 'locked' | 'being taken over' | null = null) {
    super(message);
  }
}

/** Who holds a lock: what LOCK records. */
export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  /** The process's start time in clock ticks since boot (Linux), else null: then the pid alone is checked. */
  readonly start: string | null;
  readonly nonce: string;
  /** The owner's pid namespace (`readlink /proc/self/ns/pid`); null where unreadable or in an older record. */
  readonly pidNs: string | null;
  /** The owner's boot id (/proc/sys/kernel/random/boot_id); null where unreadable or in an older record. */
  readonly bootId: string | null;
}

/** For tests of the takeover race: called after a stale record was read, before the takeover. */
export interface LockOptions {
  readonly onStale?: (path: string) => void;
}

/** Field 22 of /proc/<pid>/stat (starttime); null where there is no /proc or no such process. */
export function processStartTime(pid: number): string | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return null;
  }
  // Field 2 (the command) is in parentheses and may hold spaces: count from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[22 - 3] ?? null;
}

function parseOwner(raw: string): LockOwner | null {
  try {
    const o = JSON.parse(raw) as Partial<LockOwner>;
    if (typeof o.pid !== 'number' || !Number.isSafeInteger(o.pid) || o.pid <= 0 || typeof o.host !== 'string' || typeof o.nonce !== 'string') return null;
    const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);
    return { pid: o.pid, host: o.host, start: text(o.start), nonce: o.nonce, pidNs: text(o.pidNs), bootId: text(o.bootId) };
  } catch {
    return null;
  }
}

/** What this process sees of itself and of a recorded owner's pid: the inputs of judgeOwner. */
export interface LockObservation {
  readonly host: string;
  /** This process's pid namespace (`readlink /proc/self/ns/pid`), null where unreadable. */
  readonly pidNs: string | null;
  /** This boot's id (/proc/sys/kernel/random/boot_id), null where unreadable. */
  readonly bootId: string | null;
  /** Whether a process with the owner's pid exists here (kill 0 gave no ESRCH). */
  readonly pidExists: boolean;
  /** That process's start time as read here, null if it cannot be read (no /proc, hidepid). */
  readonly start: string | null;
}

/** alive: refuse; stale: take over; unknown: cannot be checked from here (refuse, saying where). */
export type OwnerVerdict = { readonly kind: 'alive' } | { readonly kind: 'stale' } | { readonly kind: 'unknown'; readonly where: string };

/**
 * Whether a LOCK's owner may still be running, from what this process observes. Pids are only
 * meaningful within one pid namespace of one boot: a lock taken in another namespace (another
 * container on the same hostname) names a pid that means nothing here, so it is refused as from
 * another host. Boot ids are global to a kernel, so a different one means the machine rebooted
 * and every process of the old boot is gone. A process that exists but whose start time cannot
 * be read is taken as the owner: a wrong "alive" costs a manual step, a wrong "stale" two writers.
 * Older records (no pidNs/bootId) are judged by host, pid and start time alone.
 */
export function judgeOwner(owner: LockOwner, here: LockObservation): OwnerVerdict {
  if (owner.host !== here.host) return { kind: 'unknown', where: `on host ${owner.host}` };
  if (owner.bootId !== null && here.bootId !== null && owner.bootId !== here.bootId) return { kind: 'stale' };
  if (owner.pidNs !== null && owner.pidNs !== here.pidNs) return { kind: 'unknown', where: `in pid namespace ${owner.pidNs}` };
  if (!here.pidExists) return { kind: 'stale' };
  if (owner.start === null || here.start === null) return { kind: 'alive' };
  return here.start === owner.start ? { kind: 'alive' } : { kind: 'stale' };
}

function readQuietly(read: () => string): string | null {
  try {
    return read();
  } catch {
    return null;
  }
}

const ownPidNs = (): string | null => readQuietly(() => readlinkSync('/proc/self/ns/pid'));
const ownBootId = (): string | null => readQuietly(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim());

function observe(pid: number): LockObservation {
  let pidExists = true;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: a process of another user has the pid; its start time says if it is the owner.
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') pidExists = false;
  }
  return { host: hostname(), pidNs: ownPidNs(), bootId: ownBootId(), pidExists, start: pidExists ? processStartTime(pid) : null };
}

function describeOwner(owner: LockOwner, verdict: OwnerVerdict): string {
  return verdict.kind === 'unknown' ? `pid ${owner.pid} ${verdict.where} (not checkable from here; remove the LOCK file only if that process is gone)` : `pid ${owner.pid}`;
}

function readRaw(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new DataDirLockError(`cannot read ${path}: ${(error as Error).message}`);
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

const MAX_DEPTH = 8; // nested stale markers: each level needs another starter that died mid-takeover

/** Makes `path` hold `record` exclusively, taking over a stale holder; throws DataDirLockError. */
function acquire(path: string, record: string, options: LockOptions, depth: number): void {
  if (depth > MAX_DEPTH) throw new DataDirLockError(`cannot lock ${path}: too many abandoned takeover markers; remove ${path}.takeover-* by hand`);
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    writeFileSync(temp, record, { flag: 'wx' });
  } catch (error) {
    throw new DataDirLockError(`cannot write a lock file beside ${path}: ${(error as Error).message}`);
  }
  try {
    for (;;) {
      try {
        linkSync(temp, path);
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new DataDirLockError(`cannot create ${path}: ${(error as Error).message}`);
      }
      const held = readRaw(path);
      if (held === null) continue; // released meanwhile: try again
      // A record that does not parse was never written by a live holder (LOCK appears whole):
      // the remains of a crash before the record reached the disk. Stale.
      const owner = parseOwner(held);
      if (owner !== null) {
        const verdict = judgeOwner(owner, observe(owner.pid));
        if (verdict.kind !== 'stale') throw new DataDirLockError(`locked by ${describeOwner(owner, verdict)}`, 'locked');
      }
      options.onStale?.(path);
      const marker = `${path}.takeover-${createHash('sha256').update(held).digest('hex').slice(0, 16)}`;
      try {
        acquire(marker, record, options, depth + 1);
      } catch (error) {
        // Another starter is taking over this very record now: it will hold the lock.
        if (error instanceof DataDirLockError && error.held === 'locked') throw new DataDirLockError(`being taken over by ${error.message.slice('locked by '.length)}`, 'being taken over');
        throw error;
      }
      try {
        // Only the marker's holder may replace this record, and we hold it: no one can change
        // LOCK between this read and the rename (a release or a fresh link needs LOCK gone).
        if (readRaw(path) === held) {
          renameSync(temp, path);
          return;
        }
      } finally {
        unlinkQuietly(marker);
      }
    }
  } finally {
    unlinkQuietly(temp);
  }
}

/** A held data directory lock; release it on a clean exit (a killed process leaves it stale). */
export class DataDirLock {
  private released = false;

  private constructor(readonly path: string, private readonly record: string) {}

  /** Takes LOCK in `dir` (which must exist) or throws DataDirLockError naming the holder. */
  static acquire(dir: string, options: LockOptions = {}): DataDirLock {
    const owner: LockOwner = { pid: process.pid, host: hostname(), start: processStartTime(process.pid), nonce: randomBytes(8).toString('hex'), pidNs: ownPidNs(), bootId: ownBootId() };
    const record = `${JSON.stringify(owner)}\n`;
    const path = join(dir, LOCK_FILE);
    acquire(path, record, options, 0);
    return new DataDirLock(path, record);
  }

  /** Removes LOCK if it is still this one's (it always is, unless someone removed it by hand). */
  release(): void {
    if (this.released) return;
    this.released = true;
    if (readRaw(this.path) === this.record) unlinkQuietly(this.path);
  }
}
