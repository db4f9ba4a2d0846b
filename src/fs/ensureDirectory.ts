import { accessSync, closeSync, constants, fsyncSync, mkdirSync, openSync, statSync } from 'node:fs';
import { parse, resolve, sep } from 'node:path';

/** A directory that cannot be made or used: the message is one line naming the path and why. */
export class DirectoryError extends Error {
  override readonly name = 'DirectoryError';
}

function why(code: string | undefined, fallback: string): string {
  switch (code) {
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'ENOENT': return 'it cannot be created there (a read-only or pseudo file system such as /proc?)';
    case 'ENOTDIR': return 'a component of the path is not a directory';
    case 'EROFS': return 'the file system is read-only';
    case 'ENOSPC': return 'no space left on the device';
    case 'ENAMETOOLONG': return 'the name is too long';
    case 'ELOOP': return 'too many symbolic links';
    default: return fallback;
  }
}

/** What is at `path`: 'dir', 'other' (exists, not a directory), or 'none'; throws DirectoryError for anything else. */
function probe(path: string, wanted: string): 'dir' | 'other' | 'none' {
  try {
    return statSync(path).isDirectory() ? 'dir' : 'other';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'none';
    throw new DirectoryError(`cannot use directory ${wanted}: ${why(code, (error as Error).message)}`);
  }
}

/**
 * Makes a directory's entries durable: fsync of the directory itself. Some platforms refuse a
 * directory fsync (EISDIR, EINVAL: e.g. Windows, some network file systems) and have no other
 * way to ask for it: there it is skipped. `fsync` is a seam for tests.
 */
export function fsyncDirectory(dir: string, fsync: (fd: number) => void = fsyncSync): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EISDIR' || code === 'EINVAL') return; // cannot be opened to sync on this platform
    throw new DirectoryError(`cannot open ${dir} to make its entries durable: ${why(code, (error as Error).message)}`);
  }
  try {
    fsync(fd);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EINVAL') throw new DirectoryError(`cannot fsync ${dir}: ${why(code, (error as Error).message)}`);
  } finally {
    closeSync(fd);
  }
}

/**
 * Makes `path` a directory (with its missing parents) or throws one DirectoryError line.
 * Walks the components and makes each with a plain mkdir: Node's `recursive: true` loops
 * forever on a pseudo file system such as /proc, where mkdir says ENOENT under a parent that
 * exists. Checks that it can be written in, so a run fails before its work, not after.
 * Returns the absolute path. `what` names the path in the message (e.g. "--out").
 *
 * Each component it creates is made durable (its parent is fsync'd): otherwise a power loss can
 * take a new ancestor, and with it a data directory whose writes were already acknowledged.
 * `syncDir` is a seam for tests.
 */
export function ensureDirectory(path: string, what = 'directory', syncDir: (dir: string) => void = fsyncDirectory): string {
  const absolute = resolve(path);
  const wanted = `${what} ${path}`;
  const root = parse(absolute).root;
  const parts = absolute.slice(root.length).split(sep).filter((p) => p !== '');
  let current = root;
  for (const part of parts) {
    current = current === root ? root + part : current + sep + part;
    const found = probe(current, wanted);
    if (found === 'dir') continue;
    if (found === 'other') {
      throw new DirectoryError(current === absolute ? `${wanted} exists and is not a directory` : `cannot create ${wanted}: ${current} is not a directory`);
    }
    const parent = current === root + part ? root : current.slice(0, current.length - part.length - sep.length);
    try {
      mkdirSync(current);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // Someone else made it between the probe and the mkdir: fine if it is a directory.
      if (code === 'EEXIST' && probe(current, wanted) === 'dir') continue;
      const where = current === absolute ? '' : ` (at ${current})`;
      throw new DirectoryError(`cannot create ${wanted}${where}: ${why(code, (error as Error).message)}`);
    }
    syncDir(parent);
  }
  try {
    accessSync(absolute, constants.W_OK | constants.X_OK);
  } catch (error) {
    throw new DirectoryError(`cannot write in ${wanted}: ${why((error as NodeJS.ErrnoException).code, (error as Error).message)}`);
  }
  return absolute;
}
