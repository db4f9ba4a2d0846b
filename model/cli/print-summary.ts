import { coverageText, type RunSummary } from '../report/summary.js';
import type { TraceFile } from '../report/trace-file.js';
import type { CheckConfig } from './args.js';
import { violationLines } from './violation.js';

function say(c: CheckConfig, line: string): void {
  // With --json, stdout carries exactly one JSON object; everything for people goes to stderr.
  (c.json ? process.stderr : process.stdout).write(line + '\n');
}

/** The end-of-run summary for people (or the one JSON object with --json). */
export function report(c: CheckConfig, s: RunSummary, trace?: TraceFile): void {
  if (c.json) {
    process.stdout.write(JSON.stringify(s) + '\n');
    return;
  }
  const n = (x: number | undefined): string => (x ?? 0).toLocaleString('en-US');
  if (s.mode === 'exhaustive') {
    say(c, `${s.result.toUpperCase()}: ${n(s.distinctStates)} distinct states, ${n(s.generatedStates)} generated, depth ${s.depth}, ${s.seconds.toFixed(1)} s (${n(s.statesPerSecond)} distinct states/s)`);
  } else {
    say(c, `${s.result.toUpperCase()}: ${n(s.runs)} runs, ${n(s.steps)} steps, ${s.seconds.toFixed(1)} s (${n(s.stepsPerSecond)} steps/s), seed ${s.seed}`);
  }
  say(c, `invariants: ${s.invariants.join(', ')}`);
  for (const g of s.goals) say(c, g.reached ? `goal ${g.name}: reached` : `goal ${g.name} unreached${g.hint ? `: ${g.hint}` : ''}`);
  if (s.coverage) say(c, `covered: ${coverageText(s.coverage)}; goals hit: ${s.goals.filter((g) => g.reached).map((g) => g.name).join(', ') || 'none'}`);
  if (s.stoppedBy === 'SIGINT' || s.stoppedBy === 'SIGTERM') say(c, `interrupted by ${s.stoppedBy}: the search is not exhaustive${s.unexplored !== undefined ? `; ${n(s.unexplored)} states found and not explored (the frontier), depth ${s.depth} reached` : ''}`);
  else if (s.stoppedBy) say(c, `stopped by the ${s.stoppedBy} limit: the search is not exhaustive`);
  if (s.violation) for (const line of violationLines(s.violation, trace)) say(c, line);
  for (const note of s.notes) say(c, `note: ${note}`);
  say(c, `report: ${s.reportDir}/summary.md`);
}

