import { describe, expect, it } from 'vitest';
import { bannerUrl, finish, runScript } from './cli.js';

/** `npm run playground -- --voters K`: checked against the cluster size, then into the URL the page reads. */

const playground = (args: readonly string[]) => runScript('scripts/playground.ts', args);

describe('npm run playground -- --voters K', () => {
  it.each([
    [['--voters', '0'], 'playground: --voters must be an integer in 1..5, got 0\n'],
    [['--voters', 'x'], 'playground: --voters must be an integer in 1..5, got x\n'],
    [['--voters', '4'], 'playground: --voters must be at most the number of servers (3), got 4\n'],
    [['--servers', '3', '--voters', '5'], 'playground: --voters must be at most the number of servers (3), got 5\n'],
  ] as const)('%j: one line on stderr, exit 2', async (args, message) => {
    const r = await finish(playground(args));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(message);
  });

  it('prints the URL with voters=K and serves the page', async () => {
    const child = playground(['--port', '0', '--servers', '5', '--seed', '7', '--voters', '3']);
    const done = finish(child);
    const url = await bannerUrl(child, /^playground: (http:\/\/127\.0\.0\.1:\d+\/\?servers=5&seed=7&voters=3) {2}\(/);
    expect((await fetch(url)).status).toBe(200);
    child.kill('SIGINT');
    expect((await done).code).toBe(0);
  });
});
