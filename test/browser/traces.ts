import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { MUTANTS } from '../../model/mutants/index.js';
import { type TraceFile, upgradeTrace } from '../../model/report/trace-file.js';

/**
 * The committed counterexamples (reports/mutants/<name>/<checker>/trace.json), as git lists them;
 * not those of liveness mutants: their trace leads to a stuck state, which no one state's replay
 * can recheck (test/model/mutants.test.ts checks them in the model).
 */
export function committedTraces(): { path: string; trace: TraceFile }[] {
  const paths = execFileSync('git', ['ls-files', 'reports'], { encoding: 'utf8' }).split('\n').filter((p) => p.endsWith('/trace.json'));
  const liveness = new Set(MUTANTS.filter((m) => m.liveness === true).map((m) => m.name));
  return paths.filter((path) => !liveness.has(path.split('/')[2] ?? '')).map((path) => ({ path, trace: JSON.parse(readFileSync(path, 'utf8')) as TraceFile }));
}

/** A committed trace as this version reads it (upgradeTrace: fields added since it was written take their first values). */
export const readTrace = (path: string): TraceFile => upgradeTrace(JSON.parse(readFileSync(path, 'utf8')) as TraceFile);

/** A deep copy with one recorded server's currentTerm changed after step `step` (1-based): the core cannot agree with it. */
export function tamperedTerm(trace: TraceFile, step: number, server: number): TraceFile {
  const copy = JSON.parse(JSON.stringify(trace)) as { steps: { state: { servers: { state: { currentTerm: number } | null }[] } }[] };
  const st = copy.steps[step - 1]!.state.servers[server]!.state;
  if (!st) throw new Error(`server ${server} is down after step ${step}: pick another`);
  st.currentTerm += 5;
  return copy as unknown as TraceFile;
}
