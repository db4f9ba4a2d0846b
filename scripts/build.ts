#!/usr/bin/env node
/**
 * `npm run build` (and `npm pack`, whose prepack it is): the package (tsc: ESM with declarations
 * in dist/src and dist/model, only what the package's entry points reach, see tsconfig.build.json
 * and package.json "exports" and "files") and the browser bundles in dist/browser
 * (Vite, see vite.web.config.ts), and dist/browser/playground.html, the playground page with its
 * bundle inlined (opens from file://). Prints each part's time and each bundle's size, and fails
 * when a bundle still needs Node (an import, require, process, ...: browserBundleProblems).
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { WEB_BUNDLES, ROOT, type WebBundleName } from '../vite.web.config.js';
import { browserBundleProblems, buildWebBundle, formatSize, writePlaygroundPage } from './build-web.js';

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

async function main(): Promise<number> {
  const started = performance.now();
  for (const d of ['dist/src', 'dist/model', 'dist/browser']) rmSync(join(ROOT, d), { recursive: true, force: true });

  const tscStarted = performance.now();
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`build: tsc failed (exit ${r.status ?? r.signal})\n`);
    return 1;
  }
  process.stdout.write(`build: tsc -p tsconfig.build.json -> dist/src, dist/model (ESM + .d.ts) in ${seconds(performance.now() - tscStarted)}\n`);

  const built = new Map<WebBundleName, string>();
  for (const name of Object.keys(WEB_BUNDLES) as WebBundleName[]) {
    const b = await buildWebBundle(name);
    built.set(name, b.code);
    process.stdout.write(`build: ${b.file.padEnd(28)} ${formatSize(b.bytes, b.gzipBytes).padEnd(28)} in ${seconds(b.ms)}\n`);
    const problems = browserBundleProblems(b.code);
    if (problems.length > 0) {
      process.stderr.write(`build: ${b.file} would not run in a browser as it is:\n${problems.map((p) => `  ${p}\n`).join('')}`);
      return 1;
    }
  }
  // The playground as a page of its own (the explorer's page needs a trace: the checker writes it beside one).
  const page = writePlaygroundPage(built.get('playground')!);
  process.stdout.write(`build: ${page.file.padEnd(28)} ${formatSize(page.bytes, page.gzipBytes).padEnd(28)} opens from file://\n`);
  process.stdout.write(`build: done in ${seconds(performance.now() - started)}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`build: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
