import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const TSX = join(process.cwd(), 'node_modules', '.bin', 'tsx');

function check(...args: string[]) {
  const r = spawnSync(TSX, ['model/cli/check.ts', ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const scratch = (): string => mkdtempSync(join(tmpdir(), 'pure-raft-check-'));
const TINY = ['--servers', '3', '--max-term', '1', '--max-log', '1', '--max-crashes', '0', '--max-messages', '2'];

describe('npm run check: the command line', () => {
  for (const bad of [['--servers', '0'], ['--max-term', '-1'], ['--bogus'], ['--servers', 'three'], ['--workers'], ['--mutant', 'no-such-bug']]) {
    it(`refuses ${bad.join(' ')} with one clear line and exit 2`, () => {
      const r = check(...bad);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^check: /);
      expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/); // no stack trace
    });
  }

  it('--json prints one object with bounds, counts, result, invariants and goals', () => {
    const out = scratch();
    // max-term 1 leaves no later term to commit in: the run is vacuous (exit 3), which --json says.
    const r = check(...TINY, '--json', '--out', out);
    expect(r.code).toBe(3);
    const s = JSON.parse(r.stdout);
    expect(s).toMatchObject({ mode: 'exhaustive', result: 'vacuous', bounds: { servers: 3, maxTerm: 1 } });
    expect(s.distinctStates).toBeGreaterThan(100);
    expect(s.generatedStates).toBeGreaterThanOrEqual(s.distinctStates);
    expect(s.invariants).toContain('ElectionSafety');
    expect(s.goals).toContainEqual({ name: 'LaterTermLeaderCommits', reached: false });
    expect(s.goals).toContainEqual({ name: 'LeaderElected', reached: true });
    expect(existsSync(join(out, 'summary.json'))).toBe(true);
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toMatch(/never reached/);
    expect(r.stderr).toMatch(/servers=3 max-term=1/); // the bounds are printed with every run
  });

  it('a state limit makes the run incomplete: exit 3', () => {
    const r = check(...TINY, '--max-states', '50', '--json', '--out', scratch());
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout)).toMatchObject({ result: 'incomplete', stoppedBy: 'maxStates' });
  });

  it('a violation exits 1 and writes a trace, its graph and SVG, which --replay confirms', () => {
    const out = scratch();
    const r = check('--mutant', 'second-vote-in-term', '--json', '--out', out);
    expect(r.code).toBe(1);
    const s = JSON.parse(r.stdout);
    expect(s.result).toBe('violation');
    expect(s.violation.invariant).toBe('ElectionSafety');
    for (const f of ['trace.json', 'trace.dot', 'trace.svg']) expect(existsSync(join(out, f))).toBe(true);
    expect(readFileSync(join(out, 'trace.svg'), 'utf8')).toMatch(/ElectionSafety/);
    const replay = check('--replay', join(out, 'trace.json'));
    expect(replay.code).toBe(0);
    expect(replay.stdout).toMatch(/confirmed all \d+ steps/);
  });

  it('--replay of something that is not a trace is bad input: exit 2', () => {
    const r = check('--replay', join(process.cwd(), 'package.json'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a pure-raft trace/);
  });

  it('--mutant list names every mutant with the invariant it breaks', () => {
    const r = check('--mutant', 'list');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n').length).toBeGreaterThanOrEqual(15);
    expect(r.stdout).toMatch(/reply-before-persist\s+breaks/);
  });

  it('--random runs the randomized checker and reports runs, steps and the seed', () => {
    const r = check('--random', '--runs', '20', '--depth', '60', '--seed', '42', '--json', '--out', scratch());
    expect([0, 3]).toContain(r.code); // 20 short runs may miss a goal: vacuous is reported, never hidden
    const s = JSON.parse(r.stdout);
    expect(s).toMatchObject({ mode: 'random', seed: 42, runs: 20 });
    expect(s.steps).toBeGreaterThan(0);
  });
});
