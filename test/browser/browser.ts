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
  // Screenshots that do not depend on the machine's display or font settings.
  '--force-device-scale-factor=1', '--font-render-hinting=none',
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

/** The page's globals, typed here: the test code itself runs in Node, with no DOM types. */
interface PageGlobals {
  readonly document: { readonly activeElement: { blur?: () => void } | null; readonly documentElement: { readonly scrollHeight: number } };
  requestAnimationFrame(f: () => void): number;
}

/**
 * Writes reports/screenshots/<name>.png, the same bytes on every run of the same page state (so a
 * test run leaves the committed pictures alone): the mouse moved off everything and the focus
 * dropped (no hover or focus styles), CSS transitions finished and the caret hidden. For the whole
 * page the viewport is first grown to the page's height and the shot is of the viewport: Chromium's
 * own full-page capture resizes while it shoots, and under load it rasterised the playground's
 * sticky toolbar one way or another from run to run.
 */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<string> {
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  const path = join(SCREENSHOTS_DIR, `${name}.png`);
  await page.mouse.move(0, 0);
  await page.evaluate(() => (globalThis as unknown as PageGlobals).document.activeElement?.blur?.());
  const viewport = page.viewportSize();
  if (options.fullPage && viewport) {
    const height = await page.evaluate(() => (globalThis as unknown as PageGlobals).document.documentElement.scrollHeight);
    await page.setViewportSize({ width: viewport.width, height: Math.max(height, viewport.height) });
  }
  // Two frames: layout and paint at the final size are done.
  await page.evaluate(() => new Promise<void>((ok) => {
    const w = globalThis as unknown as PageGlobals;
    w.requestAnimationFrame(() => w.requestAnimationFrame(() => ok()));
  }));
  try {
    await page.screenshot({ path, animations: 'disabled', caret: 'hide', scale: 'css' });
  } finally {
    if (options.fullPage && viewport) await page.setViewportSize(viewport);
  }
  return path;
}
