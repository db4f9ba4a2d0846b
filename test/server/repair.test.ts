import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import type { LogEntry } from '../../src/core/index.js';
import { DataDirLock, DiskPersister, DiskPersisterError, LOCK_FILE, LOG_FILE, MARKER_FILE, SEAL_FILE, SNAPSHOT_FILE } from '../../src/runtime/index.js';
import { encodeHeader, FRAME_HEADER_SIZE, HEADER_SIZE } from '../../src/runtime/diskFormat.js';
import { runRepair } from '../../src/server/repair.js';
import { scratchDirs } from '../helpers/scratchDir.js';

const freshDir = scratchDirs('repair');

async function repair(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runRepair(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

const NO_SNAPSHOT = { lastIncludedIndex: 0, lastIncludedTerm: 0, snapshot: null, snapshotChanged: false } as const;
const entries = (n: number): LogEntry[] => Array.from({ length: n }, (_, i) => ({ term: 1, command: `command ${i + 1}` }));

/** A directory holding 60 entries, one record each, after a term-1 vote for server 0. */
async function sixtyEntries(): Promise<string> {
  const dir = freshDir();
  const p = await DiskPersister.open(dir);
  await p.save({ currentTerm: 1, votedFor: 0, log: [], logChangedFrom: 1, ...NO_SNAPSHOT });
  const log = entries(60);
  for (let i = 1; i <= 60; i++) await p.save({ currentTerm: 1, votedFor: 0, log: log.slice(0, i), logChangedFrom: i, ...NO_SNAPSHOT });
  await p.close();
  return dir;
}

function snapshot(dir: string): string[] {
  return [LOG_FILE, SEAL_FILE, MARKER_FILE].map((f) => { try { return readFileSync(join(dir, f)).toString('hex'); } catch { return '-'; } });
}

async function openError(dir: string): Promise<DiskPersisterError> {
  const error: unknown = await DiskPersister.open(dir).then(async (p) => { await p.close(); return null; }, (e: unknown) => e);
  expect(error).toBeInstanceOf(DiskPersisterError);
  return error as DiskPersisterError;
}

describe('pure-raft repair', () => {
  test('bad flags: one line, exit 2', async () => {
    for (const argv of [[], ['--data-dir'], ['--data-dir', ''], ['--data-dir', freshDir(), '--force'], ['--yes']]) {
      const r = await repair(...argv);
      expect(r.code).toBe(2);
      expect(r.out).toEqual([]);
      expect(r.err).toHaveLength(1);
      expect(r.err[0]).toMatch(/^pure-raft repair: .*\(pure-raft repair --help\)$/);
    }
  });

  test('a flag given twice is exit 2 with one line, as for `pure-raft node` (the old code took the last)', async () => {
    const a = freshDir();
    const b = freshDir();
    for (const [argv, flag] of [[['--data-dir', a, '--data-dir', b], '--data-dir'], [['--data-dir', a, `--data-dir=${b}`], '--data-dir'], [['--data-dir', a, '--yes', '--yes'], '--yes']] as const) {
      const r = await repair(...argv);
      expect(r.code).toBe(2);
      expect(r.out).toEqual([]);
      expect(r.err).toEqual([`pure-raft repair: ${flag} is given twice (pure-raft repair --help)`]);
    }
  });

  test('a --data-dir that is a regular file: "is not a directory", exit 1 (the old code said "no such directory")', async () => {
    const file = join(freshDir(), 'f');
    writeFileSync(file, 'x');
    const r = await repair('--data-dir', file);
    expect(r.code).toBe(1);
    expect(r.err).toEqual([`pure-raft repair: ${file}: cannot repair: it is not a directory`]);
    expect((await repair('--data-dir', join(freshDir(), 'nope'))).err).toEqual([expect.stringMatching(/cannot repair: no such directory$/)]);
  });

  test('a directory that starts as it is: says so, exit 0, changes nothing (also with --yes)', async () => {
    const dir = await sixtyEntries();
    const before = snapshot(dir);
    for (const yes of [[], ['--yes']]) {
      const r = await repair('--data-dir', dir, ...yes);
      expect(r).toMatchObject({ code: 0, err: [] });
      expect(r.out).toEqual([`${dir}: nothing to repair: it starts with log 60 entries, currentTerm 1`]);
    }
    expect(snapshot(dir)).toEqual(before);
    const empty = await repair('--data-dir', freshDir());
    expect(empty.code).toBe(0);
    expect(empty.out[0]).toMatch(/nothing to repair: it holds no Raft state/);
  });

  test('a log truncated to half: the dry run prints what it would drop and changes nothing; --yes drops it and the node starts', async () => {
    const dir = await sixtyEntries();
    const size = statSync(join(dir, LOG_FILE)).size;
    const half = Math.floor(size / 2);
    truncateSync(join(dir, LOG_FILE), half);
    expect((await openError(dir)).message).toContain(`pure-raft repair --data-dir ${dir}`);
    const before = snapshot(dir);

    const dry = await repair('--data-dir', dir);
    expect(dry.code).toBe(0);
    expect(dry.err).toEqual([]);
    const text = dry.out.join('\n');
    expect(text).toMatch(/truncated/);
    expect(text).toMatch(/would keep: offsets 0-\d+: \d+ records, log \d+ entries, currentTerm 1, votedFor 0/);
    expect(text).toMatch(/would drop: \d+ bytes from offset \d+ to the end/);
    expect(text).toContain(`claimed ${size} bytes were written and acknowledged`);
    expect(text).toMatch(/warning: this server acknowledged what is dropped/);
    expect(dry.out.at(-1)).toBe(`${dir}: nothing changed; run again with --yes to drop it`);
    expect(snapshot(dir)).toEqual(before); // the dry run changed nothing
    await openError(dir); // and the node still refuses

    const keptEntries = Number(/log (\d+) entries/.exec(text)?.[1]);
    expect(keptEntries).toBeGreaterThan(20);
    expect(keptEntries).toBeLessThan(35);
    const done = await repair('--data-dir', dir, '--yes');
    expect(done.code).toBe(0);
    expect(done.out.at(-1)).toBe(`${dir}: repaired: it now starts with currentTerm 1, votedFor 0, log ${keptEntries} entries`);
    const p = await DiskPersister.open(dir);
    expect(p.load()?.log).toEqual(entries(keptEntries));
    // and it goes on from there
    await p.save({ currentTerm: 2, votedFor: 0, log: entries(keptEntries + 1), logChangedFrom: keptEntries + 1, ...NO_SNAPSHOT });
    await p.close();
    const q = await DiskPersister.open(dir);
    expect(q.load()?.log).toHaveLength(keptEntries + 1);
    await q.close();
  });

  test('a directory a running node holds: refused in one line, nothing read or changed; after the node stops, the repair runs', async () => {
    const dir = await sixtyEntries();
    truncateSync(join(dir, LOG_FILE), Math.floor(statSync(join(dir, LOG_FILE)).size / 2));
    const before = snapshot(dir);
    const lock = DataDirLock.acquire(dir); // as a running node holds it
    const held = await repair('--data-dir', dir, '--yes');
    expect(held.code).toBe(1);
    expect(held.out).toEqual([]);
    expect(held.err).toEqual([expect.stringMatching(new RegExp(`^pure-raft repair: ${dir} is locked by pid ${process.pid}.*: stop that node first$`))]);
    expect(snapshot(dir)).toEqual(before);
    lock.release();
    expect((await repair('--data-dir', dir, '--yes')).code).toBe(0);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false); // the repair let go of it
  });

  test('a bit flip inside the log: drops from the damaged record on, counting the whole records after it', async () => {
    const dir = await sixtyEntries();
    const bytes = readFileSync(join(dir, LOG_FILE));
    let at = HEADER_SIZE;
    for (let i = 0; i < 11; i++) at += FRAME_HEADER_SIZE + bytes.readUInt32LE(at); // the state record and 10 entries
    bytes[at + FRAME_HEADER_SIZE + 2]! ^= 0x10;
    writeFileSync(join(dir, LOG_FILE), bytes);
    expect((await openError(dir)).kind).toBe('corrupt');
    const dry = await repair('--data-dir', dir);
    const text = dry.out.join('\n');
    expect(text).toContain(`would keep: offsets 0-${at}: 11 records, log 10 entries`);
    expect(text).toContain(`would drop: ${bytes.length - at} bytes from offset ${at} to the end (49 checksum-valid records with 49 entries found in them)`);
    expect((await repair('--data-dir', dir, '--yes')).code).toBe(0);
    const p = await DiskPersister.open(dir);
    expect(p.load()?.log).toEqual(entries(10));
    await p.close();
  });

  test('a log whose seal is gone: nothing dropped, --yes seals it as it is', async () => {
    const dir = await sixtyEntries();
    unlinkSync(join(dir, SEAL_FILE));
    expect((await openError(dir)).kind).toBe('missing-seal');
    const dry = await repair('--data-dir', dir);
    expect(dry.out.join('\n')).toMatch(/would drop: nothing; --yes writes a seal for the 61 records kept/);
    expect((await repair('--data-dir', dir, '--yes')).code).toBe(0);
    const p = await DiskPersister.open(dir);
    expect(p.load()?.log).toHaveLength(60);
    await p.close();
  });

  test('a missing log: --yes lets the server start empty; a log of another format version cannot be repaired (exit 1)', async () => {
    const dir = await sixtyEntries();
    unlinkSync(join(dir, LOG_FILE));
    expect((await openError(dir)).kind).toBe('missing-state');
    expect((await repair('--data-dir', dir)).out.join('\n')).toMatch(/would drop: all of this server's state/);
    expect(await openError(dir)).toBeInstanceOf(DiskPersisterError);
    expect((await repair('--data-dir', dir, '--yes')).code).toBe(0);
    const p = await DiskPersister.open(dir);
    expect(p.load()).toBeNull();
    await p.close();

    const bad = await sixtyEntries();
    const log = readFileSync(join(bad, LOG_FILE));
    writeFileSync(join(bad, LOG_FILE), Buffer.concat([encodeHeader({ generation: 1, lastIncludedIndex: 0, lastIncludedTerm: 0 }, 4), log.subarray(HEADER_SIZE)])); // a future format version
    const r = await repair('--data-dir', bad, '--yes');
    expect(r.code).toBe(1);
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toMatch(/cannot repair: format version 4/);
    expect((await repair('--data-dir', join(bad, 'nope'))).code).toBe(1);
  });

  test('a damaged header names the repair, which rebuilds it from the seal and keeps every record (the old repair could not)', async () => {
    const dir = await sixtyEntries();
    const bytes = readFileSync(join(dir, LOG_FILE));
    bytes[17]! ^= 0x01; // the header's checksum
    writeFileSync(join(dir, LOG_FILE), bytes);
    const refused = await openError(dir);
    expect(refused.kind).toBe('bad-header');
    expect(refused.message).toBe(`${join(dir, LOG_FILE)} at offset 0: header checksum mismatch (bad-header); refusing to start; run \`pure-raft repair --data-dir ${dir}\` to see what it would drop`);
    const before = snapshot(dir);
    const dry = await repair('--data-dir', dir);
    expect(dry.code).toBe(0);
    const text = dry.out.join('\n');
    expect(text).toMatch(/would rewrite: the 32-byte header, with log generation \d+ after the snapshot through index 0 \(named by the seal, flush \d+\)/);
    expect(text).toContain('would drop: nothing; --yes rewrites the header and writes a seal for the 61 records kept');
    expect(text).not.toMatch(/warning/);
    expect(snapshot(dir)).toEqual(before);
    const done = await repair('--data-dir', dir, '--yes');
    expect(done.out.at(-1)).toBe(`${dir}: repaired: it now starts with currentTerm 1, votedFor 0, log 60 entries`);
    const p = await DiskPersister.open(dir);
    expect(p.load()?.log).toEqual(entries(60));
    await p.close();
  });

  test('a damaged header and damaged records: the header is rebuilt, then the records are judged as usual', async () => {
    const dir = await sixtyEntries();
    const size = statSync(join(dir, LOG_FILE)).size;
    const bytes = readFileSync(join(dir, LOG_FILE)).subarray(0, Math.floor(size / 2));
    bytes.write('XXXXXXXX', 0, 'latin1'); // the magic
    writeFileSync(join(dir, LOG_FILE), bytes);
    const text = (await repair('--data-dir', dir)).out.join('\n');
    expect(text).toMatch(/wrong magic .*\(bad-header\)\n.*would rewrite: the 32-byte header/);
    expect(text).toMatch(/truncated/);
    expect(text).toMatch(/warning: this server acknowledged what is dropped/);
    const done = await repair('--data-dir', dir, '--yes');
    expect(done.out.at(-1)).toMatch(new RegExp(`^${dir}: repaired: it now starts with currentTerm 1, votedFor 0, log \\d+ entries$`));
  });

  test('a zero-length raft.log: names the repair; with a seal --yes rebuilds the header and drops what is lost, loudly', async () => {
    const dir = await sixtyEntries();
    writeFileSync(join(dir, LOG_FILE), '');
    expect((await openError(dir)).message).toContain(`pure-raft repair --data-dir ${dir}`);
    const dry = await repair('--data-dir', dir);
    expect(dry.out.join('\n')).toMatch(/file is 0 bytes, shorter than the 32-byte header \(bad-header\)/);
    expect(dry.out.join('\n')).toMatch(/acknowledged bytes are lost/);
    expect(dry.out.join('\n')).toMatch(/warning: this server acknowledged what is dropped/);
    const done = await repair('--data-dir', dir, '--yes');
    expect(done.code).toBe(0);
    expect(done.out.at(-1)).toBe(`${dir}: repaired: it now starts with no saved state`);
  });

  test('a damaged header and no valid seal: --yes empties the directory, saying so loudly', async () => {
    const dir = await sixtyEntries();
    writeFileSync(join(dir, LOG_FILE), 'not a log at all');
    unlinkSync(join(dir, SEAL_FILE));
    const before = snapshot(dir);
    const dry = await repair('--data-dir', dir);
    expect(dry.code).toBe(0);
    expect(dry.out.join('\n')).toMatch(/would drop: all of this server's state \(term, vote, snapshot and log\), as no seal says what the log was/);
    expect(dry.out.join('\n')).toMatch(/warning: this server acknowledged what is dropped/);
    expect(snapshot(dir)).toEqual(before);
    const done = await repair('--data-dir', dir, '--yes');
    expect(done.code).toBe(0);
    expect(done.out.at(-1)).toBe(`${dir}: repaired: it now starts with no saved state`);
  });

  /** sixtyEntries, then a snapshot through entry 50 (the log keeps 51..60). */
  async function snapshotAt50(): Promise<string> {
    const dir = await sixtyEntries();
    const p = await DiskPersister.open(dir);
    await p.save({ currentTerm: 1, votedFor: 0, log: entries(60).slice(50), logChangedFrom: 61, lastIncludedIndex: 50, lastIncludedTerm: 1, snapshot: { through: 50 }, snapshotChanged: true });
    await p.close();
    return dir;
  }

  test('a directory with a snapshot that starts as it is: nothing to repair; a damaged log after a snapshot is cut as usual', async () => {
    const dir = await snapshotAt50();
    const fine = await repair('--data-dir', dir);
    expect(fine.code).toBe(0);
    expect(fine.out.at(-1)).toMatch(/nothing to repair: it starts with log 10 entries/);
    truncateSync(join(dir, LOG_FILE), statSync(join(dir, LOG_FILE)).size - 5);
    expect((await openError(dir)).kind).toBe('truncated');
    const done = await repair('--data-dir', dir, '--yes');
    expect(done.code).toBe(0);
    expect(done.out.at(-1)).toBe(`${dir}: repaired: it now starts with currentTerm 1, votedFor 0, log 0 entries, the snapshot through index 50`);
  });

  test('a damaged snapshot cannot be rebuilt: the dry run says so and changes nothing; --yes empties the directory', async () => {
    const dir = await snapshotAt50();
    const path = join(dir, SNAPSHOT_FILE);
    const bytes = readFileSync(path);
    bytes[bytes.length - 2]! ^= 0x04;
    writeFileSync(path, bytes);
    expect((await openError(dir)).kind).toBe('corrupt-snapshot');
    const before = [...snapshot(dir), readFileSync(path).toString('hex')];
    const dry = await repair('--data-dir', dir);
    expect(dry.code).toBe(0);
    const text = dry.out.join('\n');
    expect(text).toMatch(/raft\.snapshot: the file's checksum is \d+ but the seal names the snapshot through index 50 .*\(corrupt-snapshot\)/);
    expect(text).toMatch(/would drop: all of this server's state \(term, vote, snapshot and log\): the snapshot cannot be rebuilt, as the log no longer holds the 50 entries it replaced/);
    expect(text).toMatch(/warning: this server acknowledged what is dropped/);
    expect([...snapshot(dir), readFileSync(path).toString('hex')]).toEqual(before);
    const done = await repair('--data-dir', dir, '--yes');
    expect(done.code).toBe(0);
    expect(done.out.at(-1)).toBe(`${dir}: repaired: it now starts with no saved state`);
    expect(existsSync(path)).toBe(false);
  });

  test('through the command line: `pure-raft repair` bad flags exit 2 with one line; help lists it', () => {
    const bin = fileURLToPath(new URL('../../bin/pure-raft.mjs', import.meta.url));
    const bad = spawnSync(process.execPath, [bin, 'repair', '--bogus'], { encoding: 'utf8', timeout: 30_000 });
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual([`pure-raft repair: unknown flag '--bogus' (pure-raft repair --help)`]);
    const help = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8', timeout: 30_000 });
    expect(help.stdout).toContain('pure-raft repair --data-dir DIR [--yes]');
  }, 60_000);
});
