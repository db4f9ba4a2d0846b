import { readFileSync } from 'node:fs';
import { mutantOptions } from '../mutants/index.js';
import { replayTrace } from '../raft/replay-trace.js';
import type { TraceFile } from '../report/trace-file.js';
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
  return t as TraceFile;
}

/** `--replay trace.json`: re-runs every step through the core; 0 confirmed, 1 it disagrees. */
export function runReplay(path: string): number {
  const trace = readTrace(path);
  const r = replayTrace(trace, mutantOptions(trace.mutant).variant);
  if (r.ok) {
    process.stdout.write(`replay: confirmed all ${r.steps} steps of ${path} through the core${r.invariantBroken ? `; the last state breaks ${r.invariantBroken}` : ''}\n`);
    return 0;
  }
  process.stdout.write(`replay: DISAGREES at step ${r.step}: ${r.reason}\n`);
  return 1;
}
