import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { INVARIANTS } from '../../model/raft/invariants.js';
import type { SystemState } from '../../model/raft/system.js';
import type { TraceFile } from '../../model/report/trace-file.js';
import { writeTrace } from '../../model/report/write-trace.js';
import { type ExplorerServer, startExplorer } from '../../scripts/explore.js';
import { launchChromium, type LaunchedBrowser, screenshot } from './browser.js';
import { readTrace, tamperedTerm } from './traces.js';

/**
 * The counterexample explorer in Chromium: the page `npm run explore` serves and the index.html
 * the checker writes, on committed mutant counterexamples, driven by the keyboard, the slider and
 * clicks, each state on screen held against the trace file.
 */

const LEADER_COMPLETENESS = 'reports/mutants/no-up-to-date-check/exhaustive/trace.json';
const ELECTION_SAFETY = 'reports/mutants/second-vote-in-term/exhaustive/trace.json';

interface RowView {
  readonly server: number;
  readonly role: string;
  readonly term: string;
  readonly votedFor: string;
  readonly commitIndex: string;
  readonly log: string;
}

/** The server rows as the page shows them. */
const rowsOnPage = (page: Page): Promise<RowView[]> =>
  page.$$eval('[data-testid="server-row"]', (rows) => rows.map((r) => {
    const d = (name: string): string => r.getAttribute(`data-${name}`) ?? '';
    return { server: Number(d('server')), role: d('role'), term: d('term'), votedFor: d('voted-for'), commitIndex: d('commit-index'), log: d('log') };
  }));

/** The same, from a recorded state. */
const rowsOf = (s: SystemState): RowView[] => s.servers.map((slot, server) => {
  const st = slot.state;
  return {
    server,
    role: st?.role ?? 'down',
    term: st ? String(st.currentTerm) : '',
    votedFor: st?.votedFor === null || !st ? '' : String(st.votedFor),
    commitIndex: st ? String(st.commitIndex) : '',
    log: st ? st.log.map((e) => `${e.term}:${String(e.command)}`).join(' ') : '',
  };
});

const attr = (page: Page, testid: string, name: string): Promise<string | null> => page.getAttribute(`[data-testid="${testid}"]`, name);
const text = (page: Page, testid: string): Promise<string> => page.locator(`[data-testid="${testid}"]`).innerText();
const counter = (page: Page): Promise<string> => text(page, 'step-counter');

let browser: LaunchedBrowser;
let dir: string;

beforeAll(async () => {
  browser = await launchChromium();
  dir = mkdtempSync(join(tmpdir(), 'pure-raft-explorer-'));
});

afterAll(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

afterEach(() => {
  // Every page ran without a console error or an uncaught exception.
  expect(browser.errors).toEqual([]);
});

describe('npm run explore: the page it serves', () => {
  let server: ExplorerServer;
  const trace = readTrace(LEADER_COMPLETENESS);
  const last = trace.steps.length;

  beforeAll(async () => {
    server = await startExplorer({ tracePath: LEADER_COMPLETENESS, port: 0 });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('replays the trace, and every step shown with → matches the file; the last one outlines the broken invariant', async () => {
    const page = await browser.newPage();
    await page.goto(server.url);
    expect(await attr(page, 'verdict', 'data-invariant')).toBe('LeaderCompleteness');
    expect(await text(page, 'verdict-finding')).toBe('s1, leader of term 2, holds nothing at index 1, where 1:1 was committed in term 1');
    expect(await attr(page, 'replay-status', 'data-status')).toBe('confirmed');
    expect(await text(page, 'replay-status')).toContain(`all ${last} steps reproduce the recorded states`);
    expect(await counter(page)).toBe(`step 0 / ${last}`);
    expect(await rowsOnPage(page)).toEqual(rowsOf(trace.initial));

    for (let i = 1; i <= last; i++) {
      await page.keyboard.press('ArrowRight');
      expect(await counter(page)).toBe(`step ${i} / ${last}`);
      expect(await rowsOnPage(page), `step ${i}`).toEqual(rowsOf(trace.steps[i - 1]!.state));
      expect(await attr(page, 'step-status', 'data-status')).toBe('agrees');
      expect(await page.locator('[data-testid="message"]').evaluateAll((ms) => ms.reduce((n, m) => n + Number(m.getAttribute('data-copies')), 0)))
        .toBe(trace.steps[i - 1]!.state.network.length);
    }
    await page.keyboard.press('ArrowRight'); // past the end: stays
    expect(await counter(page)).toBe(`step ${last} / ${last}`);

    // The broken invariant, and only it; the server that breaks it, and what it lacks.
    const invariants = await page.$$eval('[data-testid="invariant"]', (li) => li.map((l) => `${l.getAttribute('data-name')}=${l.getAttribute('data-holds')}`));
    expect(invariants.filter((s) => s.endsWith('=false'))).toEqual(['LeaderCompleteness=false']);
    expect(invariants).toHaveLength(INVARIANTS.length); // every invariant of the model, listed whether it holds or not
    expect(await page.$$eval('[data-testid="server-row"][data-culprit="true"]', (rs) => rs.map((r) => r.getAttribute('data-server')))).toEqual(['1']);
    const s1 = page.locator('[data-testid="server-row"][data-server="1"]');
    expect(await s1.getAttribute('data-role')).toBe('leader');
    expect(await s1.locator('[data-testid="log-cell"]').getAttribute('data-culprit')).toBe('true');
    expect(await s1.locator('[data-testid="log-entry-missing"]').getAttribute('data-entry')).toBe('1:1');
    expect(await page.getAttribute(`[data-testid="lane-row"][data-row="${last}"]`, 'data-emphasis')).toBe('violation');
    expect(await page.getAttribute('[data-testid="lane-diagram"]', 'data-current')).toBe(String(last));
    await screenshot(page, 'explorer');
    await page.close();
  });

  it('Home, End, ←, PgUp, the slider, a click on the lane diagram and the URL all move to a step', async () => {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.keyboard.press('End');
    expect(await counter(page)).toBe(`step ${last} / ${last}`);
    await page.keyboard.press('ArrowLeft');
    expect(await counter(page)).toBe(`step ${last - 1} / ${last}`);
    await page.keyboard.press('PageUp');
    expect(await counter(page)).toBe(`step ${last - 11} / ${last}`);
    await page.keyboard.press('Home');
    expect(await counter(page)).toBe(`step 0 / ${last}`);
    await page.locator('[data-testid="step-slider"]').fill('7');
    expect(await counter(page)).toBe(`step 7 / ${last}`);
    expect(await rowsOnPage(page)).toEqual(rowsOf(trace.steps[6]!.state));
    await page.locator('[data-testid="step-next"]').click();
    expect(await counter(page)).toBe(`step 8 / ${last}`);
    await page.locator('[data-testid="lane-row"][data-row="5"]').click();
    expect(await counter(page)).toBe(`step 5 / ${last}`);
    expect(new URL(page.url()).hash).toBe('#step=5');
    await page.reload();
    expect(await counter(page)).toBe(`step 5 / ${last}`);
    await page.locator('[data-testid="goto-violation"]').click();
    expect(await counter(page)).toBe(`step ${last} / ${last}`);
    await page.close();
  });

  it('stepping keeps the current row in view inside the lane diagram and never scrolls the page (narrow window, one column)', async () => {
    const page = await browser.newPage({ width: 1000, height: 700 });
    await page.goto(server.url);
    const box = page.locator('.ex-lanes-scroll');
    await page.keyboard.press('End');
    expect(await page.evaluate(() => (globalThis as unknown as { scrollY: number }).scrollY)).toBe(0);
    const [boxTop, boxBottom] = await box.evaluate((el) => [el.getBoundingClientRect().top, el.getBoundingClientRect().bottom]);
    const band = await page.locator(`[data-testid="lane-row"][data-row="${last}"]`).boundingBox();
    expect(band!.y).toBeGreaterThanOrEqual(boxTop!);
    expect(band!.y + band!.height).toBeLessThanOrEqual(boxBottom! + 1);
    await page.keyboard.press('Home');
    expect(await box.evaluate((el) => el.scrollTop)).toBe(0);
    expect(await page.evaluate(() => (globalThis as unknown as { scrollY: number }).scrollY)).toBe(0);
    await page.close();
  });
});

describe("the checker's index.html", () => {
  it('is self-contained: opened from file:// with no network, it replays the trace and outlines both leaders of the term', async () => {
    const out = join(dir, 'run');
    mkdirSync(out);
    const trace = readTrace(ELECTION_SAFETY);
    const paths = await writeTrace(out, trace);
    expect(paths.htmlError).toBeUndefined();
    expect(paths.html).toBe(join(out, 'index.html'));

    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(paths.html!).href);
    expect(await attr(page, 'replay-status', 'data-status')).toBe('confirmed');
    expect(await attr(page, 'verdict', 'data-invariant')).toBe('ElectionSafety');
    expect(await text(page, 'verdict-finding')).toBe('s0 and s2 were both elected leader in term 1');
    await page.keyboard.press('End');
    expect(await rowsOnPage(page)).toEqual(rowsOf(trace.steps[trace.steps.length - 1]!.state));
    const culprits = await page.$$eval('[data-testid="server-row"][data-culprit="true"]', (rs) => rs.map((r) => `${r.getAttribute('data-server')}:${r.getAttribute('data-role')}`));
    expect(culprits).toEqual(['0:leader', '2:leader']);
    expect(await page.locator('[data-testid="server-row"][data-server="0"] [data-testid="role"]').getAttribute('data-culprit')).toBe('true');
    expect(await page.locator('[data-testid="graphviz"] svg').count()).toBe(1);
    expect(requests).toEqual([pathToFileURL(paths.html!).href]);
    await page.close();
  });
});

describe('a trace the core does not reproduce', () => {
  it('says so in a banner naming the first step that disagrees, and shows what differs there', async () => {
    const tracePath = join(dir, 'tampered', 'trace.json');
    const tampered: TraceFile = tamperedTerm(readTrace(LEADER_COMPLETENESS), 3, 0);
    mkdirSync(join(dir, 'tampered'));
    writeFileSync(tracePath, JSON.stringify(tampered));
    const server = await startExplorer({ tracePath, port: 0 });
    try {
      const page = await browser.newPage();
      await page.goto(server.url);
      expect(await attr(page, 'replay-status', 'data-status')).toBe('disagrees');
      expect(await attr(page, 'replay-status', 'data-step')).toBe('3');
      expect(await text(page, 'replay-status')).toContain('The replay disagrees with the recorded trace at step 3');
      expect(await text(page, 'replay-reason')).toBe(`the core produced a different state after: ${tampered.steps[2]!.label}`);
      expect(await page.locator('[data-testid="disagreement"]').isVisible()).toBe(false);

      await page.locator('[data-testid="goto-disagreement"]').click();
      expect(await counter(page)).toBe(`step 3 / ${tampered.steps.length}`);
      expect(await attr(page, 'step-status', 'data-status')).toBe('differs');
      expect(await page.locator('[data-testid="disagreement"]').isVisible()).toBe(true);
      const diffs = await page.$$eval('[data-testid="diff-row"]', (rs) => rs.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent).join(' | ')));
      const term = tampered.steps[2]!.state.servers[0]!.state!.currentTerm;
      expect(diffs).toEqual([`s0 currentTerm | ${term - 5} | ${term}`]);
      expect(await page.getAttribute('[data-testid="lane-row"][data-row="3"]', 'data-emphasis')).toBe('disagreement');
      // The page shows the file's state at the disagreeing step, and does not pretend to replay past it.
      expect((await rowsOnPage(page))[0]!.term).toBe(String(term));
      await screenshot(page, 'explorer-disagreement');
      await page.keyboard.press('ArrowRight');
      expect(await attr(page, 'step-status', 'data-status')).toBe('not-replayed');
      await page.keyboard.press('ArrowLeft');
      await page.keyboard.press('ArrowLeft');
      expect(await attr(page, 'step-status', 'data-status')).toBe('agrees');
      await page.close();
    } finally {
      await server.close();
    }
  });
});

describe('launchChromium', () => {
  it('fails with the fix in its message when Chromium is missing (the browser tests never skip)', async () => {
    await expect(launchChromium('/nonexistent/chromium')).rejects.toThrow(
      'Chromium not found at /nonexistent/chromium: the browser tests need Debian\'s chromium. Install it with: bash scripts/install-chromium.sh (apt-get install chromium)',
    );
  });
});
