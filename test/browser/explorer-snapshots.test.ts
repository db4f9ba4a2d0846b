import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExplorerServer, startExplorer } from '../../scripts/explore.js';
import { advance, clientRequest, createSim, currentLeader, toggleIsolation, type Sim } from '../../web/playground/sim.js';
import { exportTrace, traceJson } from '../../web/playground/trace.js';
import { launchChromium, type LaunchedBrowser } from './browser.js';

/**
 * The explorer on a trace with snapshots (a playground run: a follower cut off while the leader
 * compacted, then healed): the server table shows each compacted log as a snapshot block before
 * its entries, and the lane diagram draws InstallSnapshot as its own kind of arrow.
 * PURE_RAFT_SHOTS=<dir> also writes a picture there (not into the repository).
 */

function runUntil(sim: Sim, done: (s: Sim) => boolean): Sim {
  let s = sim;
  for (let i = 0; !done(s); i++) {
    if (i === 2_000) throw new Error('not reached in 10 s of simulated time');
    s = advance(s, 5);
  }
  return s;
}

let browser: LaunchedBrowser;
let server: ExplorerServer;
let dir: string;
let leader: number;
let follower: number;
let through: number;

beforeAll(async () => {
  let s = runUntil(createSim({ servers: 3, seed: 7 }), (x) => currentLeader(x) !== null);
  leader = currentLeader(s)!;
  follower = [0, 1, 2].find((i) => i !== leader)!;
  s = toggleIsolation(s, follower);
  for (let i = 0; i < 6; i++) s = clientRequest(s, leader);
  s = runUntil(s, (x) => x.system.servers[leader]!.state!.lastIncludedIndex >= 5);
  s = toggleIsolation(s, follower);
  s = runUntil(s, (x) => x.system.servers[follower]!.state!.lastIncludedIndex >= 5);
  s = advance(s, 20);
  through = s.system.servers[follower]!.state!.lastIncludedIndex;
  dir = mkdtempSync(join(tmpdir(), 'pure-raft-explorer-snap-'));
  const path = join(dir, 'trace.json');
  writeFileSync(path, traceJson(exportTrace(s)));
  server = await startExplorer({ tracePath: path, port: 0 });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the explorer shows snapshots', () => {
  it('replays a trace with snapshots; its last state shows the snapshot blocks and the lanes an InstallSnapshot', async () => {
    const page = await browser.newPage({ width: 1440, height: 1000 });
    await page.goto(server.url);
    expect(await page.getAttribute('[data-testid="replay-status"]', 'data-status')).toBe('confirmed');
    await page.keyboard.press('End');
    const row = page.locator(`[data-testid="server-row"][data-server="${follower}"]`);
    expect(await row.getAttribute('data-last-included-index')).toBe(String(through));
    const block = row.locator('[data-testid="log-snapshot"]');
    expect(await block.textContent()).toMatch(new RegExp(`^snapshot \\.\\.${through} \\(term \\d+\\)$`));
    expect(await row.locator('[data-testid="last-included-index"]').textContent()).toMatch(new RegExp(`^≤${through}@t\\d+$`));
    // Entries after the snapshot carry their absolute index.
    const indices = await row.locator('[data-testid="log-entry"]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-index'))));
    expect(indices.every((i) => i > through)).toBe(true);
    const install = page.locator('[data-testid="lane-arrow"][data-kind="InstallSnapshot"][data-end="delivered"]');
    expect(await install.count()).toBeGreaterThan(0);
    expect(await page.locator('.pr-row-label', { hasText: `s${follower} ← s${leader}: IS ≤${through}` }).count()).toBe(1);
    expect(await page.locator('.pr-row-label', { hasText: `s${leader} snapshot ..` }).count()).toBeGreaterThan(0);

    const shots = process.env['PURE_RAFT_SHOTS'];
    if (shots) {
      // The step where the follower takes the snapshot, in the middle of the picture.
      await page.locator('.pr-row-label', { hasText: `s${follower} ← s${leader}: IS ≤${through}` }).click({ force: true });
      await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
      await page.mouse.move(0, 0);
      await page.screenshot({ path: `${shots}/explorer-snapshot.png`, animations: 'disabled', caret: 'hide' });
    }
    expect(browser.errors).toEqual([]);
    await page.close();
  });
});
