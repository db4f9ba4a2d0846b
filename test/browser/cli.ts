import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../../vite.web.config.js';

/** A serving command (`npm run explore`, `npm run playground`) as a child process, for the CLI tests. */

const TSX = join(ROOT, 'node_modules/.bin/tsx');

export const runScript = (script: string, args: readonly string[]): ChildProcess =>
  spawn(TSX, [script, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });

/** Everything it printed, and its exit code, once it has exited. */
export function finish(child: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((ok) => child.on('close', (code) => ok({ code, stdout, stderr })));
}

/** The URL in the line it prints once listening (the first group of `banner`); fails if it exits first. */
export function bannerUrl(child: ChildProcess, banner: RegExp): Promise<string> {
  return new Promise<string>((ok, fail) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = banner.exec(out);
      if (m) ok(m[1]!);
    });
    child.on('close', (code) => fail(new Error(`exited (${code}) before printing its URL: ${out}`)));
  });
}
