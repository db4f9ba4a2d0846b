import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalServer } from '../../scripts/local-server.js';
import { startPlayground } from '../../scripts/playground.js';
import { launchChromium, type LaunchedBrowser } from './browser.js';

/**
 * Snapshots on the playground page in Chromium: a follower cut off while the leader's service
 * compacts its log rejoins, and catches up through InstallSnapshot, which the page shows as a
 * snapshot block in the logs and an InstallSnapshot arrow in the lanes. Paused, moved only by
 * its buttons: a function of the seed and the clicks. PURE_RAFT_SHOTS=<dir> also writes a picture
 * there (not into the repository).
 */

let browser: LaunchedBrowser;
let server: LocalServer;

beforeAll(async () => {
  server = await startPlayground({ port: 0 });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const row = (page: Page, id: string) => page.locator(`[data-testid="server-row"][data-server="${id}"]`);
const snapshotIndex = async (page: Page, id: string): Promise<number> => Number(await row(page, id).getAttribute('data-last-included-index'));

/** Clicks the clock button until `done` holds; fails after `limit` clicks. */
async function advanceUntil(page: Page, button: string, done: () => Promise<boolean>, limit = 100): Promise<void> {
  for (let clicks = 0; clicks <= limit; clicks++) {
    if (await done()) return;
    await page.getByTestId(button).click();
  }
  throw new Error(`not reached within ${limit} clicks of ${button}`);
}

describe('the playground shows snapshots', () => {
  it('after a partition heals, the lagging follower gets InstallSnapshot: a snapshot block in its log, an InstallSnapshot arrow in the lanes', async () => {
    const page = await browser.newPage({ width: 1440, height: 1000 });
    await page.goto(`${server.url}?servers=3&seed=7&paused=1`);
    expect(await page.getByTestId('snapshot-every').inputValue()).toBe('5');
    await advanceUntil(page, 'advance-100', async () => (await page.getByTestId('leader').getAttribute('data-leader')) !== '');
    const leader = (await page.getByTestId('leader').getAttribute('data-leader'))!;
    const follower = ['0', '1', '2'].find((i) => i !== leader)!;

    await page.getByTestId(`isolate-${follower}`).click();
    for (let i = 0; i < 6; i++) await page.getByTestId('request-leader').click();
    await advanceUntil(page, 'advance-100', async () => (await snapshotIndex(page, leader)) >= 5);
    const leaderBlock = page.locator(`[data-testid="log-snapshot"][data-server="${leader}"]`);
    expect(await leaderBlock.textContent()).toMatch(/^snapshot \.\.\d+ \(term \d+\)$/);
    expect(await page.locator(`[data-testid="log-snapshot"][data-server="${follower}"]`).count()).toBe(0);

    await page.getByTestId(`isolate-${follower}`).click(); // rejoin
    await advanceUntil(page, 'advance-10', async () => (await snapshotIndex(page, follower)) >= 5);
    const through = await snapshotIndex(page, follower);
    const block = page.locator(`[data-testid="log-snapshot"][data-server="${follower}"]`);
    expect(await block.getAttribute('data-last-included-index')).toBe(String(through));
    expect(await block.textContent()).toMatch(new RegExp(`^snapshot \\.\\.${through} \\(term \\d+\\)$`));
    expect(await page.getByTestId(`snapshot-${follower}`).textContent()).toMatch(new RegExp(`^≤${through}@t\\d+$`));

    const install = page.locator('[data-testid="lane-arrow"][data-kind="InstallSnapshot"][data-end="delivered"]');
    await expect.poll(() => install.count()).toBeGreaterThan(0);
    expect(await install.first().locator('title').textContent()).toMatch(new RegExp(`^s${leader} → s${follower} IS ≤${through} t\\d+, sent #\\d+, delivered #\\d+$`));
    expect(await page.locator('.pr-row-label', { hasText: `s${follower} ← s${leader}: IS ≤${through}` }).count()).toBe(1);
    expect(await page.getByTestId('invariants').getAttribute('data-ok')).toBe('true');

    const shots = process.env['PURE_RAFT_SHOTS'];
    if (shots) await page.screenshot({ path: `${shots}/playground-snapshot.png`, fullPage: true, animations: 'disabled', caret: 'hide' });
    expect(browser.errors).toEqual([]);
    await page.close();
  });

  it('with snapshot every 0, no server compacts its log', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}?servers=3&seed=7&paused=1&snapshot-every=0`);
    expect(await page.getByTestId('snapshot-every').inputValue()).toBe('0');
    await advanceUntil(page, 'advance-100', async () => (await page.getByTestId('leader').getAttribute('data-leader')) !== '');
    for (let i = 0; i < 6; i++) await page.getByTestId('request-leader').click();
    for (let i = 0; i < 5; i++) await page.getByTestId('advance-100').click();
    expect(await page.locator('[data-testid="log-snapshot"]').count()).toBe(0);
    expect(await page.locator('[data-testid="log-entry"][data-index="6"]').count()).toBeGreaterThan(0);
    expect(browser.errors).toEqual([]);
    await page.close();
  });
});
