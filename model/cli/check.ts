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
import { toTraceFile, writeTrace } from '../report/write-trace.js';
import { type CheckConfig, parseArgs, USAGE, UsageError } from './args.js';
import { type CheckModelOptions, createModel, MODEL_MODULE } from './model.js';
import { progressReporter } from './progress.js';
import { report } from './print-summary.js';
import { runReplay } from './replay.js';
import { runRandom } from './random.js';
import { runDefaultPair } from './default-pair.js';

function modelOptions(c: CheckConfig): CheckModelOptions {
  return { bounds: c.bounds, symmetry: c.symmetry, memo: c.memo, ...(c.liveness ? { liveness: true } : {}), ...(c.mutant !== undefined ? { mutant: c.mutant } : {}) };
}

async function exhaustive(c: CheckConfig): Promise<number> {
  const options = modelOptions(c);
  const model = createModel(options); // validates the mutant name before any work starts
  // Where the results go is checked before the search too: an hour of search must not end in EACCES.
  const dir = runDirectory(c.out, c.mutant ?? 'raft');
  if (c.dumpGraph !== undefined) ensureDirectory(dirname(c.dumpGraph), '--dump-graph\'s folder');
  process.stderr.write(`check: ${model.name}, exhaustive ${c.strategy.toUpperCase()}, ${formatBounds(model.bounds)}, symmetry=${c.symmetry ? 'on' : 'off'}, workers=${c.workers}\n`);
  const startedAt = Date.now();
  const progress = progressReporter(process.stderr, startedAt);
  const r = await explore<SystemState, RaftAction>(
    c.workers > 1 ? { module: MODEL_MODULE, options } : model,
    {
      strategy: c.strategy,
      workers: c.workers,
      ...(c.maxStates !== undefined ? { maxStates: c.maxStates } : {}),
      ...(c.timeLimitSeconds !== undefined ? { timeLimitMs: c.timeLimitSeconds * 1000 } : {}),
      onProgress: (p) => progress.update(p),
    },
  );
  progress.done();
  if (r.recovery !== undefined) {
    const g = r.recovery;
    r.notes.push(`liveness: ${g.properties.map((p) => `${p.name} ${p.stuckStates} stuck`).join(', ')} of ${g.states.toLocaleString('en-US')} states ` +
      `(${g.truncatedStates.toLocaleString('en-US')} cut by the bound count as may-recover); ${g.edges.toLocaleString('en-US')} edges, ${Math.round(g.bytes / 2 ** 20)} MiB`);
  }
  const vacuous = r.goals.some((g) => !g.reached);
  const result: RunResult = r.result === 'violation' ? 'violation' : r.result === 'incomplete' ? 'incomplete' : vacuous ? 'vacuous' : 'ok';
  let violation: RunSummary['violation'];
  if (r.violation) {
    const trace = toTraceFile(model, c.mutant, c.symmetry, r.violation.invariant, r.violation.trace);
    const paths = await writeTrace(dir, trace);
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
    ...(r.stoppedBy !== undefined ? { stoppedBy: r.stoppedBy } : {}),
    invariants: model.invariants.map((i) => i.name),
    goals: r.goals.map((g) => ({ name: g.name, reached: g.reached })),
    ...(violation ? { violation } : {}),
    reportDir: dir,
    notes: r.notes,
  };
  writeSummary(dir, summary);
  report(c, summary);
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
  // No flags at all: the default check, its two passes side by side (default-pair.ts).
  (argv.length === 0 ? runDefaultPair(process.argv[1]) : main(argv)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`check: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
      if (process.env['PURE_RAFT_DEBUG']) console.error(e);
      process.exit(70);
    },
  );
}
