import { describe, expect, it } from 'vitest';
import { bannerUrl, finish, runScript } from './cli.js';

/** `npm run playground` as a command: bad flags are one line and exit 2; the page is served until SIGINT. */

const playground = (args: readonly string[]) => runScript('scripts/playground.ts', args);

describe('npm run playground', () => {
  it.each([
    [['--servers', '4'], 'playground: --servers must be 3 or 5, got 4\n'],
    [['--seed', 'x'], 'playground: --seed must be an integer in 0..4294967295, got x\n'],
    [['--seed', '4294967296'], 'playground: --seed must be an integer in 0..4294967295, got 4294967296\n'],
    [['--snapshot-every', '51'], 'playground: --snapshot-every must be an integer in 0..50, got 51\n'],
    [['--snapshot-every', '-1'], 'playground: --snapshot-every must be an integer in 0..50, got -1\n'],
    [['--port', '70000'], 'playground: --port must be an integer in 0..65535, got 70000\n'],
    [['--port'], 'playground: --port needs a value\n'],
    [['--bogus'], 'playground: unknown flag --bogus\n'],
    [['trace.json'], 'playground: unexpected argument trace.json\n'],
  ] as const)('%j: one line on stderr, exit 2', async (args, message) => {
    const r = await finish(playground(args));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(message);
  });

  it('serves the self-contained page on localhost, prints its URL with --servers, --seed and --snapshot-every in it, and stops on Ctrl-C (SIGINT) with exit 0', async () => {
    const child = playground(['--port', '0', '--servers', '5', '--seed', '42', '--snapshot-every', '3']);
    const done = finish(child);
    const url = await bannerUrl(child, /^playground: (http:\/\/127\.0\.0\.1:\d+\/\?servers=5&seed=42&snapshot-every=3) {2}\(.*Ctrl-C to stop\)\n/);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await page.text();
    expect(html).toContain('<title>Raft playground · pure-raft</title>');
    expect(html).not.toMatch(/<script[^>]* src=/); // the script is inlined: nothing else to fetch
    expect(await (await fetch(new URL('/playground.html', url))).text()).toBe(html);
    expect((await fetch(new URL('/nope', url))).status).toBe(404);
    expect((await fetch(url, { method: 'POST' })).status).toBe(405);
    child.kill('SIGINT');
    const r = await done;
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^(playground: dist\/browser\/playground\.js is missing or older than its sources; building it\n)?$/);
  });
});
