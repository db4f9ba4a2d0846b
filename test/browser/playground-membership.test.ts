import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalServer } from '../../scripts/local-server.js';
import { startPlayground } from '../../scripts/playground.js';
import { launchChromium, screenshot, type LaunchedBrowser } from './browser.js';

/**
 * Membership on the playground page in Chromium, clicked through: with voters=3 of 5, s3 starts
 * outside; Add (refused first: no-commit-in-term, and the leader's no-op shows in its log), Add
 * again (a configuration entry; s3 a learner), Promote too soon (change-in-progress), Promote,
 * and the leader's Remove of itself, after which a successor leads. Paused, moved only by its
 * buttons: a function of the seed and the clicks; so is reports/screenshots/playground-membership.png.
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
const rowAttr = async (page: Page, id: string, name: string): Promise<string> => (await row(page, id).getAttribute(name)) ?? '';
const leader = async (page: Page): Promise<string> => (await page.getByTestId('leader').getAttribute('data-leader')) ?? '';
const answer = async (page: Page): Promise<string> => (await page.getByTestId('notice').getAttribute('data-membership')) ?? '';
/** The leader has committed its whole log (its last cell is solid; entries compacted into its snapshot are committed). */
const leaderCaughtUp = async (page: Page): Promise<boolean> => {
  const l = await leader(page);
  if (l === '') return false;
  const cells = page.locator(`[data-testid="log-entry"][data-server="${l}"]`);
  const n = await cells.count();
  return n === 0 || (await cells.nth(n - 1).getAttribute('data-committed')) === 'true';
};

/** Clicks the clock button until `done` holds; fails after `limit` clicks. */
async function advanceUntil(page: Page, button: string, done: () => Promise<boolean>, limit = 100): Promise<void> {
  for (let clicks = 0; clicks <= limit; clicks++) {
    if (await done()) return;
    await page.getByTestId(button).click();
  }
  throw new Error(`not reached within ${limit} clicks of ${button}`);
}

describe('the playground adds and removes servers', () => {
  it('voters=3 of 5: add s3 (first refused: no-commit-in-term, a no-op), promote it (first refused: change-in-progress), remove the leader; a successor leads', async () => {
    const page = await browser.newPage({ width: 1440, height: 1000 });
    await page.goto(`${server.url}?servers=5&seed=7&paused=1&voters=3`);
    expect(await page.getByTestId('voters').inputValue()).toBe('3');
    expect(await Promise.all(['0', '1', '2', '3', '4'].map((i) => rowAttr(page, i, 'data-membership')))).toEqual(['voter', 'voter', 'voter', 'outside', 'outside']);
    expect(await page.getByTestId('config-3').textContent()).toBe('{0,1,2|}');
    expect(await page.getByTestId('add-3').isVisible()).toBe(true);
    expect(await page.getByTestId('remove-3').isVisible()).toBe(false);

    await advanceUntil(page, 'advance-100', async () => (await leader(page)) !== '');
    const first = await leader(page);
    await page.getByTestId('add-3').click();
    expect(await answer(page)).toBe('no-commit-in-term');
    expect(await page.getByTestId('notice').textContent()).toMatch(new RegExp(`^ChangeMembership\\(AddLearner s3\\) → s${first}: refused, no-commit-in-term`));
    expect(await page.locator(`[data-testid="log-entry"][data-server="${first}"][data-kind="noop"]`).count()).toBe(1);

    await advanceUntil(page, 'advance-10', () => leaderCaughtUp(page));
    await page.getByTestId('add-3').click();
    expect(await answer(page)).toBe('ok');
    expect(await rowAttr(page, '3', 'data-membership')).toBe('learner');
    expect(await rowAttr(page, first, 'data-config')).toBe('{0,1,2|3}');
    const entry = page.locator(`[data-testid="log-entry"][data-server="${first}"][data-kind="config"]`);
    expect(await entry.textContent()).toMatch(/^\+3t\d+$/);
    await page.getByTestId('promote-3').click();
    expect(await answer(page)).toBe('change-in-progress');

    await advanceUntil(page, 'advance-10', async () => (await leaderCaughtUp(page)) && (await rowAttr(page, '3', 'data-config')) === '{0,1,2|3}');
    await page.getByTestId('promote-3').click();
    expect(await answer(page)).toBe('ok');
    await advanceUntil(page, 'advance-10', () => leaderCaughtUp(page));
    expect(await rowAttr(page, '3', 'data-membership')).toBe('voter');
    expect(await rowAttr(page, '4', 'data-membership')).toBe('outside');

    await page.getByTestId(`remove-${first}`).click();
    expect(await answer(page)).toBe('ok');
    await advanceUntil(page, 'advance-100', async () => !['', first].includes(await leader(page)));
    expect(await rowAttr(page, first, 'data-membership')).toBe('removed');
    expect(await rowAttr(page, first, 'data-role')).not.toBe('leader');
    const second = await leader(page);
    await page.getByTestId('request-leader').click();
    await advanceUntil(page, 'advance-10', () => leaderCaughtUp(page));
    expect(await rowAttr(page, second, 'data-config')).toBe(`{${['0', '1', '2', '3'].filter((i) => i !== first).join(',')}|}`);
    expect(await page.getByTestId('invariants').getAttribute('data-ok')).toBe('true');

    await screenshot(page, 'playground-membership', { fullPage: true });
    expect(browser.errors).toEqual([]);
    await page.close();
  });
});
