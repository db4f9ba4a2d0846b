import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../vite.web.config.js';
import * as source from '../../src/core/index.js';
import { smoke } from './core-smoke.mjs';

/**
 * The package as a user gets it: `npm pack` of a clean copy of this checkout (its committed and
 * untracked-but-not-ignored files, no dist/), which runs prepack (`npm run build`), then
 * `npm install` of the tarball into a fresh project with nothing else in it (no tsx, no
 * TypeScript sources). There every export imports by name, the core runs the smoke run
 * (./core-smoke.mjs) as the source does, its declarations type-check, and the bin runs from
 * dist. The copy is packed, never this checkout: prepack rebuilds dist/, which other tests read
 * while they run. One pack per run (about 10-30 s).
 */

interface Conditions {
  readonly types: string;
  readonly default: string;
}
interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly exports: Record<string, Conditions | string>;
  readonly bin: Record<string, string>;
  readonly types: string;
  readonly dependencies: Record<string, string>;
}
interface PackResult {
  readonly filename: string;
  readonly size: number;
  readonly unpackedSize: number;
  readonly files: readonly { readonly path: string; readonly size: number }[];
}

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Manifest;
const scratch = mkdtempSync(join(tmpdir(), 'pure-raft-pack-'));
const checkout = join(scratch, 'checkout');
const app = join(scratch, 'app');
const npm = (args: readonly string[], cwd: string): string => execFileSync('npm', [...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' } });
const run = (file: string, args: readonly string[], cwd = app): SpawnSyncReturns<string> => spawnSync(file, [...args], { cwd, encoding: 'utf8', timeout: 60_000 });

let packed: PackResult;
const packedFiles = (): string[] => packed.files.map((f) => f.path);

beforeAll(() => {
  // A clean copy: what `git clone` would give, plus files not yet committed (but not ignored ones such as dist/).
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' })
    .split('\0').filter((f) => f !== '' && !/^(reports|node_modules)(\/|$)/.test(f) && existsSync(join(ROOT, f)));
  for (const f of files) {
    mkdirSync(dirname(join(checkout, f)), { recursive: true });
    cpSync(join(ROOT, f), join(checkout, f));
  }
  symlinkSync(realpathSync(join(ROOT, 'node_modules')), join(checkout, 'node_modules'));
  expect(existsSync(join(checkout, 'dist'))).toBe(false);

  let started = performance.now();
  // stdout: prepack's build lines, then npm's JSON (an array, its "[" alone on a line).
  const stdout = npm(['pack', '--json', '--pack-destination', scratch], checkout);
  const json = stdout.search(/^\[$/m);
  expect(json, stdout).toBeGreaterThanOrEqual(0);
  expect(stdout.slice(0, json), 'prepack ran the build').toMatch(/^build: done in /m);
  packed = (JSON.parse(stdout.slice(json)) as PackResult[])[0]!;
  console.log(`npm pack (prepack: npm run build): ${packed.filename}, ${packed.files.length} files, ${packed.size} bytes packed, ${packed.unpackedSize} unpacked, in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2));
  started = performance.now();
  npm(['install', '--prefer-offline', '--no-audit', '--no-fund', join(scratch, packed.filename)], app);
  console.log(`npm install of the tarball into an empty project: ${((performance.now() - started) / 1000).toFixed(1)} s`);
}, 240_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('npm pack of a clean checkout, installed into an empty project', () => {
  it('packs the build, not the tooling: dist/src, dist/model, dist/browser/core.js, the bin, README and package.json; no source map, no .ts but declarations', () => {
    const files = packedFiles();
    expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'bin/pure-raft.mjs', 'dist/browser/core.js', 'dist/src/server/cli.js']));
    const outside = files.filter((f) => !/^(dist\/src\/|dist\/model\/|dist\/browser\/core\.js$|bin\/pure-raft\.mjs$|README\.md$|package\.json$)/.test(f));
    expect(outside).toEqual([]);
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    // What only the repository's tools use: the check CLI, the report writers (Vite, Graphviz), fast-check.
    expect(files.filter((f) => /dist\/model\/(cli|random)\/|write-trace|svg\.js|build-web|vite/.test(f))).toEqual([]);
    const installed = join(app, 'node_modules', pkg.name);
    for (const f of files.filter((x) => /\.(js|mjs|d\.ts)$/.test(x))) {
      expect(readFileSync(join(installed, f), 'utf8'), f).not.toMatch(/sourceMappingURL/);
    }
    // Every file the manifest names is in the tarball.
    const named = [pkg.types, ...Object.values(pkg.bin), ...Object.values(pkg.exports).flatMap((c) => (typeof c === 'string' ? [c] : [c.types, c.default]))];
    for (const f of named) expect(files, f).toContain(f.replace(/^\.\//, ''));
  });

  it('the installed project has the package and its one runtime dependency, and no tsx', () => {
    const installed = JSON.parse(readFileSync(join(app, 'node_modules', pkg.name, 'package.json'), 'utf8')) as Manifest;
    expect(installed.version).toBe(pkg.version);
    expect(Object.keys(installed.dependencies)).toEqual(['immer']);
    expect(existsSync(join(app, 'node_modules/immer/package.json'))).toBe(true);
    expect(() => createRequire(join(app, 'x.js')).resolve('tsx')).toThrow();
  });

  it('every export imports by name; the core (and core/browser) give the smoke run the source gives', () => {
    const names = Object.keys(pkg.exports).filter((k) => k !== './package.json');
    const probe = `
      import { smoke } from ${JSON.stringify(join(ROOT, 'test/build/core-smoke.mjs'))};
      const out = { exports: {} };
      for (const name of ${JSON.stringify(names)}) out.exports[name] = Object.keys(await import(${JSON.stringify(pkg.name)} + name.slice(1))).sort();
      out.core = smoke(await import('${pkg.name}/core'));
      out.browser = smoke(await import('${pkg.name}/core/browser'));
      console.log(JSON.stringify(out));`;
    const r = run(process.execPath, ['--input-type=module', '-e', probe]);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { exports: Record<string, string[]>; core: unknown; browser: unknown };
    expect(out.exports['.']).toEqual(Object.keys(source).sort());
    expect(out.exports['./core']).toEqual(out.exports['.']);
    expect(out.exports['./core/browser']).toEqual(out.exports['.']);
    expect(out.exports['./runtime']).toEqual(expect.arrayContaining(['RaftNode', 'SimNetwork', 'MemoryPersister', 'DiskPersister']));
    expect(out.exports['./model']).toEqual(expect.arrayContaining(['explore', 'createModel', 'replayTrace', 'INVARIANTS', 'MUTANTS', 'traceToDot']));
    expect(out.exports['./client']).toEqual(['ClusterClient', 'NotSentError']);
    const expected = smoke(source);
    expect(out.core).toEqual(expected);
    expect(out.browser).toEqual(expected);
  });

  it("the core's and the client's declarations type-check in a strict consumer with nothing but the package", () => {
    writeFileSync(join(app, 'use.ts'), [
      `import { initialState, step, type RaftState, type StepResult } from '${pkg.name}/core';`,
      `import * as browser from '${pkg.name}/core/browser';`,
      "const r: StepResult = step(initialState(0, 3), { type: 'ElectionTimeout' });",
      "const s: RaftState = browser.step(r.state, { type: 'HeartbeatTick' }).state;",
      'export const role: string = s.role;',
      '',
    ].join('\n'));
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, types: [] }, files: ['use.ts'] }));
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const ok = run(process.execPath, [tsc, '-p', '.']);
    expect(ok.stdout + ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    // And a type error is reported (the check can fail).
    writeFileSync(join(app, 'use.ts'), `import { step } from '${pkg.name}/core';\nstep(0, { type: 'NoSuchInput' });\n`);
    expect(run(process.execPath, [tsc, '-p', '.']).status).not.toBe(0);
  });

  it('the bin runs from dist: --help, status --help, a bad command and a client without --peers (exit 2, one line), and repair of a data directory the packaged DiskPersister wrote', () => {
    const bin = join(app, 'node_modules/.bin/pure-raft');
    const help = run(bin, ['--help']);
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^usage: pure-raft node /);
    expect(help.stdout).toContain('pure-raft repair --data-dir DIR');
    const status = run(bin, ['status', '--help']);
    expect(status.status, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/^usage: pure-raft status --peers HOST:PORT,\.\.\. /);
    const noPeers = run(bin, ['submit', 'x']);
    expect(noPeers.status).toBe(2);
    expect(noPeers.stderr).toBe('pure-raft submit: --peers is required (pure-raft submit --help)\n');

    const bad = run(bin, ['no-such-command']);
    expect(bad.status).toBe(2);
    expect(bad.stderr.split('\n')[0]).toBe("pure-raft: unknown command 'no-such-command'");

    const dir = join(scratch, 'data');
    const write = `
      import { DiskPersister } from '${pkg.name}/runtime';
      const p = await DiskPersister.open(${JSON.stringify(dir)});
      await p.save({ currentTerm: 2, votedFor: 1, log: [{ term: 1, command: 'x' }, { term: 2, command: 'y' }], logChangedFrom: 1, lastIncludedIndex: 0, lastIncludedTerm: 0, snapshot: null, snapshotChanged: false });
      await p.close();`;
    const w = run(process.execPath, ['--input-type=module', '-e', write]);
    expect(w.status, w.stderr).toBe(0);
    const repair = run(bin, ['repair', '--data-dir', dir]);
    expect(repair.status, repair.stderr).toBe(0);
    expect(repair.stdout).toBe(`${dir}: nothing to repair: it starts with log 2 entries, currentTerm 2\n`);
  });
});
