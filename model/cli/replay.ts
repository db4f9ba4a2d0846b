import { readFileSync } from 'node:fs';
import { mutantOptions } from '../mutants/index.js';
import { actionKey } from '../raft/actions.js';
import { plainMessageKey } from '../raft/keys.js';
import { createModel } from '../raft/model.js';
import { replayTrace } from '../raft/replay-trace.js';
import type { ReducerVariant } from '../raft/reducer.js';
import { changePlace, stateChanges } from '../report/state-diff.js';
import { type TraceFile, upgradeTrace } from '../report/trace-file.js';
import { UsageError } from './args.js';

function readTrace(path: string): TraceFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${path} is not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  const t = data as Partial<TraceFile> | null;
  if (!t || t.format !== 'pure-raft-trace/1' || !Array.isArray(t.steps) || !t.initial || !t.bounds) {
    throw new UsageError(`${path} is not a pure-raft trace (format pure-raft-trace/1)`);
  }
  // (A trace of an older version is read as this one would have written it.)
  return upgradeTrace(t as TraceFile);
}

/** `--replay trace.json`: re-runs every step through the core; 0 confirmed, 1 it disagrees. */
export function runReplay(path: string): number {
  const trace = readTrace(path);
  const { variant } = mutantOptions(trace.mutant);
  const r = replayTrace(trace, variant);
  if (r.ok) {
    process.stdout.write(`replay: confirmed all ${r.steps} steps of ${path} through the core${r.invariantBroken ? `; the last state breaks ${r.invariantBroken}` : ''}\n`);
    return 0;
  }
  process.stdout.write(`replay: DISAGREES at step ${r.step}: ${r.reason}\n`);
  for (const line of differences(trace, r.step, variant)) process.stdout.write(`${line}\n`);
  return 1;
}

/**
 * Field by field, what the core produced at `step` against what the file records there ("s1
 * currentTerm: core 2, trace 3"). Every earlier state agreed, so the step is re-run from the
 * recorded state before it. Nothing when the action could not run (the reason says so).
 */
function differences(trace: TraceFile, step: number, variant: ReducerVariant | undefined): string[] {
  const recorded = trace.steps[step - 1];
  if (step < 1 || recorded === undefined) return [];
  const before = step === 1 ? trace.initial : trace.steps[step - 2]!.state;
  const model = createModel({ bounds: trace.bounds, symmetry: trace.symmetry, memo: false, ...(variant !== undefined ? { variant } : {}) });
  const want = actionKey(recorded.action, plainMessageKey);
  const action = model.actions(before).find((a) => actionKey(a, plainMessageKey) === want);
  const produced = action ? model.next(before, action) : null;
  if (!produced) return [];
  return stateChanges(produced, recorded.state).map((d) => `  ${changePlace(d)}: core ${d.before}, trace ${d.after}`);
}
