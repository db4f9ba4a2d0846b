/**
 * The simulated file system: a `DiskFs` in memory whose crashes lose, tear and reorder what was
 * not made durable, every choice drawn from one seeded `RandomSource`, so a run replays from its
 * seed. It is the storage of the one simulated world (with the virtual clock and the seeded
 * random source): the fault harness runs the real DiskPersister on it.
 *
 * What it models, and what it promises:
 * - A file has durable content and the writes (and truncations) made since its last fsync
 *   (`sync` and `datasync` are alike here: both make the data and the size durable). Reads see
 *   every write at once.
 * - Creating, renaming and unlinking a name changes what reads see at once, and joins its
 *   directory's journal; an fsync of the directory (opening it with 'r' and calling `sync`)
 *   makes the journal durable. Directories themselves (`mkdir`) are durable at once.
 * - `crash()`: every file keeps its durable content plus a seeded subset of its unsynced
 *   writes, applied in a seeded order (so later writes may land without earlier ones), each
 *   possibly torn at any byte (only a prefix of it lands). Each directory keeps a seeded prefix
 *   of its journal (a metadata journal replays in order). Then every handle and every
 *   `process()` view from before the crash fails with EIO, as a dead process's would.
 * - `crashAfter(n)`: the crash happens at the n-th mutating operation from now, instead of it
 *   (the operation fails with EIO): a crash at any point between two file operations.
 * - `flipBit(path, offset, bit)`: media corruption of durable bytes.
 */
import { dirname } from 'node:path';
import type { DiskFileHandle, DiskFs } from '../diskPersister.js';
import type { RandomSource } from '../random.js';

type Change = { readonly kind: 'write'; readonly position: number; readonly bytes: Buffer } | { readonly kind: 'truncate'; readonly length: number };

interface Inode {
  durable: Buffer;
  live: Buffer;
  unsynced: Change[];
}

/** One directory-journal entry: `name` now points at `inode` (null: removed), and `from` (if any) is gone. */
interface DirOp {
  readonly name: string;
  readonly inode: Inode | null;
  readonly from: string | null;
}

export interface SimFsOptions {
  /** Chance an unsynced write (or truncation) survives a crash (default 0.5). */
  readonly keep?: number;
  /** Chance a surviving write is torn: only a prefix of its bytes lands (default 0.5). */
  readonly tear?: number;
}

export interface SimFsStats {
  crashes: number;
  /** Unsynced writes at crashes that landed whole, landed torn, or were lost. */
  writesKept: number;
  writesTorn: number;
  writesLost: number;
  /** Directory operations lost at crashes (not yet made durable by a directory fsync). */
  dirOpsLost: number;
  bitsFlipped: number;
}

export class SimFs implements DiskFs {
  readonly stats: SimFsStats = { crashes: 0, writesKept: 0, writesTorn: 0, writesLost: 0, dirOpsLost: 0, bitsFlipped: 0 };
  private live = new Map<string, Inode>();
  private durable = new Map<string, Inode>();
  private readonly dirs = new Set<string>(['/']);
  private readonly journal = new Map<string, DirOp[]>();
  private epoch = 0;
  private countdown: number | null = null;
  private readonly keep: number;
  private readonly tear: number;

  constructor(private readonly random: RandomSource, options: SimFsOptions = {}) {
    this.keep = options.keep ?? 0.5;
    this.tear = options.tear ?? 0.5;
  }

  /** A view of this file system for one process: after the next crash every call on it fails with EIO. */
  process(): DiskFs {
    const epoch = this.epoch;
    const alive = (): void => this.alive(epoch);
    return {
      open: async (path, flags) => { alive(); return this.open(path, flags); },
      readFile: async (path) => { alive(); return this.readFile(path); },
      rename: async (from, to) => { alive(); return this.rename(from, to); },
      unlink: async (path) => { alive(); return this.unlink(path); },
      mkdir: async (path) => { alive(); return this.mkdir(path); },
      exists: async (path) => { alive(); return this.exists(path); },
    };
  }

  /** Crash at the n-th mutating operation from now (1: the next one); null cancels. */
  crashAfter(n: number | null): void {
    this.countdown = n;
  }

  async open(path: string, flags: string): Promise<DiskFileHandle> {
    const epoch = this.epoch;
    if (this.dirs.has(path)) {
      if (flags !== 'r') throw fsError('EISDIR', `illegal operation on a directory, open '${path}'`);
      return this.handle(epoch, null, path);
    }
    let inode = this.live.get(path);
    if (flags === 'w') {
      this.mutation();
      if (!this.dirs.has(dirname(path))) throw fsError('ENOENT', `no such file or directory, open '${path}'`);
      if (inode) {
        inode.live = Buffer.alloc(0);
        inode.unsynced.push({ kind: 'truncate', length: 0 });
      } else {
        inode = { durable: Buffer.alloc(0), live: Buffer.alloc(0), unsynced: [] };
        this.link(path, inode, null);
      }
    } else if (flags !== 'r' && flags !== 'r+') {
      throw new Error(`SimFs: flags '${flags}' not modelled`);
    }
    if (!inode) throw fsError('ENOENT', `no such file or directory, open '${path}'`);
    return this.handle(epoch, inode, path);
  }

  async readFile(path: string): Promise<Buffer> {
    if (this.dirs.has(path)) throw fsError('EISDIR', `illegal operation on a directory, read`);
    const inode = this.live.get(path);
    if (!inode) throw fsError('ENOENT', `no such file or directory, open '${path}'`);
    return Buffer.from(inode.live);
  }

  async rename(from: string, to: string): Promise<void> {
    this.mutation();
    const inode = this.live.get(from);
    if (!inode) throw fsError('ENOENT', `no such file or directory, rename '${from}' -> '${to}'`);
    if (dirname(from) !== dirname(to)) throw new Error('SimFs: rename across directories not modelled');
    this.link(to, inode, from);
  }

  async unlink(path: string): Promise<void> {
    this.mutation();
    if (!this.live.has(path)) throw fsError('ENOENT', `no such file or directory, unlink '${path}'`);
    this.link(path, null, null);
  }

  async mkdir(path: string): Promise<void> {
    for (let p = path; !this.dirs.has(p); p = dirname(p)) this.dirs.add(p);
  }

  async exists(path: string): Promise<boolean> {
    return this.dirs.has(path) || this.live.has(path);
  }

  /** Every byte not made durable is subject to loss, reordering and tearing; see the header. */
  crash(): void {
    this.stats.crashes++;
    const inodes = new Set([...this.live.values(), ...this.durable.values()]);
    for (const inode of inodes) {
      const kept = inode.unsynced.filter(() => {
        const keep = this.random.next() < this.keep;
        if (!keep) this.stats.writesLost++;
        return keep;
      });
      shuffle(kept, this.random);
      let content = inode.durable;
      for (const change of kept) {
        if (change.kind === 'truncate') {
          content = resize(content, change.length);
          this.stats.writesKept++;
          continue;
        }
        let bytes = change.bytes;
        if (this.random.next() < this.tear) {
          bytes = bytes.subarray(0, this.random.int(bytes.length));
          this.stats.writesTorn++;
        } else {
          this.stats.writesKept++;
        }
        content = writeAt(content, change.position, bytes);
      }
      inode.durable = content;
      inode.live = Buffer.from(content);
      inode.unsynced = [];
    }
    for (const [dir, ops] of this.journal) {
      const landed = this.random.int(ops.length + 1);
      for (const op of ops.slice(0, landed)) this.applyDurably(op);
      this.stats.dirOpsLost += ops.length - landed;
      this.journal.delete(dir);
    }
    this.live = new Map(this.durable);
    this.epoch++;
    this.countdown = null;
  }

  /** Flips one bit of a file's durable (and visible) content: media corruption. */
  flipBit(path: string, offset: number, bit = 0): void {
    const inode = this.live.get(path);
    if (!inode || offset < 0 || offset >= inode.live.length) throw new RangeError(`SimFs.flipBit: no byte ${offset} in ${path}`);
    inode.live[offset]! ^= 1 << bit;
    if (offset < inode.durable.length) inode.durable[offset]! ^= 1 << bit;
    this.stats.bitsFlipped++;
  }

  /** A file's visible size, or null when it does not exist. */
  size(path: string): number | null {
    return this.live.get(path)?.live.length ?? null;
  }

  /** Replaces a file's content durably (a test's or an operator's hand edit, not a process's write). */
  setDurably(path: string, bytes: Buffer): void {
    const inode = this.live.get(path);
    if (!inode) throw fsError('ENOENT', `no such file '${path}'`);
    inode.durable = Buffer.from(bytes);
    inode.live = Buffer.from(bytes);
    inode.unsynced = [];
  }

  private handle(epoch: number, inode: Inode | null, path: string): DiskFileHandle {
    const alive = (): void => this.alive(epoch);
    const file = (): Inode => {
      if (!inode) throw fsError('EISDIR', `illegal operation on a directory '${path}'`);
      return inode;
    };
    const sync = async (): Promise<void> => {
      alive();
      this.mutation();
      if (inode === null) {
        for (const op of this.journal.get(path) ?? []) this.applyDurably(op);
        this.journal.delete(path);
        return;
      }
      inode.durable = Buffer.from(inode.live);
      inode.unsynced = [];
    };
    return {
      write: async (buffer, offset, length, position) => {
        alive();
        this.mutation();
        const f = file();
        const bytes = Buffer.from(buffer.subarray(offset, offset + length));
        f.live = writeAt(f.live, position, bytes);
        f.unsynced.push({ kind: 'write', position, bytes });
        return { bytesWritten: length };
      },
      truncate: async (length) => {
        alive();
        this.mutation();
        const f = file();
        f.live = resize(f.live, length);
        f.unsynced.push({ kind: 'truncate', length });
      },
      sync,
      datasync: sync,
      close: async () => undefined,
    };
  }

  private link(name: string, inode: Inode | null, from: string | null): void {
    if (inode) this.live.set(name, inode);
    else this.live.delete(name);
    if (from !== null) this.live.delete(from);
    const dir = dirname(name);
    const ops = this.journal.get(dir) ?? [];
    ops.push({ name, inode, from });
    this.journal.set(dir, ops);
  }

  private applyDurably(op: DirOp): void {
    if (op.inode) this.durable.set(op.name, op.inode);
    else this.durable.delete(op.name);
    if (op.from !== null) this.durable.delete(op.from);
  }

  private alive(epoch: number): void {
    if (epoch !== this.epoch) throw fsError('EIO', 'i/o error: this process crashed');
  }

  /** Counts down to a scheduled crash; at zero the crash happens instead of the operation. */
  private mutation(): void {
    if (this.countdown === null) return;
    if (--this.countdown > 0) return;
    this.crash();
    throw fsError('EIO', 'i/o error: crashed here');
  }
}

function fsError(code: string, message: string): Error {
  return Object.assign(new Error(`${code}: ${message}`), { code });
}

function writeAt(content: Buffer, position: number, bytes: Buffer): Buffer {
  const out = content.length >= position + bytes.length ? Buffer.from(content) : resize(content, position + bytes.length);
  bytes.copy(out, position);
  return out;
}

/** A copy cut or zero-extended to `length` bytes. */
function resize(content: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  content.copy(out, 0, 0, Math.min(length, content.length));
  return out;
}

function shuffle<T>(items: T[], random: RandomSource): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
}
