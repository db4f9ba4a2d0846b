import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { buildWebBundle } from '../../scripts/build-web.js';
import { ROOT } from '../../vite.web.config.js';
import * as source from '../../src/core/index.js';
import { smoke } from './core-smoke.mjs';

/**
 * The core runs anywhere: the built bundle (dist/browser/core.js, as `npm run build` writes it)
 * runs the smoke run of ./core-smoke.mjs (an election and a commit driven by hand through `step`)
 * under Deno and under Bun, and gives what the source gives under Node. Deno runs it with no
 * permission at all: the core reads no file, no clock, no environment. Bun also runs the core's
 * unit tests (test/core, on the sources) with its own test runner.
 *
 * Deno and Bun are devDependencies (npm packages that ship the binaries), so `npm ci` installs
 * them; PURE_RAFT_DENO / PURE_RAFT_BUN point at other binaries. A missing binary skips its test
 * with a message saying so, except under CI (process.env.CI set), where it fails.
 */

interface Runtime {
  readonly name: 'deno' | 'bun';
  readonly binary: string;
  readonly argv: (script: string) => string[];
}

const RUNTIMES: readonly Runtime[] = [
  { name: 'deno', binary: process.env['PURE_RAFT_DENO'] ?? join(ROOT, 'node_modules/.bin/deno'), argv: (script) => ['run', '--no-config', '--no-lock', '--no-prompt', script] },
  { name: 'bun', binary: process.env['PURE_RAFT_BUN'] ?? join(ROOT, 'node_modules/.bin/bun'), argv: (script) => [script] },
];

const scratch = mkdtempSync(join(tmpdir(), 'pure-raft-runtimes-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const expected = smoke(source);

describe('the core bundle under Deno and Bun', () => {
  it('the smoke run on the source elects s0 in term 1 and commits "x" on all three servers (what the other runtimes must match)', () => {
    expect(expected.roles).toEqual(['leader', 'follower', 'follower']);
    expect(expected.start).toEqual({ index: 1, term: 1, isLeader: true });
    expect(expected.commitIndex).toEqual([1, 1, 1]);
    expect(expected.applied).toEqual([['1:"x"'], ['1:"x"'], ['1:"x"']]);
    expect(expected.restored).toEqual({ role: 'follower', currentTerm: 1, votedFor: 0, log: ['1:"x"'], commitIndex: 0 });
  });

  for (const runtime of RUNTIMES) {
    const present = existsSync(runtime.binary);
    if (!present && process.env['CI'] === undefined) {
      it.skip(`${runtime.name}: SKIPPED, no binary at ${runtime.binary} (npm ci installs it; or set PURE_RAFT_${runtime.name.toUpperCase()})`, () => {});
      continue;
    }
    it(`${runtime.name}: dist/browser/core.js runs the smoke run and gives what the source gives`, async () => {
      expect(present, `${runtime.name} not found at ${runtime.binary}: CI must have it (a devDependency, installed by npm ci)`).toBe(true);
      const bundle = await buildWebBundle('core');
      const script = join(scratch, `smoke-${runtime.name}.mjs`);
      writeFileSync(script, [
        `import * as core from ${JSON.stringify(pathToFileURL(join(ROOT, bundle.file)).href)};`,
        `import { smoke } from ${JSON.stringify(pathToFileURL(join(ROOT, 'test/build/core-smoke.mjs')).href)};`,
        'console.log(JSON.stringify(smoke(core)));',
        '',
      ].join('\n'));
      const version = spawnSync(runtime.binary, ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0];
      const started = performance.now();
      // From the scratch directory, so neither runtime picks up this repository's package.json.
      const r = spawnSync(runtime.binary, runtime.argv(script), {
        cwd: scratch, encoding: 'utf8', timeout: 60_000,
        env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', DENO_DIR: join(scratch, 'deno-dir'), NO_COLOR: '1' },
      });
      console.log(`${runtime.name} (${version}): smoke run in ${Math.round(performance.now() - started)} ms`);
      expect(r.status, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual(expected);
    });
    if (runtime.name === 'bun') {
      it('bun: the core unit tests (test/core, every file, on the sources) pass under bun test', () => {
        const files = readdirSync(join(ROOT, 'test/core')).filter((f) => f.endsWith('.test.ts'));
        const started = performance.now();
        // Bun's test runner takes vitest's describe/it/expect as they are.
        const r = spawnSync(runtime.binary, ['test', 'test/core/'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1' } });
        const out = r.stdout + r.stderr;
        const ran = /Ran (\d+) tests? across (\d+) files?/.exec(out);
        const passed = /^\s*(\d+) pass$/m.exec(out);
        console.log(`bun test test/core/: ${ran?.[0] ?? '?'}, ${Math.round(performance.now() - started)} ms`);
        expect(r.status, out.slice(-3000)).toBe(0);
        expect(out).toMatch(/^\s*0 fail$/m);
        expect(Number(ran?.[2]), out.slice(-3000)).toBe(files.length);
        expect(Number(passed?.[1])).toBe(Number(ran?.[1])); // nothing skipped
      });
    }
  }
});
