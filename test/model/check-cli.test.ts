import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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
  for (const bad of [['--servers', '0'], ['--max-term', '-1'], ['--bogus'], ['--servers', 'three'], ['--workers'], ['--mutant', 'no-such-bug'], ['--max-snapshots', '21']]) {
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
    expect(s.goals).toContainEqual({ name: 'LaterTermLeaderCommits', reached: false, hint: 'raise --max-term (now 1, needs at least 2)' });
    expect(s.goals).toContainEqual({ name: 'LeaderElected', reached: true });
    expect(existsSync(join(out, 'summary.json'))).toBe(true);
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toMatch(/never reached/);
    expect(r.stderr).toMatch(/servers=3 max-term=1/); // the bounds are printed with every run
  });

  it('--max-snapshots and --dup are bounds: printed with the run and recorded in its summary', () => {
    const out = scratch();
    const r = check(...TINY, '--max-snapshots', '2', '--dup', '--json', '--out', out);
    expect(JSON.parse(r.stdout)).toMatchObject({ bounds: { maxSnapshots: 2, duplicate: true } });
    expect(r.stderr).toMatch(/max-messages=2 max-snapshots=2 drop=on dup=on/);
  });

  it('a state limit makes the run incomplete: exit 3', () => {
    const r = check(...TINY, '--max-states', '50', '--json', '--out', scratch());
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout)).toMatchObject({ result: 'incomplete', stoppedBy: 'maxStates' });
  });

  it('a violation exits 1, writes a trace, its graph and SVG, which --replay confirms, and the explorer page, whose path it prints', () => {
    const out = scratch();
    const r = check('--mutant', 'second-vote-in-term', '--out', out);
    expect(r.code).toBe(1);
    const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(s.result).toBe('violation');
    expect(s.violation.invariant).toBe('ElectionSafety');
    for (const f of ['trace.json', 'trace.dot', 'trace.svg', 'index.html']) expect(existsSync(join(out, f))).toBe(true);
    expect(readFileSync(join(out, 'trace.svg'), 'utf8')).toMatch(/ElectionSafety/);
    expect(r.stdout).toContain(`\nexplorer: file://${join(out, 'index.html')}#step=${s.violation.traceLength}  (open it in a browser)\n`);
    expect(s.violation.paths.html).toBe(join(out, 'index.html'));
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toContain('- explorer: [index.html](index.html)');
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('<script type="application/json" id="pure-raft-trace">');
    const replay = check('--replay', join(out, 'trace.json'));
    expect(replay.code).toBe(0);
    expect(replay.stdout).toMatch(/confirmed all \d+ steps/);
  });

  it('--workers 2 with a mutant: each worker builds the model from the mutant\'s name and the violation is the same', () => {
    const out = scratch();
    const r = check('--mutant', 'second-vote-in-term', '--workers', '2', '--out', out);
    expect(r.code).toBe(1);
    const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(s).toMatchObject({ workers: 2, model: 'raft[mutant second-vote-in-term]', violation: { invariant: 'ElectionSafety' } });
    expect(s.violation.finding.sentence).toMatch(/^s\d and s\d were both elected leader in term 1$/);
    // The mutant runs the plain election: the PreVote and CheckQuorum goals are dropped, and nothing else is noted.
    expect(s.notes.filter((n: string) => !/^goal \w+ dropped: /.test(n))).toEqual([]);
  });

  it('an explorer page that cannot be written is one note, and the rest of the run is written as usual', () => {
    const out = scratch();
    mkdirSync(join(out, 'index.html')); // a directory where the page would go
    const r = check('--mutant', 'second-vote-in-term', '--out', out);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toMatch(/^explorer: /m);
    expect(r.stdout.match(/^note: index\.html not written: .*$/gm)).toHaveLength(1);
    expect(r.stdout).toMatch(/EISDIR/);
    const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(s.violation.paths.html).toBeNull();
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toContain('- explorer: index.html not written (see the notes)');
    for (const f of ['trace.json', 'trace.svg']) expect(existsSync(join(out, f))).toBe(true);
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

  it('--random --runs N runs the randomized checker and reports runs, steps and the seed', () => {
    const r = check('--random', '--runs', '20', '--depth', '60', '--seed', '42', '--json', '--out', scratch());
    expect([0, 3]).toContain(r.code); // 20 short runs may miss a goal: vacuous is reported, never hidden
    const s = JSON.parse(r.stdout);
    expect(s).toMatchObject({ mode: 'random', seed: 42, runs: 20 });
    expect(s.steps).toBeGreaterThan(0);
  });

  it('--random: a violation writes the shrunk trace and its explorer page, and prints the page\'s path', () => {
    const out = scratch();
    const r = check('--random', '--mutant', 'second-vote-in-term', '--seed', '1', '--out', out);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^VIOLATION of ElectionSafety after \d+ steps/m);
    expect(r.stdout).toMatch(new RegExp(`\nexplorer: file://${join(out, 'index.html')}#step=\\d+  \\(open it in a browser\\)\n`));
    expect(existsSync(join(out, 'index.html'))).toBe(true);
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).violation.paths.html).toBe(join(out, 'index.html'));
  });
});

describe('npm run check: an output path that cannot be made is refused before any search', () => {
  // Node's recursive mkdir loops forever under /proc (mkdir says ENOENT beneath a parent that
  // exists); the old code spun there at 100% CPU after the search. The spawn's timeout catches a spin.
  const refusedFast = (args: readonly string[], pattern: RegExp): void => {
    const started = Date.now();
    const r = spawnSync(TSX, ['model/cli/check.ts', ...args], { encoding: 'utf8', timeout: 15_000 });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1); // not even the search's banner
    expect(r.stderr).toMatch(pattern);
    expect(Date.now() - started).toBeLessThan(15_000);
  };
  const file = join(scratch(), 'a-file');
  writeFileSync(file, 'x');

  it('check --out /proc/x: exit 2, one line', () => refusedFast(['--out', '/proc/x/y', '--max-term', '0'], /^check: cannot create --out \/proc\/x\/y \(at \/proc\/x\)/));
  it('check --random --out /proc/x: exit 2, one line', () => refusedFast(['--random', '--runs', '1', '--depth', '3', '--out', '/proc/x'], /^check: cannot create --out \/proc\/x: /));
  it('check --out naming a regular file: exit 2, one line', () => refusedFast([...TINY, '--out', file], /exists and is not a directory/));
  it('check --dump-graph into /proc: exit 2 before the search', () => refusedFast([...TINY, '--out', scratch(), '--dump-graph', '/proc/x/g.dot'], /--dump-graph's folder/));

  it('npm run mutants whose reports/ cannot be made: exit 2, one line, before any checking', () => {
    // reports/ is relative to the working directory: run it from /proc.
    const r = spawnSync(TSX, [join(process.cwd(), 'model/cli/mutants.ts'), 'no-such-mutant'], { cwd: '/proc', encoding: 'utf8', timeout: 15_000 });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual(['mutants: cannot create reports directory /proc/reports: it cannot be created there (a read-only or pseudo file system such as /proc?)']);
  });
});

describe('npm run check --random: --seed and --path are taken as given or refused', () => {
  it('a flag given twice is exit 2 with one line, as for `pure-raft node` (the old code took the last)', () => {
    for (const [argv, flag] of [[['--random', '--seed', '1', '--seed', '2'], '--seed'], [['--servers', '3', '--servers=4'], '--servers'], [['--json', '--json'], '--json']] as const) {
      const r = check(...argv, '--out', scratch());
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toBe(`check: ${flag} is given twice (see --help)\n`);
    }
  });

  it('a --seed outside 32 bits is refused with the range (the old code ran seed 99999999999 | 0 = 1215752191)', () => {
    const r = check('--random', '--seed', '99999999999', '--runs', '1', '--depth', '3', '--out', scratch());
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('check: --seed must be in -2147483648..2147483647 (a 32-bit signed integer), got 99999999999 (see --help)\n');
  });

  it('the extremes of the range are taken', () => {
    const r = check('--random', '--seed', '-2147483648', '--runs', '1', '--depth', '3', '--json', '--out', scratch());
    expect([0, 3]).toContain(r.code);
    expect(JSON.parse(r.stdout).seed).toBe(-2147483648);
  });

  it('--path garbage is exit 2 with one line (the old code: internal error, exit 70)', () => {
    const r = check('--random', '--seed', '1', '--path', 'garbage', '--runs', '1', '--depth', '3', '--out', scratch());
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^check: --path must be the replay path as printed/);
  });

  it('a --path whose run index is not below --runs, or with a number past 2^53, is exit 2 at once (the old code spun: 50 s, or for ever)', () => {
    for (const [path, line] of [
      ['99999999', 'check: --path 99999999: its first number (the run index, 99999999) must be below --runs (5) (see --help)'],
      ['5:0', 'check: --path 5:0: its first number (the run index, 5) must be below --runs (5) (see --help)'],
      ['99999999999999999999999', 'check: --path 99999999999999999999999: 99999999999999999999999 is not a safe integer (see --help)'],
      ['0:99999999999999999999999', 'check: --path 0:99999999999999999999999: 99999999999999999999999 is not a safe integer (see --help)'],
    ] as const) {
      const started = Date.now();
      const r = spawnSync(TSX, ['model/cli/check.ts', '--random', '--seed', '1', '--path', path, '--runs', '5', '--out', scratch()], { encoding: 'utf8', timeout: 20_000 });
      expect(r.status, `${path}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toBe(`${line}\n`);
      expect(Date.now() - started).toBeLessThan(20_000);
    }
  });

  it('a well-formed --path that does not fit its seed is exit 2 with one line too', () => {
    const r = check('--random', '--seed', '1', '--path', '0:5000:5000:5000', '--runs', '1', '--depth', '5', '--out', scratch());
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n').at(-1)).toBe('check: --path 0:5000:5000:5000 does not replay with --seed 1 (Unable to replay, got wrong path=0:5000:5000:5000)');
  });
});
