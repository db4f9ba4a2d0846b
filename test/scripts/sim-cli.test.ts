import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** `npm run sim`: --help prints the flags; bad flags are one line and exit 2; a good run replays from its seed. */

const TSX = join(process.cwd(), 'node_modules', '.bin', 'tsx');
const sim = (...args: string[]) => spawnSync(TSX, [join(process.cwd(), 'scripts/sim.ts'), ...args], { encoding: 'utf8', timeout: 60_000 });

describe('npm run sim', () => {
  it('--help prints every flag, exit 0', () => {
    const r = sim('--help');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^usage: npm run sim -- \[flags\]/);
    for (const flag of ['--seeds', '--from', '--seed', '--test', '--verbose', '--replay-check', '--max-entries-per-append']) expect(r.stdout).toContain(`  ${flag} `);
  });

  it.each([
    [['--seeds', '0'], "sim: --seeds must be a whole number >= 1, got '0' (see --help)"],
    [['--seeds', '2.5'], "sim: --seeds must be a whole number >= 1, got '2.5' (see --help)"],
    [['--from', 'x'], "sim: --from must be a whole number >= 0, got 'x' (see --help)"],
    [['--seed', '1', '--seeds', '3'], 'sim: --seed runs one seed: give it without --seeds and --from (see --help)'],
    [['--max-entries-per-append', '0'], "sim: --max-entries-per-append must be a whole number >= 1, got '0' (see --help)"],
    [['--test', 'NoSuchTest'], "sim: no test name contains 'NoSuchTest' (see --help)"],
    [['--seedz', '3'], "sim: Unknown option '--seedz' (see --help)"],
  ])('%j: exit 2, one line', (args, line) => {
    const r = sim(...args);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`${line}\n`);
    expect(r.stdout).toBe('');
  });

  it('--seed 3 --test TestInitialElection2A --replay-check: one run, replayed the same, exit 0', () => {
    const r = sim('--seed', '3', '--test', 'TestInitialElection2A', '--replay-check');
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('lab suite, simulated: 1 tests x 1 seeds (3..3)');
    expect(r.stdout).toMatch(/^seed 3: ok$/m);
    expect(r.stdout).toMatch(/no failures\n$/);
  });
});
