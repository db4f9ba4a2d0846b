import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unreachedHint, droppedGoals } from '../../model/cli/goal-needs.js';
import { DEFAULT_BOUNDS } from '../../model/raft/bounds.js';
import { compactTrace, culpritSteps } from '../../model/report/compact-trace.js';
import { stateChanges } from '../../model/report/state-diff.js';
import type { TraceFile } from '../../model/report/trace-file.js';

/** The checker in a terminal (issue 15, parts 4 and 5): what a person reads and what a signal does. */

const TSX = join(process.cwd(), 'node_modules', '.bin', 'tsx');
const scratch = (): string => mkdtempSync(join(tmpdir(), 'pure-raft-terminal-'));
const check = (...args: string[]) => {
  const r = spawnSync(TSX, ['model/cli/check.ts', ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

/**
 * Runs the CLI and sends `signal` once stderr shows `ready` (a pattern, or a test of the whole
 * stderr so far); resolves with the exit code and output. By default node with tsx's loader runs
 * check.ts here; `via` runs another command line (e.g. the tsx binary) in another folder.
 */
function interrupted(
  args: readonly string[],
  ready: RegExp | ((stderr: string) => boolean),
  signal: NodeJS.Signals,
  via: { readonly command: string; readonly prefix: readonly string[]; readonly cwd?: string } = { command: process.execPath, prefix: ['--import', 'tsx', 'model/cli/check.ts'] },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const isReady = typeof ready === 'function' ? ready : (text: string): boolean => ready.test(text);
  return new Promise((resolve) => {
    const child = spawn(via.command, [...via.prefix, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...(via.cwd !== undefined ? { cwd: via.cwd } : {}) });
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
      if (!sent && isReady(stderr)) {
        sent = true;
        child.kill(signal);
      }
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('a violation in the terminal: the compact trace', () => {
  const out = scratch();
  const r = check('--mutant', 'second-vote-in-term', '--out', out);
  const trace = JSON.parse(readFileSync(join(out, 'trace.json'), 'utf8')) as TraceFile;
  const lines = compactTrace(trace);

  it('prints one line per step (plus the marks\' lines), each with its action and only what changed', () => {
    expect(r.code).toBe(1);
    const steps = lines.filter((l) => /^(>>| \*|  ) +\d+ /.test(l));
    expect(steps).toHaveLength(trace.steps.length);
    expect(steps[0]).toMatch(/^ {3}\s*1 Timeout\(0\)  \| s0 role follower->candidate currentTerm 0->1 votedFor -->0 .*; \+s0 → s1 RequestVote t1/);
    // A drop changes no server: only the message taken out is shown.
    expect(steps[2]).toMatch(/DropMessage .*\| -s0 → s2 RequestVote t1 last 0@t0$/);
    for (const l of lines) expect(r.stdout).toContain(l);
  });

  it('marks the breaking step >> with the invariant and its sentence, and the step that made the first leader *', () => {
    const last = trace.steps.length;
    expect(lines.filter((l) => l.startsWith('>>'))).toEqual([expect.stringMatching(new RegExp(`^>> ${last} Receive RequestVoteReply`))]);
    expect(lines).toContain(`      >> breaks ElectionSafety: ${trace.finding!.sentence}`);
    const states = [trace.initial, ...trace.steps.map((s) => s.state)];
    const culprits = culpritSteps(states, trace.finding);
    expect([...culprits.values()].flat()).toContain('s0 role');
    expect(lines.some((l) => /^ \* +\d+ Receive RequestVoteReply 1->0/.test(l))).toBe(true);
  });

  it('prints the explorer page as a file: URL that opens at the breaking step', () => {
    expect(r.stdout).toContain(`\nexplorer: file://${join(out, 'index.html')}#step=${trace.steps.length}  (open it in a browser)\n`);
  });

  it('a --replay that disagrees names each field that differs: server, field, the core\'s value, the file\'s', async () => {
    const { writeFileSync } = await import('node:fs');
    const bad = JSON.parse(JSON.stringify(trace)) as { steps: { state: { servers: { state: { currentTerm: number } }[] } }[] };
    bad.steps[6]!.state.servers[2]!.state.currentTerm = 3;
    const file = join(out, 'edited.json');
    writeFileSync(file, JSON.stringify(bad));
    const replay = check('--replay', file);
    expect(replay.code).toBe(1);
    expect(replay.stdout).toBe('replay: DISAGREES at step 7: the core produced a different state after: Timeout(2)\n  s2 currentTerm: core 1, trace 3\n');
  });

  it('the state diff lists nothing for equal states', () => {
    expect(stateChanges(trace.initial, trace.initial)).toEqual([]);
  });
});

describe('bounds that guide', () => {
  it('a goal needing a feature turned off is dropped with one note each, and the run is not vacuous for it', () => {
    const out = scratch();
    const r = check('--servers', '3', '--max-term', '2', '--max-log', '1', '--max-commands', '1', '--max-crashes', '0', '--max-messages', '2', '--max-snapshots', '0', '--no-prevote', '--no-check-quorum', '--json', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.result).toBe('ok');
    expect(s.goals.map((g: { name: string }) => g.name)).toEqual(['LeaderElected', 'EntryCommitted', 'LaterTermLeaderCommits']);
    expect(s.notes).toEqual([
      'goal CommitAfterCrashRestart dropped: it needs a crash and --max-crashes is 0',
      'goal FollowerCaughtUpByInstallSnapshot dropped: it needs a snapshot and --max-snapshots is 0',
      'goal CommitAfterRestartFromSnapshot dropped: it needs a snapshot and --max-snapshots is 0',
      'goal LeaderStepsDownOnLostQuorum dropped: CheckQuorum is off (--no-check-quorum)',
      'goal PreVoteRoundFailsWithoutNewTerm dropped: PreVote is off (--no-prevote)',
    ]);
  });

  it('an unreached goal says which bound to raise', () => {
    const r = check('--max-term', '1', '--max-log', '1', '--max-crashes', '0', '--max-snapshots', '0', '--no-prevote', '--no-check-quorum', '--out', scratch());
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('\ngoal LaterTermLeaderCommits unreached: raise --max-term (now 1, needs at least 2)\n');
    expect(unreachedHint('EntryCommitted', { ...DEFAULT_BOUNDS, maxCommands: 0 })).toBe('raise --max-commands (now 0, needs at least 1)');
    // Four servers' vote requests do not fit in two messages in flight: no leader is ever elected.
    expect(unreachedHint('LeaderElected', { ...DEFAULT_BOUNDS, servers: 4 })).toBe('raise --max-messages (now 2, needs at least 3)');
    expect(droppedGoals(DEFAULT_BOUNDS)).toEqual([]);
  });

  for (const [args, line] of [
    [['--random', '--replay', 'x.json'], 'check: --random and --replay cannot be given together: --replay re-runs one trace file, --random searches (see --help)'],
    [['--replay', 'x.json', '--servers', '3'], 'check: --replay takes its bounds from the trace file: give no bounds flags with it (see --help)'],
    [['--random', '--workers', '2'], 'check: --workers is for the exhaustive search, not --random (which runs in one thread) (see --help)'],
    [['--random', '--time', '5', '--runs', '3'], 'check: --time runs for a time, --runs for a number of runs: give one (see --help)'],
  ] as const) {
    it(`conflicting flags ${args.join(' ')}: exit 2, one line`, () => {
      const r = check(...args);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`${line}\n`);
    });
  }

  it('more workers than cores warns on one line', () => {
    const workers = availableParallelism() + 1;
    const r = check('--workers', String(workers), '--max-term', '0', '--out', scratch());
    expect(r.stderr.split('\n').filter((l) => l.startsWith(`check: warning: --workers ${workers} is more than this machine's ${workers - 1} cores`))).toHaveLength(1);
  });
});

describe('--random in a terminal', () => {
  it('prints its seed on the first line, runs for --time seconds and ends with a covered: line', () => {
    const r = check('--random', '--time', '2', '--out', scratch());
    expect(r.stderr.split('\n')[0]).toMatch(/^check: --random seed=-?\d+ \(again: --seed -?\d+\), raft, .* for 2 s depth=300$/);
    // Every run of the production core at 5 servers (the mutants' swarm still draws 3..5).
    expect(r.stdout).toMatch(/^covered: runs [\d,]+ at 5 servers; [\d,]+ distinct states; max term \d+, log \d+, commitIndex \d+; [\d,]+ crashes .*goals hit: LeaderElected/m);
    expect([0, 3]).toContain(r.code);
  });

  it("a failure's replay line repeats the bounds as given, and re-runs the same violation", () => {
    const r = check('--random', '--mutant', 'second-vote-in-term', '--servers', '4', '--max-crashes', '0', '--runs', '100', '--out', scratch());
    expect(r.code, r.stderr).toBe(1);
    const rerun = /re-run the shrunk case: npm run check -- (.*)\)$/m.exec(r.stdout)![1]!;
    expect(rerun).toMatch(/^--random --servers 4 --max-crashes 0 --mutant second-vote-in-term --depth 300 --seed -?\d+ --path [\d:]+$/);
    const again = check(...rerun.split(' '), '--out', scratch());
    expect(again.code, again.stderr).toBe(1);
    expect(again.stdout).toMatch(/^VIOLATION of ElectionSafety/m);
  });
});

describe('Ctrl-C and SIGTERM: the partial summary and exit 3', () => {
  const TINY_PASS = ['--max-snapshots', '0'];
  for (const [name, args, signal] of [
    ['the exhaustive search', [...TINY_PASS], 'SIGINT'],
    ['the exhaustive search with --workers 2', [...TINY_PASS, '--workers', '2'], 'SIGINT'],
    ['the exhaustive search, SIGTERM', [...TINY_PASS], 'SIGTERM'],
  ] as const) {
    it(`${name}: ${signal} after the first progress line`, { timeout: 60_000 }, async () => {
      const r = await interrupted([...args, '--out', scratch()], /distinct [\d,]+ +generated/, signal);
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toContain(`check: ${signal}: stopping the search`);
      expect(r.stdout).toMatch(/^INCOMPLETE: [\d,]+ distinct states, [\d,]+ generated, depth \d+/m);
      expect(r.stdout).toMatch(new RegExp(`^interrupted by ${signal}: the search is not exhaustive; [\\d,]+ states found and not explored \\(the frontier\\), depth \\d+ reached$`, 'm'));
    });
  }

  it('--random: SIGINT after the first line stops it with its seed in the summary', { timeout: 60_000 }, async () => {
    const r = await interrupted(['--random', '--time', '60', '--out', scratch()], /^check: --random seed=.*\n/, 'SIGINT');
    expect(r.code, r.stderr).toBe(3);
    const seed = /seed=(-?\d+)/.exec(r.stderr)![1];
    expect(r.stdout).toMatch(/^INCOMPLETE: [\d,]+ runs/m);
    expect(r.stdout).toContain(`note: SIGINT stopped the run after`);
    expect(r.stdout).toContain(`rerun it with --seed ${seed}`);
  });
});

describe('the default check and a signal', () => {
  it('SIGTERM to the default check reaches the two running passes: each prints its partial summary, the passes not started are not run, and the exit is 3', { timeout: 90_000 }, async () => {
    // No flags: the passes two at a time, their reports under a scratch reports/; through the
    // tsx binary, as `npm run check` runs it (it relays the signal to the check); sent once the
    // first two (crashes, terms) are searching.
    const both = (stderr: string): boolean => /\[crashes \] \d+s  distinct/.test(stderr) && /\[terms   \] \d+s  distinct/.test(stderr);
    const r = await interrupted([], both, 'SIGTERM', { command: TSX, prefix: [join(process.cwd(), 'model/cli/check.ts')], cwd: scratch() });
    expect(r.code, r.stderr).toBe(3);
    for (const pass of ['crashes ', 'terms   ']) expect(r.stdout).toMatch(new RegExp(`^\\[${pass}\\] interrupted by SIGTERM: the search is not exhaustive`, 'm'));
    expect(r.stdout).toMatch(/^ {2}crashes {3}exit 3 /m);
    expect(r.stdout).toMatch(/^ {2}messages {2}not run \(interrupted\)$/m);
    expect(r.stdout).toMatch(/^default check: exit 3$/m);
  });
});
