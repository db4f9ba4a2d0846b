import { formatBounds } from '../raft/bounds.js';
import { randomCheck } from '../random/random-check.js';
import { runDirectory } from '../report/run-dir.js';
import { exitCode, type RunResult, type RunSummary, writeSummary } from '../report/summary.js';
import type { TraceFile } from '../report/trace-file.js';
import { toTraceFile, writeTrace } from '../report/write-trace.js';
import { checkedInvariants } from '../raft/model.js';
import { goalsFor } from '../raft/goals.js';
import { mutantOptions } from '../mutants/index.js';
import { type CheckConfig, UsageError } from './args.js';
import { report } from './print-summary.js';
import { onInterrupt } from './interrupt.js';
import { droppedGoals, missingFeature, unreachedHint } from './goal-needs.js';

/**
 * A --path that does not fit its --seed (fast-check: "Unable to replay, got wrong path") is
 * bad input, so exit 2 in one line, not an internal error.
 */
async function replayable<T>(c: CheckConfig, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (c.path !== undefined && error instanceof Error && error.message.startsWith('Unable to replay')) {
      throw new UsageError(`--path ${c.path} does not replay with --seed ${c.seed} (${error.message})`);
    }
    throw error;
  }
}

const DEFAULT_RUNS = 200;
const DEFAULT_SECONDS = 30;

/** `--random`: the fast-check deep checker over the same model and invariants. */
export async function runRandom(c: CheckConfig): Promise<number> {
  const { variant } = mutantOptions(c.mutant); // an unknown mutant is bad input, reported before any work
  const dir = runDirectory(c.out, `random-${c.mutant ?? 'raft'}`); // and so is an --out that cannot be written
  const depth = c.depth ?? 300;
  // Without --runs (or a --path to replay) the run lasts a stated time: --time, 30 s by default.
  const timed = c.runs === undefined && c.path === undefined;
  const runs = c.runs ?? (timed ? undefined : DEFAULT_RUNS);
  const timeLimitSeconds = timed ? (c.timeSeconds ?? DEFAULT_SECONDS) : c.timeLimitSeconds;
  // The seed is drawn here, not in randomCheck, so that it is on the first line: a run stopped
  // by Ctrl-C (or a crash) can be run again.
  const seed = c.seed ?? ((Date.now() ^ 0x5eed) | 0);
  const interrupt = onInterrupt(); // before the first line: a signal sent on seeing it must find the handler
  const lasting = timed ? `for ${timeLimitSeconds} s` : `runs=${runs}`;
  process.stderr.write(`check: --random seed=${seed} (again: --seed ${seed}), ${c.mutant ? `raft[mutant ${c.mutant}]` : 'raft'}, randomized (fast-check, swarm), ${formatBounds(c.bounds)}, ${lasting} depth=${depth}\n`);
  const tty = process.stderr.isTTY;
  let lastLine = 0;
  const r = await replayable(c, () => randomCheck({
    bounds: c.bounds,
    ...(runs !== undefined ? { runs } : {}),
    depth,
    seed,
    halt: interrupt.halted,
    ...(variant !== undefined ? { variant } : {}),
    ...(c.path !== undefined ? { path: c.path } : {}),
    ...(timeLimitSeconds !== undefined ? { timeLimitMs: timeLimitSeconds * 1000 } : {}),
    onProgress: (p) => {
      const line = `runs ${p.runs}  steps ${p.steps.toLocaleString('en-US')}  ${Math.round(p.stepsPerSecond).toLocaleString('en-US')} steps/s`;
      // On a terminal one line rewritten in place; in a log, a fresh line every ten seconds.
      if (tty) process.stderr.write(`\r${line}\x1b[K`);
      else if (Date.now() - lastLine >= 10_000) {
        lastLine = Date.now();
        process.stderr.write(line + '\n');
      }
    },
  }));
  interrupt.dispose();
  if (tty) process.stderr.write('\r\x1b[K');
  const notes: string[] = [];
  if (r.halted) notes.push(`${interrupt.signal()} stopped the run after ${r.runs} runs: rerun it with --seed ${r.seed}`);
  else if (r.interrupted && !timed) notes.push(`the time limit ended the run after ${r.runs} of ${runs} runs`);
  let violation: RunSummary['violation'];
  let written: TraceFile | undefined;
  if (r.failure) {
    const f = r.failure;
    const trace = toTraceFile(f.model, c.mutant, false, f.invariant, f.trace);
    const paths = await writeTrace(dir, trace);
    written = trace;
    // Everything the shrunk case depends on: the bounds as given, the mutant, and enough runs
    // to reach its run index (a timed run goes far past the 200 a replay runs by default).
    const runIndex = Number(f.path.split(':')[0]);
    const flags = [...c.boundFlags, ...(c.mutant !== undefined ? ['--mutant', c.mutant] : []), ...(runIndex >= DEFAULT_RUNS ? ['--runs', String(runIndex + 1)] : [])].map((x) => ` ${x}`).join('');
    violation = {
      invariant: f.invariant,
      ...(trace.finding !== undefined ? { finding: trace.finding } : {}),
      traceLength: trace.steps.length,
      paths: { json: paths.json, dot: paths.dot, svg: paths.svg, html: paths.html },
      replay: `npm run check -- --replay ${paths.json}  (or re-run the shrunk case: npm run check -- --random${flags} --depth ${depth} --seed ${r.seed} --path ${f.path})`,
    };
    notes.push(`shrunk in ${f.shrinks} steps; swarm: ${JSON.stringify(f.swarm)}`);
    if (paths.svgError) notes.push(`trace.svg not rendered: ${paths.svgError}`);
    if (paths.htmlError) notes.push(paths.htmlError); // 'index.html not written: <why>'
  }
  const goals = goalsFor(c.bounds).filter((g) => missingFeature(g.name, c.bounds) === null);
  notes.unshift(...droppedGoals(c.bounds).filter((d) => goalsFor(c.bounds).some((g) => g.name === d.name)).map((d) => d.note));
  const missed = goals.filter((g) => !r.goalsReached.includes(g.name));
  const result: RunResult = r.result === 'violation' ? 'violation' : r.halted ? 'incomplete' : missed.length > 0 ? 'vacuous' : 'ok';
  const summary: RunSummary = {
    mode: 'random',
    model: c.mutant ? `raft[mutant ${c.mutant}]` : 'raft',
    mutant: c.mutant ?? null,
    bounds: c.bounds,
    symmetry: false,
    result,
    seconds: r.seconds,
    runs: r.runs,
    steps: r.steps,
    stepsPerSecond: Math.round(r.steps / Math.max(r.seconds, 1e-3)),
    seed: r.seed,
    invariants: checkedInvariants(c.bounds).map((i) => i.name),
    goals: goals.map((g) => (r.goalsReached.includes(g.name) ? { name: g.name, reached: true } : { name: g.name, reached: false, hint: unreachedHint(g.name, c.bounds) })),
    ...(violation ? { violation } : {}),
    coverage: r.coverage,
    ...(r.halted ? { stoppedBy: interrupt.signal() ?? 'signal' } : {}),
    reportDir: dir,
    notes,
  };
  writeSummary(dir, summary);
  report(c, summary, written);
  return exitCode(result);
}
