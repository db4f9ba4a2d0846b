import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/**
 * Chromium for the browser tests: Debian's /usr/bin/chromium driven by playwright-core, never a
 * downloaded browser. Each launch gets a fresh profile in a temporary directory, removed on close.
 * A missing Chromium is an error naming the fix (scripts/install-chromium.sh), never a skip.
 */

export const CHROMIUM_PATH = process.env['PURE_RAFT_CHROMIUM'] ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS: readonly string[] = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export interface LaunchedBrowser {
  readonly context: BrowserContext;
  /** A new tab at 1440x900 (override with `viewport`). Console errors and page errors are collected in `errors`. */
  newPage(viewport?: { width: number; height: number }): Promise<Page>;
  /** Console errors and uncaught page errors seen in any tab so far. */
  readonly errors: string[];
  close(): Promise<void>;
}

export async function launchChromium(executablePath = CHROMIUM_PATH): Promise<LaunchedBrowser> {
  if (!existsSync(executablePath)) {
    throw new Error(`Chromium not found at ${executablePath}: the browser tests need Debian's chromium. Install it with: bash scripts/install-chromium.sh (apt-get install chromium)`);
  }
  const profile = mkdtempSync(join(tmpdir(), 'pure-raft-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      args: [...CHROMIUM_ARGS],
      viewport: { width: 1440, height: 900 },
      deviceScaleFactor: 1,
    });
  } catch (e) {
    rmSync(profile, { recursive: true, force: true });
    throw e;
  }
  const errors: string[] = [];
  const watch = (page: Page): void => {
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  };
  context.on('page', watch);
  return {
    context,
    errors,
    async newPage(viewport) {
      const page = await context.newPage();
      if (viewport) await page.setViewportSize(viewport);
      return page;
    },
    async close() {
      try {
        await context.close();
      } finally {
        rmSync(profile, { recursive: true, force: true });
      }
    },
  };
}

/** reports/screenshots/<name>.png (committed: the README shows them). */
export const SCREENSHOTS_DIR = resolve('reports/screenshots');

export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<string> {
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  const path = join(SCREENSHOTS_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: options.fullPage ?? false });
  return path;
}
