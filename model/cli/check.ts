#!/usr/bin/env node
/**
 * `npm run check -- [flags]`: bounded model checking of the Raft core.
 * Exit codes: 0 all invariants held and every goal was reached; 1 a violation (or a replay
 * that disagrees); 2 bad arguments or input; 3 incomplete (a limit stopped it) or vacuous.
 */
import { writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DirectoryError, ensureDirectory } from '../../src/fs/ensureDirectory.js';
import { explore } from '../engine/index.js';
import { stateGraph, stateGraphDot } from '../engine/state-graph.js';
import type { RaftAction } from '../raft/actions.js';
import { formatBounds } from '../raft/bounds.js';
import { describeSystem } from '../raft/describe.js';
import type { SystemState } from '../raft/system.js';
import { MUTANTS } from '../mutants/index.js';
import { runDirectory } from '../report/run-dir.js';
import { exitCode, type RunResult, type RunSummary, writeSummary } from '../report/summary.js';
import type { TraceFile } from '../report/trace-file.js';
import { toTraceFile, writeTrace } from '../report/write-trace.js';
import { type CheckConfig, parseArgs, USAGE, UsageError } from './args.js';
import { type CheckModelOptions, createModel, MODEL_MODULE } from './model.js';
import { progressReporter } from './progress.js';
import { report } from './print-summary.js';
import { runReplay } from './replay.js';
import { runRandom } from './random.js';
import { DEEP_PASSES, runDefaultPasses } from './default-passes.js';
import { reportInternalError } from './internal-error.js';
import { onInterrupt } from './interrupt.js';
import { droppedGoals, unreachedHint } from './goal-needs.js';

function modelOptions(c: CheckConfig): CheckModelOptions {
  return { bounds: c.bounds, symmetry: c.symmetry, memo: c.memo, ...(c.pack ? {} : { pack: false }), ...(c.liveness ? { liveness: true } : {}), ...(c.mutant !== undefined ? { mutant: c.mutant } : {}) };
}

async function exhaustive(c: CheckConfig): Promise<number> {
  const options = modelOptions(c);
  const model = createModel(options); // validates the mutant name before any work starts
  // Where the results go is checked before the search too: an hour of search must not end in EACCES.
  const dir = runDirectory(c.out, c.mutant ?? 'raft');
  if (c.dumpGraph !== undefined) ensureDirectory(dirname(c.dumpGraph), '--dump-graph\'s folder');
  const halt = new Int32Array(new SharedArrayBuffer(4));
  // Before the first line: a signal sent on seeing it must find the handler.
  const interrupt = onInterrupt(() => Atomics.store(halt, 0, 1));
  process.stderr.write(`check: ${model.name}, exhaustive ${c.strategy.toUpperCase()}, ${formatBounds(model.bounds)}${c.maxDepth !== undefined ? ` max-depth=${c.maxDepth}` : ''}, symmetry=${c.symmetry ? 'on' : 'off'}, workers=${c.workers}\n`);
  const startedAt = Date.now();
  const progress = progressReporter(process.stderr, startedAt);
  const r = await explore<SystemState, RaftAction>(
    c.workers > 1 ? { module: MODEL_MODULE, options } : model,
    {
      strategy: c.strategy,
      workers: c.workers,
      ...(c.partialOrder ? { partialOrder: true } : {}),
      ...(c.maxStates !== undefined ? { maxStates: c.maxStates } : {}),
      ...(c.maxDepth !== undefined ? { maxDepth: c.maxDepth } : {}),
      ...(c.timeLimitSeconds !== undefined ? { timeLimitMs: c.timeLimitSeconds * 1000 } : {}),
      onProgress: (p) => progress.update(p),
      halt,
    },
  );
  interrupt.dispose();
  progress.done();
  r.notes.unshift(...droppedGoals(model.bounds).map((d) => d.note));
  if (r.recovery !== undefined) {
    const g = r.recovery;
    r.notes.push(`liveness: ${g.properties.map((p) => `${p.name} ${p.stuckStates} stuck`).join(', ')} of ${g.states.toLocaleString('en-US')} states ` +
      `(${g.truncatedStates.toLocaleString('en-US')} cut by the bound count as may-recover); ${g.edges.toLocaleString('en-US')} edges, ${Math.round(g.bytes / 2 ** 20)} MiB`);
  }
  const vacuous = r.goals.some((g) => !g.reached);
  // --max-depth is a bound the user chose: a search that stopped only there explored every
  // behaviour of at most that many steps, which is what was asked (the note says deeper ones exist).
  const depthBound = r.result === 'incomplete' && r.stoppedBy === 'maxDepth' && c.maxDepth !== undefined;
  if (depthBound) r.notes.push(`exhaustive to depth ${c.maxDepth} (--max-depth): longer behaviours exist and were not explored`);
  const result: RunResult = r.result === 'violation' ? 'violation' : r.result === 'incomplete' && !depthBound ? 'incomplete' : vacuous ? 'vacuous' : 'ok';
  let violation: RunSummary['violation'];
  let written: TraceFile | undefined;
  if (r.violation) {
    const trace = toTraceFile(model, c.mutant, c.symmetry, r.violation.invariant, r.violation.trace);
    const paths = await writeTrace(dir, trace);
    written = trace;
    violation = {
      invariant: r.violation.invariant,
      ...(trace.finding !== undefined ? { finding: trace.finding } : {}),
      traceLength: trace.steps.length,
      paths: { json: paths.json, dot: paths.dot, svg: paths.svg, html: paths.html },
      replay: `npm run check -- --replay ${paths.json}`,
    };
    if (paths.svgError) r.notes.push(`trace.svg not rendered: ${paths.svgError}`);
    if (paths.htmlError) r.notes.push(paths.htmlError); // 'index.html not written: <why>'
  }
  if (c.dumpGraph !== undefined) {
    writeFileSync(c.dumpGraph, stateGraphDot(stateGraph(model, describeSystem), model.name));
    r.notes.push(`state graph written to ${c.dumpGraph}`);
  }
  const summary: RunSummary = {
    mode: 'exhaustive',
    model: model.name,
    mutant: c.mutant ?? null,
    bounds: model.bounds,
    symmetry: c.symmetry,
    strategy: r.strategy,
    workers: r.workers,
    result,
    distinctStates: r.distinctStates,
    generatedStates: r.generatedStates,
    depth: r.depth,
    seconds: r.seconds,
    statesPerSecond: Math.round(r.distinctStates / Math.max(r.seconds, 1e-3)),
    fingerprintBytesPerState: r.bytesPerState,
    ...(r.stoppedBy !== undefined && !depthBound ? { stoppedBy: r.stoppedBy === 'halted' ? (interrupt.signal() ?? 'halted') : r.stoppedBy } : {}),
    ...(r.unexplored !== undefined ? { unexplored: r.unexplored } : {}),
    invariants: model.invariants.map((i) => i.name),
    goals: r.goals.map((g) => (g.reached ? { name: g.name, reached: true } : { name: g.name, reached: false, hint: r.result !== 'ok' && !depthBound ? 'the search stopped before reaching it' : unreachedHint(g.name, model.bounds) })),
    ...(violation ? { violation } : {}),
    reportDir: dir,
    notes: r.notes,
  };
  writeSummary(dir, summary);
  report(c, summary, written);
  return exitCode(result);
}

function listMutants(): number {
  for (const m of MUTANTS) process.stdout.write(`${m.name.padEnd(36)} breaks ${m.breaks.padEnd(24)} ${m.description}\n`);
  return 0;
}

export async function main(argv: readonly string[]): Promise<number> {
  let c: CheckConfig;
  try {
    c = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`check: ${e.message} (see --help)\n`);
      return 2;
    }
    throw e;
  }
  for (const w of c.warnings) process.stderr.write(`check: ${w}\n`);
  try {
    switch (c.mode) {
      case 'help':
        process.stdout.write(USAGE + '\n');
        return 0;
      case 'list-mutants':
        return listMutants();
      case 'replay':
        return runReplay(c.replay!);
      case 'random':
        return await runRandom(c);
      case 'exhaustive':
        return await exhaustive(c);
    }
  } catch (e) {
    // Bad input found after parsing (an unknown mutant, an unreadable trace): one line, exit 2.
    if (e instanceof UsageError || e instanceof RangeError || e instanceof DirectoryError) {
      process.stderr.write(`check: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const argv = process.argv.slice(2);
  // No flags at all: the default check, its passes two at a time (default-passes.ts); --deep alone: those and figure8.
  // main runs after this module has finished evaluating: a run started while the entry module is
  // still being evaluated (tsx's loader) never saw its SIGINT/SIGTERM handlers called (measured
  // with --random: killed by the signal, exit 143, instead of the partial summary and exit 3).
  const passes = argv.length === 0 ? [] : argv.length === 1 && argv[0] === '--deep' ? DEEP_PASSES : null;
  (passes !== null ? runDefaultPasses(process.argv[1], passes.length === 0 ? undefined : passes) : new Promise<void>((resolve) => setImmediate(resolve)).then(() => main(argv))).then(
    (code) => process.exit(code),
    (e: unknown) => process.exit(reportInternalError('check', e)),
  );
}
