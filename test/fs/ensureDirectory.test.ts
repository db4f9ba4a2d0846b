import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DirectoryError, ensureDirectory, fsyncDirectory } from '../../src/fs/ensureDirectory.js';
import { scratchDirs } from '../helpers/scratchDir.js';

const scratch = scratchDirs('fs');

function refusal(path: string): string {
  try {
    ensureDirectory(path, '--out');
  } catch (error) {
    expect(error).toBeInstanceOf(DirectoryError);
    return (error as Error).message;
  }
  throw new Error(`ensureDirectory(${path}) did not refuse`);
}

describe('ensureDirectory: makes a directory and its parents, or says in one line why not', () => {
  it('makes every missing component and returns the absolute path; an existing directory is fine', () => {
    const base = scratch();
    const path = join(base, 'a', 'b', 'c');
    expect(ensureDirectory(path)).toBe(path);
    expect(statSync(path).isDirectory()).toBe(true);
    expect(ensureDirectory(path)).toBe(path);
  });

  it('under /proc (where recursive mkdir spins forever) it fails at once, naming the component', () => {
    const started = Date.now();
    expect(refusal('/proc/x/y')).toBe('cannot create --out /proc/x/y (at /proc/x): it cannot be created there (a read-only or pseudo file system such as /proc?)');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('a regular file in the way, as the directory itself or as a parent', () => {
    const file = join(scratch(), 'f');
    writeFileSync(file, 'x');
    expect(refusal(file)).toBe(`--out ${file} exists and is not a directory`);
    expect(refusal(join(file, 'sub'))).toBe(`cannot create --out ${join(file, 'sub')}: ${file} is not a directory`);
  });

  it('every message is one line', () => {
    for (const p of ['/proc/x', '/proc/self/status/x', '/sys/x/y']) expect(refusal(p)).not.toMatch(/\n/);
  });
});

describe('ensureDirectory: every component it creates is made durable', () => {
  it('fsyncs the parent of each component it creates, and nothing for those that exist (the old code fsync\'d none)', () => {
    const base = scratch();
    const synced: string[] = [];
    expect(ensureDirectory(join(base, 'a', 'b', 'c'), 'directory', (dir) => synced.push(dir))).toBe(join(base, 'a', 'b', 'c'));
    expect(synced).toEqual([base, join(base, 'a'), join(base, 'a', 'b')]);
    synced.length = 0;
    ensureDirectory(join(base, 'a', 'b', 'd'), 'directory', (dir) => synced.push(dir));
    expect(synced).toEqual([join(base, 'a', 'b')]);
    synced.length = 0;
    ensureDirectory(join(base, 'a'), 'directory', (dir) => synced.push(dir));
    expect(synced).toEqual([]);
  });

  it('the real directory fsync: done; skipped where the platform refuses it (EISDIR, EINVAL); any other failure is one line', () => {
    const dir = scratch();
    const fds: number[] = [];
    fsyncDirectory(dir, (fd) => fds.push(fd));
    expect(fds).toHaveLength(1);
    fsyncDirectory(dir); // the real fsyncSync on a real directory
    const failing = (code: string) => (): void => { throw Object.assign(new Error(code), { code }); };
    expect(() => fsyncDirectory(dir, failing('EINVAL'))).not.toThrow();
    expect(() => fsyncDirectory(dir, failing('EISDIR'))).not.toThrow();
    expect(() => fsyncDirectory(dir, failing('EIO'))).toThrow(new DirectoryError(`cannot fsync ${dir}: EIO`));
  });
});
