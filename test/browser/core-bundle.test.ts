import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BuiltBundle, buildWebBundle } from '../../scripts/build-web.js';
import { HTML, type LocalServer, serveLocal } from '../../scripts/local-server.js';
import * as source from '../../src/core/index.js';
import { ROOT } from '../../vite.web.config.js';
import { smoke } from '../build/core-smoke.mjs';
import { launchChromium, type LaunchedBrowser } from './browser.js';

/**
 * The core bundle (dist/browser/core.js, as `npm run build` writes it) in Chromium: a page whose
 * module script imports it and runs the smoke run of test/build/core-smoke.mjs (an election and a
 * commit driven by hand through `step`) gives what the source gives under Node. Served over
 * http: from file:// the same page runs nothing, since Chromium refuses module scripts there
 * (the README says so; the last test shows it).
 */

const JS = 'text/javascript; charset=utf-8';
const PAGE = [
  '<!doctype html><meta charset="utf-8"><title>core bundle</title>',
  '<script type="module">',
  "import * as core from './core.js';",
  "import { smoke } from './core-smoke.mjs';",
  'globalThis.smokeRun = smoke(core);',
  '</script>',
  '',
].join('\n');
const SMOKE = join(ROOT, 'test/build/core-smoke.mjs');

let browser: LaunchedBrowser;
let server: LocalServer;
let bundle: BuiltBundle;
const scratch = mkdtempSync(join(tmpdir(), 'pure-raft-core-bundle-'));

beforeAll(async () => {
  bundle = await buildWebBundle('core');
  server = await serveLocal({
    '/': { type: HTML, body: () => PAGE },
    '/core.js': { type: JS, body: () => readFileSync(join(ROOT, bundle.file)) },
    '/core-smoke.mjs': { type: JS, body: () => readFileSync(SMOKE) },
  }, { port: 0 });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(scratch, { recursive: true, force: true });
});

const smokeRun = (page: Page): Promise<unknown> => page.evaluate(() => (globalThis as unknown as { smokeRun?: unknown }).smokeRun);

describe('the core bundle in Chromium', () => {
  it('dist/browser/core.js, imported by a module script, runs the smoke run and gives what the source gives', async () => {
    const page = await browser.newPage();
    await page.goto(server.url);
    await expect.poll(() => smokeRun(page)).toBeDefined();
    expect(await smokeRun(page)).toEqual(smoke(source));
    expect(browser.errors).toEqual([]);
    await page.close();
  });

  it('the same page from file:// runs nothing: Chromium blocks module scripts there', async () => {
    writeFileSync(join(scratch, 'index.html'), PAGE);
    cpSync(join(ROOT, bundle.file), join(scratch, 'core.js'));
    cpSync(SMOKE, join(scratch, 'core-smoke.mjs'));
    const page = await browser.newPage();
    await page.goto(pathToFileURL(join(scratch, 'index.html')).href);
    await expect.poll(() => browser.errors.length).toBeGreaterThan(0);
    expect(await smokeRun(page)).toBeUndefined();
    expect(browser.errors.join('\n')).toMatch(/CORS|blocked/);
    browser.errors.length = 0;
    await page.close();
  });
});
