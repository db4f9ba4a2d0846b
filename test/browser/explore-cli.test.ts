import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../vite.web.config.js';
import { bannerUrl, finish, runScript } from './cli.js';

/** `npm run explore` as a command: bad input is one line and exit 2; a good trace is served until SIGINT. */

const TRACE = 'reports/mutants/no-up-to-date-check/exhaustive/trace.json';
const explore = (args: readonly string[]) => runScript('scripts/explore.ts', args);

describe('npm run explore', () => {
  it.each([
    [['reports/no-such-run/trace.json'], 'explore: no such file: reports/no-such-run/trace.json\n'],
    [['package.json'], 'explore: package.json is not a pure-raft trace (format is null, expected "pure-raft-trace/1")\n'],
    [['reports'], 'explore: reports is a directory, not a trace.json\n'],
    [['README.md'], /^explore: README\.md is not JSON: .*\n$/],
    [[], 'explore: which trace? give the path of a trace.json (e.g. reports/mutants/no-up-to-date-check/exhaustive/trace.json)\n'],
    [[TRACE, '--port', 'x'], 'explore: --port must be an integer in 0..65535, got x\n'],
    [[TRACE, '--bogus'], 'explore: unknown flag --bogus\n'],
  ] as const)('%j: one line on stderr, exit 2', async (args, message) => {
    const r = await finish(explore(args));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    if (typeof message === 'string') expect(r.stderr).toBe(message);
    else expect(r.stderr).toMatch(message);
  });

  it('serves the page and the trace on localhost, prints the URL, and stops on Ctrl-C (SIGINT) with exit 0', async () => {
    const child = explore([TRACE, '--port', '0']);
    const done = finish(child);
    const url = await bannerUrl(child, /^explore: (http:\/\/127\.0\.0\.1:\d+\/) {2}\(.*Ctrl-C to stop\)\n/);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await page.text();
    expect(html).toContain('<script type="application/json" id="pure-raft-trace">');
    expect(html).toContain('<script type="application/json" id="pure-raft-svg">');
    const trace = await fetch(new URL('trace.json', url));
    expect(await trace.text()).toBe(readFileSync(join(ROOT, TRACE), 'utf8'));
    expect((await fetch(new URL('nope', url))).status).toBe(404);
    child.kill('SIGINT');
    const r = await done;
    expect(r.code).toBe(0);
  });
});
