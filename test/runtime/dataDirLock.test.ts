import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, test } from 'vitest';
import { DataDirLock, DataDirLockError, judgeOwner, LOCK_FILE, processStartTime, type LockObservation, type LockOwner } from '../../src/runtime/dataDirLock.js';
import { scratchDirs } from '../helpers/scratchDir.js';

const HOLDER = fileURLToPath(new URL('./fixtures/holdLock.ts', import.meta.url));
const scratch = scratchDirs('lock');
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** Starts a holder child; resolves with it and its stdout once it has printed its first line. */
function holder(args: readonly string[]): Promise<{ child: ChildProcess; firstLine: string }> {
  // One process (node with tsx's loader), not the tsx wrapper: a SIGKILL must reach the holder itself.
  const child = spawn(process.execPath, ['--import', 'tsx', HOLDER, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve({ child, firstLine: out.split('\n')[0]! });
    });
    child.once('exit', (code) => { if (!out.includes('\n')) reject(new Error(`holder exited ${code} before a line`)); });
  });
}

const exited = (child: ChildProcess): Promise<void> => new Promise((resolve) => {
  if (child.exitCode !== null || child.signalCode !== null) resolve();
  else child.once('exit', () => resolve());
});

function refusal(dir: string): string {
  try {
    DataDirLock.acquire(dir).release();
  } catch (error) {
    expect(error).toBeInstanceOf(DataDirLockError);
    return (error as Error).message;
  }
  throw new Error('the lock was taken');
}

const record = (o: object): string => `${JSON.stringify({ host: hostname(), nonce: 'n', ...o })}\n`;

describe('DataDirLock: one live process per data directory', () => {
  test('a second lock is refused, naming the holder; release frees it', () => {
    const dir = scratch();
    const lock = DataDirLock.acquire(dir);
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid, start: processStartTime(process.pid) });
    expect(refusal(dir)).toBe(`locked by pid ${process.pid}`);
    lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    DataDirLock.acquire(dir).release();
    expect(readdirSync(dir)).toEqual([]); // no temp files or markers left behind
  });

  test('another live process holds it: refused with its pid; once it is SIGKILLed the next start takes over', async () => {
    const dir = scratch();
    const { child, firstLine } = await holder([dir]);
    expect(firstLine).toBe('won');
    expect(refusal(dir)).toBe(`locked by pid ${child.pid}`);
    child.kill('SIGKILL');
    await exited(child);
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(child.pid); // left behind, stale
    const lock = DataDirLock.acquire(dir);
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    lock.release();
    expect(readdirSync(dir)).toEqual([]);
  });

  test('a live pid with another start time is a reused pid: stale', () => {
    const dir = scratch();
    writeFileSync(join(dir, LOCK_FILE), record({ pid: process.pid, start: '1' }));
    DataDirLock.acquire(dir).release();
  });

  test('a live pid with its own start time holds it (pid 1 here)', () => {
    const dir = scratch();
    writeFileSync(join(dir, LOCK_FILE), record({ pid: 1, start: processStartTime(1) }));
    expect(refusal(dir)).toBe('locked by pid 1');
  });

  test('an unreadable record (a crash before it reached the disk) is stale', () => {
    const dir = scratch();
    writeFileSync(join(dir, LOCK_FILE), '');
    DataDirLock.acquire(dir).release();
  });

  test('a lock from another host cannot be judged from here: refused, saying so', () => {
    const dir = scratch();
    writeFileSync(join(dir, LOCK_FILE), record({ pid: 4242, host: 'elsewhere', start: null }));
    expect(refusal(dir)).toMatch(/^locked by pid 4242 on host elsewhere \(not checkable from here; remove the LOCK file only if that process is gone\)$/);
  });

  test('the takeover race, interleaved by hand: a starter that saw the stale record after another took over loses', () => {
    const dir = scratch();
    writeFileSync(join(dir, LOCK_FILE), record({ pid: process.pid, start: 'stale' }));
    let winner: DataDirLock | undefined;
    // A reads the stale record; before A takes over, B runs its whole takeover and wins.
    const a = (): DataDirLock => DataDirLock.acquire(dir, { onStale: () => { if (winner === undefined) winner = DataDirLock.acquire(dir); } });
    expect(a).toThrow(new DataDirLockError(`locked by pid ${process.pid}`, 'locked'));
    expect(winner).toBeDefined();
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).start).toBe(processStartTime(process.pid));
    winner!.release();
    expect(readdirSync(dir)).toEqual([]);
  });

  test('a starter that died holding a takeover marker does not block the next one', () => {
    const dir = scratch();
    const stale = record({ pid: process.pid, start: 'stale' });
    writeFileSync(join(dir, LOCK_FILE), stale);
    // The marker for this stale record, held by a starter that died mid-takeover.
    const marker = join(dir, `${LOCK_FILE}.takeover-${createHash('sha256').update(stale).digest('hex').slice(0, 16)}`);
    writeFileSync(marker, record({ pid: process.pid, start: 'dead-starter' }));
    const lock = DataDirLock.acquire(dir);
    expect(readdirSync(dir)).toEqual([LOCK_FILE]); // the marker was taken over and removed
    lock.release();
  });

  test('a live starter holding the takeover marker wins: the others are told who', () => {
    const dir = scratch();
    const stale = record({ pid: process.pid, start: 'stale' });
    writeFileSync(join(dir, LOCK_FILE), stale);
    const marker = join(dir, `${LOCK_FILE}.takeover-${createHash('sha256').update(stale).digest('hex').slice(0, 16)}`);
    writeFileSync(marker, record({ pid: 1, start: processStartTime(1) }));
    expect(refusal(dir)).toBe('being taken over by pid 1');
  });

  test('racing starters on a stale lock: exactly one wins, every time', async () => {
    for (let round = 0; round < 2; round++) {
      const dir = scratch();
      const { child } = await holder([dir]);
      child.kill('SIGKILL');
      await exited(child);
      const goAt = Date.now() + 2500; // after every racer has loaded
      const racers = await Promise.all(Array.from({ length: 8 }, () => holder([dir, String(goAt), '1500'])));
      const lines = racers.map((r) => r.firstLine);
      expect(lines.filter((l) => l === 'won'), lines.join('; ')).toHaveLength(1);
      for (const l of lines.filter((x) => x !== 'won')) expect(l).toMatch(/^lost: (locked|being taken over) by pid \d+$/);
      await Promise.all(racers.map((r) => exited(r.child)));
      expect(readdirSync(dir)).toEqual([]);
    }
  });
});

const OWNER: LockOwner = { pid: 77, host: 'h', start: '100', nonce: 'n', pidNs: 'pid:[1]', bootId: 'b1' };
const HERE: LockObservation = { host: 'h', pidNs: 'pid:[1]', bootId: 'b1', pidExists: true, start: '100' };

describe('judgeOwner: the stale check as a function of the record and what this process sees', () => {
  test('same host, namespace and boot: the pid and its start time decide', () => {
    expect(judgeOwner(OWNER, HERE)).toEqual({ kind: 'alive' });
    expect(judgeOwner(OWNER, { ...HERE, pidExists: false, start: null })).toEqual({ kind: 'stale' });
    expect(judgeOwner(OWNER, { ...HERE, start: '101' })).toEqual({ kind: 'stale' });
  });

  test('another pid namespace on the same hostname cannot be checked: never stale, even with no such pid here', () => {
    for (const seen of [{ ...HERE, pidNs: 'pid:[2]' }, { ...HERE, pidNs: 'pid:[2]', pidExists: false, start: null }, { ...HERE, pidNs: null }]) {
      expect(judgeOwner(OWNER, seen)).toEqual({ kind: 'unknown', where: 'in pid namespace pid:[1]' });
    }
  });

  test('a process that exists but whose start time cannot be read (hidepid=2) is alive', () => {
    expect(judgeOwner(OWNER, { ...HERE, start: null })).toEqual({ kind: 'alive' });
  });

  test('another boot id: the machine rebooted, stale, even where the pid exists again', () => {
    expect(judgeOwner(OWNER, { ...HERE, bootId: 'b2' })).toEqual({ kind: 'stale' });
    expect(judgeOwner(OWNER, { ...HERE, bootId: 'b2', pidNs: 'pid:[2]' })).toEqual({ kind: 'stale' });
  });

  test('another host: cannot be checked', () => {
    expect(judgeOwner(OWNER, { ...HERE, host: 'other' })).toEqual({ kind: 'unknown', where: 'on host h' });
  });

  test('an older record without pidNs and bootId is judged by host, pid and start time', () => {
    const old: LockOwner = { ...OWNER, pidNs: null, bootId: null };
    expect(judgeOwner(old, { ...HERE, pidNs: 'pid:[9]', bootId: 'b9' })).toEqual({ kind: 'alive' });
    expect(judgeOwner(old, { ...HERE, pidExists: false, start: null })).toEqual({ kind: 'stale' });
  });

  test('an older LOCK file (no pidNs, no bootId) still parses: its live holder refuses', () => {
    const dir = scratch();
    writeFileSync(join(dir, LOCK_FILE), `${JSON.stringify({ pid: 1, host: hostname(), start: processStartTime(1), nonce: 'n' })}\n`);
    expect(refusal(dir)).toBe('locked by pid 1');
  });

  test('LOCK records the pid namespace and boot id of its holder', () => {
    const dir = scratch();
    const lock = DataDirLock.acquire(dir);
    const held = JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as Record<string, unknown>;
    lock.release();
    expect(held.pidNs).toBe(readlinkSync('/proc/self/ns/pid'));
    expect(held.bootId).toBe(readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim());
  });
});

// A holder in its own pid namespace (same hostname): its pid means nothing here. --kill-child:
// the SIGKILL of afterEach reaches unshare, and the holder must die with it.
const unshareWorks = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true']).status === 0;

describe.skipIf(!unshareWorks)('DataDirLock across pid namespaces (unshare)', () => {
  test('a live holder in another pid namespace is refused, not taken over', async () => {
    const dir = scratch();
    const child = spawn('unshare', ['--pid', '--fork', '--kill-child', '--mount-proc', process.execPath, '--import', 'tsx', HOLDER, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    const first = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => { out += chunk.toString(); if (out.includes('\n')) resolve(out.split('\n')[0]!); });
      child.once('exit', (code) => reject(new Error(`holder exited ${code}`)));
    });
    expect(first).toBe('won');
    const held = JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as { pid: number; pidNs: string };
    expect(held.pidNs).not.toBe(readlinkSync('/proc/self/ns/pid'));
    expect(refusal(dir)).toBe(`locked by pid ${held.pid} in pid namespace ${held.pidNs} (not checkable from here; remove the LOCK file only if that process is gone)`);
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'))).toEqual(held);
  });
});
