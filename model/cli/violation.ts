import { pathToFileURL } from 'node:url';
import { breakingStep, compactTrace } from '../report/compact-trace.js';
import type { RunSummary } from '../report/summary.js';
import type { TraceFile } from '../report/trace-file.js';

/**
 * A violation for people: the headline, the trace one line per step with the breaking step
 * marked, then where its files are. The explorer's address opens the page at the breaking step
 * (`#step=N`, which web/explorer honours).
 */
export function violationLines(v: NonNullable<RunSummary['violation']>, trace: TraceFile | undefined): string[] {
  const lines = [`VIOLATION of ${v.invariant} after ${v.traceLength} steps${v.finding ? `: ${v.finding.sentence}` : ''}`];
  if (trace) lines.push(...compactTrace(trace));
  lines.push(`trace: ${v.paths.json}`);
  if (v.paths.svg) lines.push(`graph: ${v.paths.svg}`);
  if (v.paths.html) lines.push(`explorer: ${explorerUrl(v.paths.html, trace ? breakingStep(trace) : null)}  (open it in a browser)`);
  if (v.replay) lines.push(`replay: ${v.replay}`);
  return lines;
}

/** The page's file: URL, at step `step` when given. */
export const explorerUrl = (html: string, step: number | null): string => `${pathToFileURL(html).href}${step !== null ? `#step=${step}` : ''}`;
