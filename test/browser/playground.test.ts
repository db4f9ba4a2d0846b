import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayTrace } from '../../model/raft/replay-trace.js';
import type { TraceFile } from '../../model/report/trace-file.js';
import { webBundleCode, writePlaygroundPage } from '../../scripts/build-web.js';
import type { LocalServer } from '../../scripts/local-server.js';
import { startPlayground } from '../../scripts/playground.js';
import { ROOT } from '../../vite.web.config.js';
import { launchChromium, screenshot, type LaunchedBrowser } from './browser.js';

/**
 * The playground page in Chromium, as `npm run playground` serves it (and, once, as `npm run build`
 * writes it), driven only through its controls. The page starts paused and the test moves the
 * simulated clock with its buttons, so what happens is a function of the seed and the clicks, never
 * of how fast the machine is; so is the screenshot.
 */

let browser: LaunchedBrowser;
let server: LocalServer;
let pageUrl: string;

beforeAll(async () => {
  server = await startPlayground({ port: 0 });
  pageUrl = server.url;
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const attr = async (page: Page, testid: string, name: string): Promise<string> => (await page.getByTestId(testid).getAttribute(name)) ?? '';
const leader = (page: Page): Promise<string> => attr(page, 'leader', 'data-leader');
const row = (page: Page, server: string) => page.locator(`[data-testid="server-row"][data-server="${server}"]`);

/** Clicks "+100 ms" until `done` holds; fails after `limit` clicks (10 s of simulated time by default). */
async function advanceUntil(page: Page, done: () => Promise<boolean>, limit = 100): Promise<number> {
  for (let clicks = 0; clicks <= limit; clicks++) {
    if (await done()) return clicks;
    await page.getByTestId('advance-100').click();
  }
  throw new Error(`not reached within ${limit} clicks of +100 ms`);
}

describe('the Raft playground in Chromium', () => {
  it('elects a leader, commits a command, and after the leader crashes a new leader commits; the exported trace replays', async () => {
    const page = await browser.newPage({ width: 1440, height: 1000 });
    await page.goto(`${pageUrl}?servers=3&seed=7&paused=1`);
    await expect.poll(() => attr(page, 'play-pause', 'data-running')).toBe('false');
    expect(await page.getByTestId('server-row').count()).toBe(3);
    let clicks = 0;

    clicks += await advanceUntil(page, async () => (await leader(page)) !== '');
    const first = await leader(page);
    expect(await row(page, first).getAttribute('data-role')).toBe('leader');

    await page.getByTestId('request-leader').click();
    const entry = page.locator(`[data-testid="log-entry"][data-server="${first}"][data-index="1"]`);
    expect(await entry.getAttribute('data-command')).toBe('1');
    clicks += await advanceUntil(page, async () => Number(await row(page, first).getAttribute('data-commit-index')) >= 1);
    expect(await entry.getAttribute('data-committed')).toBe('true');

    await page.getByTestId(`crash-${first}`).click();
    expect(await row(page, first).getAttribute('data-role')).toBe('down');
    expect(await leader(page)).toBe('');
    clicks += await advanceUntil(page, async () => !['', first].includes(await leader(page)));
    const second = await leader(page);
    expect(Number(await row(page, second).getAttribute('data-term'))).toBeGreaterThan(1);

    await page.getByTestId(`request-${second}`).click();
    clicks += await advanceUntil(page, async () => Number(await row(page, second).getAttribute('data-commit-index')) >= 2);
    const committed = page.locator('[data-testid="log-row-committed"] [data-testid="log-entry"]');
    expect(await committed.evaluateAll((els) => els.map((e) => e.getAttribute('data-command')))).toEqual(['1', '2']);
    expect(await attr(page, 'invariants', 'data-ok')).toBe('true');
    // The clock moved only when clicked: exactly 100 ms a click.
    expect(await page.getByTestId('sim-time').textContent()).toBe(`t = ${(clicks * 100).toFixed(1)} ms`);

    // For the picture: a few ms on, with messages on the wires.
    for (let i = 0; i < 10 && Number(await page.getByTestId('in-flight').textContent()) < 2; i++) await page.getByTestId('advance-10').click();
    await screenshot(page, 'playground', { fullPage: true });

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-trace').click()]);
    expect(download.suggestedFilename()).toBe('trace.json');
    const trace = JSON.parse(readFileSync((await download.path())!, 'utf8')) as TraceFile;
    expect(trace.format).toBe('pure-raft-trace/1');
    expect(trace.steps.length).toBe(Number(await page.getByTestId('step-count').textContent()));
    expect(trace.bounds).toMatchObject({ servers: 3, maxCommands: 2, maxCrashes: 1 });
    expect(replayTrace(trace)).toEqual({ ok: true, steps: trace.steps.length, invariantBroken: null });
    expect(await page.getByTestId('notice').textContent()).toMatch(/^trace\.json: \d+ steps/);
    expect(browser.errors).toEqual([]);
    await page.close();
  });

  it('a click isolates a server or cuts a link; a message in flight can be lost; a client request without a leader, or to a follower, is refused', async () => {
    const page = await browser.newPage();
    await page.goto(`${pageUrl}?servers=5&seed=3&paused=1`);
    expect(await page.getByTestId('server-row').count()).toBe(5);
    await page.getByTestId('request-leader').click();
    expect(await page.getByTestId('notice').textContent()).toMatch(/no server is leader/);
    expect(await page.getByTestId('step-count').textContent()).toBe('0');
    await page.getByTestId('server-node-2').click();
    for (const link of ['link-0-2', 'link-1-2', 'link-2-3', 'link-2-4']) expect(await attr(page, link, 'data-cut')).toBe('true');
    expect(await attr(page, 'link-0-1', 'data-cut')).toBe('false');
    expect(await page.getByTestId('isolate-2').textContent()).toBe('Rejoin');
    await page.getByTestId('link-2-3').click({ force: true }); // heal one link of the isolated server
    expect(await attr(page, 'link-2-3', 'data-cut')).toBe('false');

    await page.getByTestId('timeout-0').click(); // s0 asks for pre-votes now (PreVote is on): four PreVotes in flight
    expect(await row(page, '0').getAttribute('data-role')).toBe('preCandidate');
    const votes = page.locator('[data-testid="message"][data-type="PreVote"]');
    expect(await votes.count()).toBe(4);
    await votes.first().click({ force: true });
    expect(await votes.count()).toBe(3);
    expect(await page.locator('[data-testid="event"]').first().textContent()).toMatch(/DropMessage PreVote 0->/);

    await advanceUntil(page, async () => (await leader(page)) !== '');
    const steps = await page.getByTestId('step-count').textContent();
    const follower = await page.locator('[data-testid="server-row"][data-role="follower"]').first().getAttribute('data-server');
    await page.getByTestId(`request-${follower}`).click();
    expect(await page.getByTestId('notice').textContent()).toBe(`ClientRequest(${follower}): not enabled in the model here (s${follower} is a follower; only a leader takes client requests)`);
    expect(await page.getByTestId('step-count').textContent()).toBe(steps);
    await page.getByTestId('heal-all').click();
    for (const link of ['link-0-2', 'link-1-2', 'link-2-4']) expect(await attr(page, link, 'data-cut')).toBe('false');
    expect(browser.errors).toEqual([]);
    await page.close();
  });

  it('dist/browser/playground.html, as npm run build writes it, runs from file:// with no request but its own', async () => {
    const written = writePlaygroundPage(await webBundleCode('playground'));
    const file = pathToFileURL(join(ROOT, written.file)).href;
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`${file}?servers=5&seed=3&paused=1`);
    expect(await page.getByTestId('server-row').count()).toBe(5);
    await page.getByTestId('timeout-1').click();
    expect(await row(page, '1').getAttribute('data-role')).toBe('preCandidate');
    await page.getByTestId('advance-1000').click();
    expect(await leader(page)).not.toBe('');
    expect(requests).toEqual([`${file}?servers=5&seed=3&paused=1`]);
    expect(browser.errors).toEqual([]);
    await page.close();
  });

  it('runs on its own when not paused', async () => {
    const page = await browser.newPage();
    await page.goto(`${pageUrl}?servers=3&seed=1&speed=8`);
    expect(await attr(page, 'play-pause', 'data-running')).toBe('true');
    await expect.poll(async () => Number((await page.getByTestId('step-count').textContent()) ?? 0), { timeout: 20_000 }).toBeGreaterThan(0);
    await page.getByTestId('play-pause').click();
    const paused = await page.getByTestId('sim-time').textContent();
    await page.waitForTimeout(200);
    expect(await page.getByTestId('sim-time').textContent()).toBe(paused);
    await page.close();
  });
});
