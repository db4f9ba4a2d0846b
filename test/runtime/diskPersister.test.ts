import { promises as fsp, readFileSync, statSync, writeFileSync, mkdirSync, existsSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { ApplyMsg, LogEntry, PersistEffect } from '../../src/core/index.js';
import {
  CommandEncodingError, DiskPersister, DiskPersisterError, LOG_FILE, MARKER_FILE, SEAL_FILE, SNAPSHOT_FILE, SnapshotEncodingError, make,
  nodeDiskFs, seededRandom,
  type DiskFileHandle, type DiskFs,
} from '../../src/runtime/index.js';
import { crc32 } from 'node:zlib';
import {
  encodeFrame, encodeHeader, FRAME_HEADER_SIZE, HEADER_SIZE, readSealSlots, RecordType, SEAL_SLOT_SIZE,
} from '../../src/runtime/diskFormat.js';
import { MAX_TERM } from '../../src/core/limits.js';
import { SimFs } from '../../src/runtime/sim/fs.js';
import { ManualClock } from './manualClock.js';
import { scratchDirs } from '../helpers/scratchDir.js';

const freshDir = scratchDirs('disk');

const entry = (term: number, command: unknown): LogEntry => ({ term, command });
const effect = (currentTerm: number, votedFor: number | null, log: readonly LogEntry[], logChangedFrom: number): PersistEffect =>
  ({ currentTerm, votedFor, log, logChangedFrom, lastIncludedIndex: 0, lastIncludedTerm: 0, snapshot: null, snapshotChanged: false });
const plain = (p: DiskPersister) => {
  const s = p.load();
  return s && { currentTerm: s.currentTerm, votedFor: s.votedFor, log: s.log.map((e) => ({ term: e.term, command: e.command })) };
};
const logFile = (dir: string) => join(dir, LOG_FILE);
/** The state a fresh opener (a restart) reads from the directory. */
async function reopened(dir: string): Promise<ReturnType<typeof plain>> {
  const p = await DiskPersister.open(dir);
  try {
    return plain(p);
  } finally {
    await p.close();
  }
}
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Offsets of every record frame in a log file (walks the lengths). */
function recordOffsets(bytes: Buffer): number[] {
  const offsets: number[] = [];
  for (let at = HEADER_SIZE; at < bytes.length; at += FRAME_HEADER_SIZE + bytes.readUInt32LE(at)) offsets.push(at);
  return offsets;
}

/** Three records: term/vote, three entries, one more entry. */
async function threeRecords(dir: string): Promise<void> {
  const p = await DiskPersister.open(dir);
  const log = [entry(1, 'a'), entry(1, { b: [1, 2] }), entry(1, null)];
  await p.save(effect(1, 0, [], 1));
  await p.save(effect(1, 0, log, 1));
  await p.save(effect(2, null, [...log, entry(2, 'd')], 4));
  await p.close();
}

async function openError(dir: string): Promise<DiskPersisterError> {
  const error: unknown = await DiskPersister.open(dir).then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(DiskPersisterError);
  const typed = error as DiskPersisterError;
  expect(typed.message).not.toContain('\n');
  expect(typed.message).toContain(typed.file);
  return typed;
}

describe('DiskPersister: round trip', () => {
  test('a brand-new directory starts empty; hard state and entries survive close and reopen', async () => {
    const dir = join(freshDir(), 'node0'); // not yet created
    const p = await DiskPersister.open(dir);
    expect(p.load()).toBeNull();
    const log = [entry(1, 'x'), entry(1, { k: 'v', n: [1, 2.5, -3], t: true, z: null }), entry(2, 'ünïcødé ☃ \u{1F600}'), entry(2, '')];
    await p.save(effect(1, 2, [], 1));
    await p.save(effect(2, null, log, 1));
    expect(plain(p)).toEqual({ currentTerm: 2, votedFor: null, log });
    await p.close();
    expect(existsSync(join(dir, MARKER_FILE))).toBe(true);

    const q = await DiskPersister.open(dir);
    expect(plain(q)).toEqual({ currentTerm: 2, votedFor: null, log });
    await q.save(effect(3, 1, log, log.length + 1));
    await q.close();
    expect(await reopened(dir)).toEqual({ currentTerm: 3, votedFor: 1, log });
  });

  test('reopening without close (a crash after the saves resolved) keeps every resolved save', async () => {
    const dir = freshDir();
    const p = await DiskPersister.open(dir);
    const log: LogEntry[] = [];
    for (let i = 1; i <= 20; i++) {
      log.push(entry(1, i));
      await p.save(effect(1, 0, [...log], i));
    }
    expect(await reopened(dir)).toEqual({ currentTerm: 1, votedFor: 0, log });
    await p.close();
  });

  test('a save costs what changed: one entry on a 1000-entry log grows the file by about one entry', async () => {
    const dir = freshDir();
    const p = await DiskPersister.open(dir);
    const log = Array.from({ length: 1000 }, (_, i) => entry(1, { op: 'put', key: `k${i}`, value: 'v'.repeat(50) }));
    await p.save(effect(1, 0, log, 1));
    const before = statSync(logFile(dir)).size;
    expect(before).toBeGreaterThan(1000 * 50);
    const next = entry(1, { op: 'put', key: 'k1000', value: 'v'.repeat(50) });
    const oneEntryBytes = JSON.stringify([1, next.command]).length;
    await p.save(effect(1, 0, [...log, next], 1001));
    const grown = statSync(logFile(dir)).size - before;
    expect(grown).toBeGreaterThanOrEqual(oneEntryBytes);
    expect(grown).toBeLessThan(oneEntryBytes + 64);
    // hard state only: a few dozen bytes
    const before2 = statSync(logFile(dir)).size;
    await p.save(effect(2, null, [...log, next], 1002));
    expect(statSync(logFile(dir)).size - before2).toBeLessThan(64);
    await p.close();
  });

  test('truncation then append, and truncation alone', async () => {
    const dir = freshDir();
    const p = await DiskPersister.open(dir);
    const log = Array.from({ length: 10 }, (_, i) => entry(1, `c${i + 1}`));
    await p.save(effect(1, 0, log, 1));
    const replaced = [...log.slice(0, 5), entry(2, 'n6'), entry(2, 'n7')];
    await p.save(effect(2, 1, replaced, 6));
    const shorter = replaced.slice(0, 3);
    await p.save(effect(2, 1, shorter, 4));
    const appended = [...shorter, entry(3, 'm4')];
    await p.save(effect(3, null, appended, 4));
    await p.close();
    expect(await reopened(dir)).toEqual({ currentTerm: 3, votedFor: null, log: appended });
  });

  test('commands JSON cannot round-trip are refused with a clear error, and nothing is written', async () => {
    const dir = freshDir();
    const p = await DiskPersister.open(dir);
    await p.save(effect(1, 0, [entry(1, 'ok')], 1));
    const size = statSync(logFile(dir)).size;
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    const bad: unknown[] = [undefined, Number.NaN, Infinity, -0, 10n, new Date(0), new Map(), () => 1, Symbol('s'), cyclic,
      { a: undefined }, [1, , 3], { toJSON: () => 1 }, { nested: { deep: [Number.NaN] } }];
    for (const command of bad) {
      const error: unknown = await p.save(effect(1, 0, [entry(1, 'ok'), entry(1, command)], 2)).then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(CommandEncodingError);
      expect((error as Error).message).toMatch(/^log entry 2: command.* JSON cannot round-trip/);
    }
    expect(statSync(logFile(dir)).size).toBe(size);
    await p.save(effect(1, 0, [entry(1, 'ok'), entry(1, 'fine')], 2));
    await p.close();
    expect((await reopened(dir))?.log).toEqual([entry(1, 'ok'), entry(1, 'fine')]);
  });
});

describe('DiskPersister: start-up checks', () => {
  test('a torn flush past the sealed end (never acknowledged) is dropped, its byte count reported, and the log continues', async () => {
    const dir = freshDir();
    await threeRecords(dir);
    const sealedEnd = statSync(logFile(dir)).size;
    // The write a crash interrupted: part of a record after the last sealed one.
    const torn = encodeFrame(RecordType.State, '{"term":9,"votedFor":9}').subarray(0, 12);
    writeFileSync(logFile(dir), Buffer.concat([readFileSync(logFile(dir)), torn]));
    const p = await DiskPersister.open(dir);
    expect(p.stats.tornBytesDiscarded).toBe(12);
    expect(p.stats.discarded).toMatchObject({ offset: sealedEnd, bytes: 12 });
    expect(statSync(logFile(dir)).size).toBe(sealedEnd);
    expect(plain(p)).toEqual({ currentTerm: 2, votedFor: null, log: [entry(1, 'a'), entry(1, { b: [1, 2] }), entry(1, null), entry(2, 'd')] });
    // the log continues cleanly after the cut
    await p.save(effect(5, 5, [entry(1, 'a')], 2));
    await p.close();
    expect(await reopened(dir)).toEqual({ currentTerm: 5, votedFor: 5, log: [entry(1, 'a')] });
  });

  test('a whole record past the sealed end (fsync\'d, crash before its seal) is kept and sealed', async () => {
    const dir = freshDir();
    await threeRecords(dir);
    const whole = encodeFrame(RecordType.State, '{"term":9,"votedFor":1}');
    writeFileSync(logFile(dir), Buffer.concat([readFileSync(logFile(dir)), whole]));
    const p = await DiskPersister.open(dir);
    expect(p.stats.discarded).toBeNull();
    expect(plain(p)).toMatchObject({ currentTerm: 9, votedFor: 1 });
    await p.close();
    // now sealed: damage to it is a refusal
    const bytes = readFileSync(logFile(dir));
    bytes[bytes.length - 2]! ^= 0x01;
    writeFileSync(logFile(dir), bytes);
    expect((await openError(dir)).kind).toBe('corrupt');
  });

  test('a log truncated to half its length is refused, naming the offset and the repair command (old: 29 of 60 entries, silently)', async () => {
    const dir = freshDir();
    const p = await DiskPersister.open(dir);
    const log: LogEntry[] = [];
    for (let i = 1; i <= 60; i++) {
      log.push(entry(1, `command ${i}`));
      await p.save(effect(1, 0, [...log], i));
    }
    await p.close();
    const half = Math.floor(statSync(logFile(dir)).size / 2);
    truncateSync(logFile(dir), half);
    const error = await openError(dir);
    expect(error.kind).toBe('truncated');
    expect(error.offset).toBe(half);
    expect(error.message).toContain(`pure-raft repair --data-dir ${dir}`);
  });

  test('a bit flip in the last fsync\'d record is refused, not dropped (it held an acknowledged term and vote)', async () => {
    const dir = freshDir();
    await threeRecords(dir);
    const bytes = readFileSync(logFile(dir));
    const last = recordOffsets(bytes).at(-1) ?? 0;
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 2) ^ 0x01, bytes.length - 2); // inside the last record's payload
    writeFileSync(logFile(dir), bytes);
    const error = await openError(dir);
    expect(error.kind).toBe('corrupt');
    expect(error.offset).toBe(last);
    expect(error.message).toContain('pure-raft repair');
  });

  test('a zero-filled tail past the sealed end is dropped and counted', async () => {
    const dir = freshDir();
    await threeRecords(dir);
    const sealedEnd = statSync(logFile(dir)).size;
    writeFileSync(logFile(dir), Buffer.concat([readFileSync(logFile(dir)), Buffer.alloc(4096)]));
    const q = await DiskPersister.open(dir);
    expect(plain(q)?.log).toHaveLength(4);
    expect(q.stats.tornBytesDiscarded).toBe(4096);
    expect(statSync(logFile(dir)).size).toBe(sealedEnd);
    await q.close();
  });

  test('a torn newest seal falls back to the previous one: the flush it sealed is whole and kept', async () => {
    const dir = freshDir();
    await threeRecords(dir);
    const seal = readFileSync(join(dir, SEAL_FILE));
    const slots = readSealSlots(seal);
    const newest = (slots[0]?.seq ?? 0) > (slots[1]?.seq ?? 0) ? 0 : 1;
    seal[newest * SEAL_SLOT_SIZE + 10]! ^= 0x40;
    writeFileSync(join(dir, SEAL_FILE), seal);
    expect(await reopened(dir)).toMatchObject({ currentTerm: 2, votedFor: null });
    expect((await reopened(dir))?.log).toHaveLength(4);
  });

  test('a log with records but no seal is refused', async () => {
    const dir = freshDir();
    await threeRecords(dir);
    await fsp.unlink(join(dir, SEAL_FILE));
    expect((await openError(dir)).kind).toBe('missing-seal');
  });

  test('damage before the tail is refused with DiskPersisterError naming file and offset', async () => {
    const dir = freshDir();
    await threeRecords(dir);
    const bytes = readFileSync(logFile(dir));
    const second = recordOffsets(bytes)[1] ?? 0;
    bytes.writeUInt8(bytes.readUInt8(second + FRAME_HEADER_SIZE + 3) ^ 0x20, second + FRAME_HEADER_SIZE + 3); // payload of the middle record
    writeFileSync(logFile(dir), bytes);
    const error = await openError(dir);
    expect(error.kind).toBe('corrupt');
    expect(error.offset).toBe(second);
    expect(error.message).toContain(`at offset ${second}`);

    // a damaged length field that makes a middle record seem to run past the end
    const again = freshDir();
    await threeRecords(again);
    const b2 = readFileSync(logFile(again));
    const first = recordOffsets(b2)[0] ?? 0;
    b2.writeUInt32LE(1 << 30, first);
    writeFileSync(logFile(again), b2);
    expect((await openError(again)).kind).toBe('corrupt');
  });

  test('wrong version, wrong magic and a short header are refused', async () => {
    const dir = freshDir();
    await threeRecords(dir);
    const bytes = readFileSync(logFile(dir));
    writeFileSync(logFile(dir), Buffer.concat([encodeHeader({ generation: 1, lastIncludedIndex: 0, lastIncludedTerm: 0 }, 4), bytes.subarray(HEADER_SIZE)]));
    const version = await openError(dir);
    expect(version.kind).toBe('bad-version');
    expect(version.message).toContain('format version 4, this build reads version 3');

    // a version-1 log (16-byte header, no seal) is refused with a line saying so
    const v1 = Buffer.alloc(16);
    v1.write('PRAFTLOG', 0, 'latin1');
    v1.writeUInt32LE(1, 8);
    v1.writeUInt32LE(crc32(v1.subarray(0, 12)), 12);
    writeFileSync(logFile(dir), v1);
    const old = await openError(dir);
    expect(old.kind).toBe('bad-version');
    expect(old.message).toMatch(/format version 1 \(written before seals/);

    const magic = Buffer.from(bytes);
    magic.write('NOTRAFT!', 0, 'latin1');
    writeFileSync(logFile(dir), magic);
    expect((await openError(dir)).kind).toBe('bad-header');

    writeFileSync(logFile(dir), bytes.subarray(0, 7));
    expect((await openError(dir)).kind).toBe('bad-header');
  });

  test('a marker without a log, or an unreadable log, is refused: never a silently empty log', async () => {
    const dir = freshDir();
    await threeRecords(dir);
    await fsp.unlink(logFile(dir));
    const missing = await openError(dir);
    expect(missing.kind).toBe('missing-state');
    expect(existsSync(logFile(dir))).toBe(false); // and nothing was created in its place

    const other = freshDir();
    mkdirSync(logFile(other)); // a directory where the log should be
    expect((await openError(other)).kind).toBe('unreadable');
  });

  test('a temp file left by an interrupted compaction is ignored and removed', async () => {
    const dir = freshDir();
    await threeRecords(dir);
    writeFileSync(logFile(dir) + '.tmp', 'half a compaction');
    const p = await DiskPersister.open(dir);
    expect(plain(p)?.log).toHaveLength(4);
    expect(existsSync(logFile(dir) + '.tmp')).toBe(false);
    await p.close();
  });
});

describe('DiskPersister: compaction', () => {
  test('rewrites the live state when the file outgrows it: same state, smaller file', async () => {
    const dir = freshDir();
    const threshold = 32 * 1024;
    const p = await DiskPersister.open(dir, { compactMinBytes: threshold, compactFactor: 4 });
    const base = Array.from({ length: 20 }, (_, i) => entry(1, `base${i}`));
    await p.save(effect(1, 0, base, 1));
    let log = base;
    let maxSize = 0;
    const afterCompaction: number[] = [];
    // Rewrite the last five entries again and again: the file grows, the live state does not.
    for (let round = 1; round <= 250; round++) {
      log = [...base.slice(0, 15), ...Array.from({ length: 5 }, (_, i) => entry(round + 1, { round, i, pad: 'x'.repeat(40) }))];
      const compactions = p.stats.compactions;
      await p.save(effect(round + 1, null, log, 16));
      const size = statSync(logFile(dir)).size;
      maxSize = Math.max(maxSize, size);
      if (p.stats.compactions > compactions) afterCompaction.push(size);
    }
    expect(afterCompaction.length).toBeGreaterThanOrEqual(2);
    for (const size of afterCompaction) expect(size).toBeLessThan(2048); // the live state: 20 entries
    expect(maxSize).toBeLessThanOrEqual(threshold + 1024);
    expect(p.stats.bytesWritten).toBeGreaterThan(2 * threshold);
    expect(existsSync(logFile(dir) + '.tmp')).toBe(false);
    const expected = { currentTerm: 251, votedFor: null, log };
    expect(plain(p)).toEqual(expected);
    await p.close();
    expect(await reopened(dir)).toEqual(expected);
  });
});

describe('DiskPersister: compaction with saves in flight', () => {
  test('saves queued during flushes and compactions all land, in order', async () => {
    const dir = freshDir();
    const p = await DiskPersister.open(dir, { compactMinBytes: 2048, compactFactor: 1.5 });
    const saves: Promise<void>[] = [];
    let log: LogEntry[] = [];
    for (let i = 1; i <= 300; i++) {
      // a slowly growing log whose last four entries are rewritten by every save
      const length = 10 + Math.floor(i / 10);
      const from = Math.max(1, Math.min(log.length + 1, length - 3));
      log = [...log.slice(0, from - 1), ...Array.from({ length: length - from + 1 }, (_, k) => entry(i, { i, k, pad: 'p'.repeat(30) }))];
      saves.push(p.save(effect(i, i % 2 === 0 ? null : 0, log, from)));
      // Every 7th save is waited for, so at least 42 records are written however the machine's
      // load groups the others: enough to pass the compaction threshold whatever the timing.
      if (i % 7 === 0) await saves[saves.length - 1];
    }
    await Promise.all(saves);
    expect(p.stats.compactions).toBeGreaterThan(0);
    expect(p.stats.flushes).toBeLessThan(300);
    await p.close();
    expect(await reopened(dir)).toEqual({ currentTerm: 300, votedFor: null, log });
  });
});

/** node's fs with counted log fsyncs, and log datasyncs that can be held until the test releases them. */
class GatedFs implements DiskFs {
  hold = false;
  /** The next log datasync fails with EIO. */
  failNext = false;
  datasyncsDone = 0;
  private readonly held: (() => void)[] = [];
  private waiter: ((release: () => void) => void) | null = null;

  /** The release of the next held datasync (one already waiting, or the next to arrive). */
  nextHeld(): Promise<() => void> {
    const ready = this.held.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve) => { this.waiter = resolve; });
  }

  async open(path: string, flags: string): Promise<DiskFileHandle> {
    const handle = await nodeDiskFs.open(path, flags);
    return {
      write: (buffer, offset, length, position) => handle.write(buffer, offset, length, position),
      sync: () => handle.sync(),
      truncate: (length) => handle.truncate(length),
      close: () => handle.close(),
      datasync: async () => {
        if (!path.endsWith(LOG_FILE)) return handle.datasync(); // the seal's: not gated, not counted
        if (this.hold) {
          await new Promise<void>((release) => {
            const waiter = this.waiter;
            this.waiter = null;
            if (waiter) waiter(release);
            else this.held.push(release);
          });
        }
        if (this.failNext) {
          this.failNext = false;
          throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
        }
        await handle.datasync();
        this.datasyncsDone++;
      },
    };
  }
  readFile(path: string): Promise<Buffer> { return nodeDiskFs.readFile(path); }
  rename(from: string, to: string): Promise<void> { return nodeDiskFs.rename(from, to); }
  unlink(path: string): Promise<void> { return nodeDiskFs.unlink(path); }
  mkdir(path: string): Promise<void> { return nodeDiskFs.mkdir(path); }
  exists(path: string): Promise<boolean> { return nodeDiskFs.exists(path); }
}

describe('DiskPersister: batching', () => {
  test('saves queued during an fsync share the next one; each resolves only after the fsync covering it', async () => {
    const dir = freshDir();
    const fs = new GatedFs();
    const p = await DiskPersister.open(dir, { fs });
    fs.hold = true;
    const log = Array.from({ length: 10 }, (_, i) => entry(1, i));
    const resolvedAfter: number[] = []; // datasyncs completed when save i resolved, by i
    const saves: Promise<void>[] = [];
    const save = (i: number) => {
      saves.push(p.save(effect(1, 0, log.slice(0, i + 1), i + 1)).then(() => { resolvedAfter[i] = fs.datasyncsDone; }));
    };
    save(0);
    const releaseFirst = await fs.nextHeld(); // save 0's fsync is in flight
    for (let i = 1; i < 10; i++) save(i);
    await tick();
    expect(resolvedAfter).toEqual([]);
    releaseFirst();
    const releaseSecond = await fs.nextHeld(); // saves 1-9, one record, one fsync
    await tick();
    expect(resolvedAfter).toEqual([1]);
    releaseSecond();
    await Promise.all(saves);
    expect(resolvedAfter).toEqual([1, 2, 2, 2, 2, 2, 2, 2, 2, 2]);
    expect(p.stats).toMatchObject({ saves: 10, flushes: 2, fsyncs: 2, sealSyncs: 2 });
    // what resolved is on disk: a second opener (a restart) reads all ten entries
    expect((await reopened(dir))?.log).toEqual(log);
    fs.hold = false;
    await p.close();
  });
});

describe('DiskPersister: failures', () => {
  test('a failed fsync rejects its save and every later one (fail-stop)', async () => {
    const dir = freshDir();
    const fs = new GatedFs();
    const p = await DiskPersister.open(dir, { fs });
    await p.save(effect(1, 0, [entry(1, 'a')], 1));
    fs.failNext = true;
    await expect(p.save(effect(1, 0, [entry(1, 'a'), entry(1, 'b')], 2))).rejects.toThrow(/EIO/);
    await expect(p.save(effect(2, 0, [entry(1, 'a'), entry(1, 'b')], 3))).rejects.toThrow(/EIO/);
    await p.close();
    expect((await reopened(dir))?.log).toHaveLength(2); // written, never acknowledged: either outcome is safe
  });

  test('a log whose marker is missing (a crash right after creating the log) opens and gets its marker', async () => {
    const dir = freshDir();
    await threeRecords(dir);
    await fsp.unlink(join(dir, MARKER_FILE));
    expect((await reopened(dir))?.log).toHaveLength(4);
    expect(existsSync(join(dir, MARKER_FILE))).toBe(true);
  });

  test('compaction settings that would compact on every write are refused', async () => {
    await expect(DiskPersister.open(freshDir(), { compactFactor: 1 })).rejects.toThrow(RangeError);
    await expect(DiskPersister.open(freshDir(), { compactMinBytes: -1 })).rejects.toThrow(RangeError);
  });
});

describe('DiskPersister under a RaftNode', () => {
  test('a one-server node restarts from disk with its term, vote and log, and re-applies after re-election', async () => {
    const dir = freshDir();
    const applied: ApplyMsg[] = [];
    let wake: (() => void) | null = null;
    const onApply = (m: ApplyMsg) => { applied.push(m); wake?.(); };
    const appliedCount = async (n: number) => {
      while (applied.length < n) await new Promise<void>((resolve) => { wake = resolve; });
    };

    const persister = await DiskPersister.open(dir);
    const clock = new ManualClock();
    const first = make({ clusterSize: 1, send: () => undefined }, 0, persister, onApply, { clock, random: seededRandom(7) });
    clock.fireNext(); // election: leader of term 1
    expect(first.getState()).toEqual({ term: 1, isLeader: true });
    for (const command of ['a', { b: 2 }, [3]]) first.start(command);
    await appliedCount(3); // applies follow the durable saves
    expect(applied.map((m) => 'commandValid' in m && m.command)).toEqual(['a', { b: 2 }, [3]]);
    first.kill();
    expect(first.failure).toBeUndefined();
    await persister.close();

    applied.length = 0;
    const disk2 = await DiskPersister.open(dir);
    const clock2 = new ManualClock();
    const second = make({ clusterSize: 1, send: () => undefined }, 0, disk2, onApply, { clock: clock2, random: seededRandom(8) });
    expect(second.getState()).toEqual({ term: 1, isLeader: false });
    expect(second.raftState.votedFor).toBe(0);
    expect(second.raftState.log).toEqual([entry(1, 'a'), entry(1, { b: 2 }), entry(1, [3])]);
    clock2.fireNext(); // re-elected in term 2
    second.start('d');
    await appliedCount(4);
    expect(applied.map((m) => 'commandValid' in m && [m.commandIndex, m.command])).toEqual([[1, 'a'], [2, { b: 2 }], [3, [3]], [4, 'd']]);
    second.kill();
    await disk2.close();
    const third = await DiskPersister.open(dir);
    expect(plain(third)).toEqual({ currentTerm: 2, votedFor: 0, log: [entry(1, 'a'), entry(1, { b: 2 }), entry(1, [3]), entry(2, 'd')] });
    await third.close();
  });
});

describe('DiskPersister: nothing is written that its own reader would refuse', () => {
  test('a term above MAX_TERM is never written: the save rejects with a clear error, the file is unchanged', async () => {
    const dir = freshDir();
    const p = await DiskPersister.open(dir);
    await p.save(effect(MAX_TERM, 0, [entry(MAX_TERM, 'at the limit')], 1));
    const size = statSync(logFile(dir)).size;
    const above = MAX_TERM + 1;
    await expect(p.save(effect(above, 0, [entry(MAX_TERM, 'at the limit')], 2))).rejects.toThrow(
      /^currentTerm 4294967296 is not an integer from 0 to MAX_TERM \(4294967295\); refusing to persist it$/);
    await expect(p.save(effect(MAX_TERM, 0, [entry(MAX_TERM, 'at the limit'), entry(above, 'x')], 2))).rejects.toThrow(CommandEncodingError);
    expect(statSync(logFile(dir)).size).toBe(size);
    // the refused saves left no trace: the next one follows the last accepted one
    await p.save(effect(MAX_TERM, 1, [entry(MAX_TERM, 'at the limit'), entry(MAX_TERM, 'next')], 2));
    await p.close();
    expect(await reopened(dir)).toEqual({ currentTerm: MAX_TERM, votedFor: 1, log: [entry(MAX_TERM, 'at the limit'), entry(MAX_TERM, 'next')] });
  });

  test('a save that would not read back (a votedFor the reader refuses) is rejected before it is written (old: written, then the start refused)', async () => {
    const dir = freshDir();
    const p = await DiskPersister.open(dir);
    await p.save(effect(1, 0, [entry(1, 'a')], 1));
    const size = statSync(logFile(dir)).size;
    for (const votedFor of [-1, 1.5, Number.NaN]) {
      const error: unknown = await p.save(effect(2, votedFor, [entry(1, 'a')], 2)).then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(RangeError);
      expect((error as Error).message).toMatch(/this save would not read back as given \(.*\); refusing to write it$/);
    }
    expect(statSync(logFile(dir)).size).toBe(size);
    await p.save(effect(2, 1, [entry(1, 'a')], 2));
    await p.close();
    expect(await reopened(dir)).toEqual({ currentTerm: 2, votedFor: 1, log: [entry(1, 'a')] });
  });
});

describe('DiskPersister: a version-2 directory (before snapshots)', () => {
  /** A version-2 log as that format wrote it: 20-byte header, the same records, one 32-byte seal slot. */
  function writeVersion2(dir: string): void {
    mkdirSync(dir, { recursive: true });
    const header = Buffer.alloc(20);
    header.write('PRAFTLOG', 0, 'latin1');
    header.writeUInt32LE(2, 8);
    header.writeUInt32LE(7, 12);
    header.writeUInt32LE(crc32(header.subarray(0, 16)), 16);
    const state = encodeFrame(RecordType.State, '{"term":3,"votedFor":1}');
    const append = encodeFrame(RecordType.Append, '{"from":1,"entries":[[1,"a"],[3,{"b":2}]]}');
    const log = Buffer.concat([header, state, append]);
    writeFileSync(logFile(dir), log);
    const slot = Buffer.alloc(32);
    slot.write('SEAL', 0, 'latin1');
    slot.writeBigUInt64LE(5n, 4);
    slot.writeUInt32LE(7, 12);
    slot.writeBigUInt64LE(BigInt(log.length), 16);
    slot.writeUInt32LE(append.readUInt32LE(4), 24);
    slot.writeUInt32LE(crc32(slot.subarray(0, 28)), 28);
    writeFileSync(join(dir, SEAL_FILE), Buffer.concat([slot, Buffer.alloc(32)]));
    writeFileSync(join(dir, MARKER_FILE), 'pure-raft disk persister: this directory holds Raft state\n');
  }

  test('is read as a log without a snapshot and rewritten as version 3 at once; it then goes on as usual', async () => {
    const dir = freshDir();
    writeVersion2(dir);
    const p = await DiskPersister.open(dir);
    expect(plain(p)).toEqual({ currentTerm: 3, votedFor: 1, log: [entry(1, 'a'), entry(3, { b: 2 })] });
    expect(p.load()).toMatchObject({ lastIncludedIndex: 0, lastIncludedTerm: 0, snapshot: null });
    expect(readFileSync(logFile(dir)).readUInt32LE(8)).toBe(3);
    await p.save({ ...effect(4, null, [entry(1, 'a'), entry(3, { b: 2 }), entry(4, 'c')], 3) });
    await p.close();
    expect(await reopened(dir)).toEqual({ currentTerm: 4, votedFor: null, log: [entry(1, 'a'), entry(3, { b: 2 }), entry(4, 'c')] });
  });

  test('a damaged version-2 log is refused as a version-3 one would be', async () => {
    const dir = freshDir();
    writeVersion2(dir);
    const bytes = readFileSync(logFile(dir));
    bytes[30]! ^= 0x01; // inside the sealed STATE record
    writeFileSync(logFile(dir), bytes);
    expect((await openError(dir)).kind).toBe('corrupt');
  });

  test('a crash during the rewrite leaves the version-2 log and its seal, which the next start reads again', async () => {
    for (let crashAt = 1; crashAt <= 12; crashAt++) {
      const fs = new SimFs(seededRandom(crashAt));
      const dir = '/data/v2';
      await fs.mkdir(dir);
      const real = freshDir();
      writeVersion2(real);
      for (const name of [LOG_FILE, SEAL_FILE, MARKER_FILE]) {
        const h = await fs.open(join(dir, name), 'w');
        const content = readFileSync(join(real, name));
        await h.write(content, 0, content.length, 0);
        await h.sync();
      }
      const d = await fs.open(dir, 'r');
      await d.sync();
      fs.crashAfter(crashAt);
      await DiskPersister.open(dir, { fs: fs.process() }).then((p) => p.close(), () => undefined);
      fs.crashAfter(null);
      const q = await DiskPersister.open(dir, { fs: fs.process() });
      expect(plain(q), `crash at operation ${crashAt}`).toEqual({ currentTerm: 3, votedFor: 1, log: [entry(1, 'a'), entry(3, { b: 2 })] });
      await q.close();
    }
  });
});

describe('DiskPersister: snapshots', () => {
  const entries = (from: number, to: number): LogEntry[] => Array.from({ length: to - from + 1 }, (_, i) => entry(1, { i: from + i }));
  /** The effect of a Snapshot input through `index` on a log of entries 1..last. */
  const snapshotEffect = (index: number, last: number, snapshot: unknown): PersistEffect => ({
    currentTerm: 1, votedFor: 0, log: entries(index + 1, last), logChangedFrom: last + 1,
    lastIncludedIndex: index, lastIncludedTerm: 1, snapshot, snapshotChanged: true,
  });
  const snapshotPath = (dir: string) => join(dir, SNAPSHOT_FILE);

  /** 100 entries, a snapshot through 80, then two more entries appended after it. */
  async function withSnapshot(dir: string): Promise<void> {
    const p = await DiskPersister.open(dir);
    await p.save(effect(1, 0, entries(1, 100), 1));
    await p.save(snapshotEffect(80, 100, { upTo: 80 }));
    await p.save({ ...snapshotEffect(80, 102, { upTo: 80 }), logChangedFrom: 101, snapshotChanged: false });
    await p.close();
  }

  test('the snapshot and the suffix after it survive a restart; the log keeps only the suffix', async () => {
    const dir = freshDir();
    const p = await DiskPersister.open(dir);
    await p.save(effect(1, 0, entries(1, 100), 1));
    const before = statSync(logFile(dir)).size;
    await p.save(snapshotEffect(80, 100, { upTo: 80 }));
    expect(p.stats.snapshots).toBe(1);
    expect(statSync(logFile(dir)).size).toBeLessThan(before / 3);
    expect(p.snapshotFileSize).toBe(statSync(snapshotPath(dir)).size);
    await p.save({ ...snapshotEffect(80, 102, { upTo: 80 }), logChangedFrom: 101, snapshotChanged: false });
    await p.close();
    const q = await DiskPersister.open(dir);
    const loaded = q.load()!;
    expect({ ...loaded, log: [...loaded.log] }).toEqual({
      currentTerm: 1, votedFor: 0, lastIncludedIndex: 80, lastIncludedTerm: 1, snapshot: { upTo: 80 }, log: entries(81, 102),
    });
    // a later snapshot replaces the file; the log follows it
    await q.save(snapshotEffect(101, 102, { upTo: 101 }));
    await q.close();
    const r = await DiskPersister.open(dir);
    expect(r.load()).toMatchObject({ lastIncludedIndex: 101, snapshot: { upTo: 101 }, log: entries(102, 102) });
    expect(existsSync(snapshotPath(dir) + '.tmp')).toBe(false);
    await r.close();
  });

  test('a follower\'s InstallSnapshot that drops the whole log, and the term it came with, are one save', async () => {
    const dir = freshDir();
    const p = await DiskPersister.open(dir);
    await p.save(effect(1, 0, entries(1, 5), 1));
    await p.save({ currentTerm: 3, votedFor: null, log: [], logChangedFrom: 51, lastIncludedIndex: 50, lastIncludedTerm: 2, snapshot: ['s'], snapshotChanged: true });
    await p.close();
    expect(await DiskPersister.open(dir).then(async (q) => { const s = q.load(); await q.close(); return s; }))
      .toEqual({ currentTerm: 3, votedFor: null, log: [], lastIncludedIndex: 50, lastIncludedTerm: 2, snapshot: ['s'] });
  });

  test('a damaged snapshot file is refused in one line naming it; a missing one and a stray one too', async () => {
    const dir = freshDir();
    await withSnapshot(dir);
    const good = readFileSync(snapshotPath(dir));
    const flipped = Buffer.from(good);
    flipped[flipped.length - 3]! ^= 1;
    writeFileSync(snapshotPath(dir), flipped);
    const damaged = await openError(dir);
    expect(damaged.kind).toBe('corrupt-snapshot');
    expect(damaged.file).toBe(snapshotPath(dir));
    expect(damaged.message).toMatch(/raft\.snapshot at offset 40: the file's checksum is \d+ but the seal names the snapshot through index 80 .*refusing to start; run `pure-raft repair/);
    writeFileSync(snapshotPath(dir), good.subarray(0, 45));
    expect((await openError(dir)).message).toMatch(/the file is 45 bytes but the seal names/);
    await fsp.unlink(snapshotPath(dir));
    expect((await openError(dir)).message).toMatch(/the snapshot file is missing, but the log's seal names the snapshot through index 80/);

    const none = freshDir();
    await threeRecords(none);
    writeFileSync(snapshotPath(none), good);
    const stray = await openError(none);
    expect(stray.kind).toBe('stray-snapshot');
    expect(stray.file).toBe(snapshotPath(none));
  });

  test('an older snapshot file (another history) with this log is refused, not mixed', async () => {
    const dir = freshDir();
    const p = await DiskPersister.open(dir);
    await p.save(effect(1, 0, entries(1, 100), 1));
    await p.save(snapshotEffect(50, 100, { upTo: 50 }));
    const older = readFileSync(snapshotPath(dir));
    await p.save(snapshotEffect(80, 100, { upTo: 80 }));
    await p.close();
    writeFileSync(snapshotPath(dir), older);
    expect((await openError(dir)).message).toMatch(/raft\.snapshot at offset \d+: the file is \d+ bytes but the seal names the snapshot through index 80|checksum/);
  });

  test('a crash after the log\'s rename, before the snapshot\'s: the sealed temp file is renamed in at open', async () => {
    const dir = freshDir();
    await withSnapshot(dir);
    const good = readFileSync(snapshotPath(dir));
    await fsp.rename(snapshotPath(dir), snapshotPath(dir) + '.tmp');
    const q = await DiskPersister.open(dir);
    expect(q.load()).toMatchObject({ lastIncludedIndex: 80, snapshot: { upTo: 80 } });
    await q.close();
    expect(readFileSync(snapshotPath(dir)).equals(good)).toBe(true);
    expect(existsSync(snapshotPath(dir) + '.tmp')).toBe(false);
    // a temp file the seal does not name (a snapshot save a crash cut short) is removed
    writeFileSync(snapshotPath(dir) + '.tmp', 'half a snapshot');
    expect(await reopened(dir)).toMatchObject({ currentTerm: 1 });
    expect(existsSync(snapshotPath(dir) + '.tmp')).toBe(false);
  });

  test('a snapshot JSON cannot round-trip, or one that goes back, is refused and nothing is written', async () => {
    const dir = freshDir();
    const p = await DiskPersister.open(dir);
    await p.save(effect(1, 0, entries(1, 10), 1));
    await p.save(snapshotEffect(5, 10, { upTo: 5 }));
    const size = statSync(logFile(dir)).size;
    await expect(p.save(snapshotEffect(8, 10, { n: Number.NaN }))).rejects.toThrow(SnapshotEncodingError);
    await expect(p.save(snapshotEffect(8, 10, { n: Number.NaN }))).rejects.toThrow(/snapshot through index 8: snapshot\.n is the number NaN/);
    await expect(p.save(snapshotEffect(3, 10, { upTo: 3 }))).rejects.toThrow(/a save with snapshot through 3 .* after the snapshot through 5/);
    await expect(p.save({ ...snapshotEffect(8, 10, { upTo: 8 }), snapshotChanged: false })).rejects.toThrow(RangeError);
    expect(statSync(logFile(dir)).size).toBe(size);
    await p.close();
    expect(await reopened(dir)).toMatchObject({ log: entries(6, 10) });
  });

  test('saves queued behind a snapshot save land after it, in order', async () => {
    const dir = freshDir();
    const p = await DiskPersister.open(dir);
    await p.save(effect(1, 0, entries(1, 10), 1));
    const all = [
      p.save(effect(1, 0, entries(1, 12), 11)),
      p.save(snapshotEffect(9, 12, { upTo: 9 })),
      p.save({ ...snapshotEffect(9, 13, { upTo: 9 }), logChangedFrom: 13, snapshotChanged: false }),
      p.save({ ...snapshotEffect(9, 14, { upTo: 9 }), currentTerm: 2, logChangedFrom: 14, snapshotChanged: false }),
    ];
    await Promise.all(all);
    await p.close();
    expect(await DiskPersister.open(dir).then(async (q) => { const s = q.load(); await q.close(); return s; }))
      .toMatchObject({ currentTerm: 2, lastIncludedIndex: 9, log: entries(10, 14) });
  });
});
