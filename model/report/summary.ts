import { writeFileSync } from 'node:fs';
import { formatBounds, type Bounds } from '../raft/bounds.js';
import type { Finding } from '../raft/finding.js';
import type { Coverage } from '../random/coverage.js';
import { reportPath } from './run-dir.js';

export type RunResult = 'ok' | 'violation' | 'incomplete' | 'vacuous';

/** The one JSON object `--json` prints and summary.json holds. */
export interface RunSummary {
  readonly mode: 'exhaustive' | 'random';
  readonly model: string;
  readonly mutant: string | null;
  readonly bounds: Bounds;
  readonly symmetry: boolean;
  readonly strategy?: string;
  readonly workers?: number;
  readonly result: RunResult;
  readonly distinctStates?: number;
  readonly generatedStates?: number;
  readonly depth?: number;
  readonly seconds: number;
  readonly statesPerSecond?: number;
  readonly fingerprintBytesPerState?: number;
  /** Randomized runs (up to the first failure); steps include those taken while shrinking. */
  readonly runs?: number;
  readonly steps?: number;
  readonly stepsPerSecond?: number;
  readonly seed?: number;
  /** Randomized runs: how far the walks got (terms, logs, commits, crashes, snapshots, distinct states). */
  readonly coverage?: Coverage;
  readonly stoppedBy?: string;
  /** Exhaustive runs stopped early: the states found but not expanded. */
  readonly unexplored?: number;
  readonly invariants: readonly string[];
  /** An unreached goal's hint says which bound to raise (model/cli/goal-needs.ts). */
  readonly goals: readonly { readonly name: string; readonly reached: boolean; readonly hint?: string }[];
  readonly violation?: {
    readonly invariant: string;
    /** What the invariant found on the last state; `sentence` is what people read. */
    readonly finding?: Finding;
    readonly traceLength: number;
    /** svg and html are null when they could not be written (the run's notes say why). */
    readonly paths: { readonly json: string; readonly dot: string; readonly svg: string | null; readonly html: string | null };
    readonly replay?: string;
  };
  readonly reportDir: string;
  readonly notes: readonly string[];
}

/** The `covered:` line of a randomized run. */
export function coverageText(c: Coverage): string {
  const sizes = Object.entries(c.runsByServers).map(([n, runs]) => `${runs.toLocaleString('en-US')} at ${n} servers`).join(', ');
  return `runs ${sizes}; ${c.distinctStates.toLocaleString('en-US')} distinct states; max term ${c.maxTerm}, log ${c.maxLog}, commitIndex ${c.maxCommitIndex}; ` +
    `${c.crashes.toLocaleString('en-US')} crashes (at most ${c.maxCrashesInARun} in a run), ${c.restarts.toLocaleString('en-US')} restarts, ${c.snapshots.toLocaleString('en-US')} snapshots`;
}

export function exitCode(result: RunResult): number {
  return result === 'ok' ? 0 : result === 'violation' ? 1 : 3;
}

export function summaryMarkdown(s: RunSummary): string {
  const lines = [
    `# ${s.mode === 'random' ? 'Randomized' : 'Exhaustive'} check of ${s.model}: ${s.result}`,
    '',
    `Bounds: \`${formatBounds(s.bounds)}\`, symmetry ${s.symmetry ? 'on' : 'off'}` +
      (s.workers !== undefined ? `, ${s.workers} worker(s), ${s.strategy}` : '') + (s.seed !== undefined ? `, seed ${s.seed}` : ''),
    '',
    '| measure | value |',
    '|---|---|',
  ];
  const row = (k: string, v: string | number | undefined): void => {
    if (v !== undefined) lines.push(`| ${k} | ${typeof v === 'number' ? v.toLocaleString('en-US') : v} |`);
  };
  row('distinct states', s.distinctStates);
  row('generated states', s.generatedStates);
  row('depth', s.depth);
  row('runs', s.runs);
  row('steps', s.steps);
  row('seconds', s.seconds.toFixed(2));
  row('states/s', s.statesPerSecond);
  row('steps/s', s.stepsPerSecond);
  row('fingerprint bytes/state', s.fingerprintBytesPerState?.toFixed(1));
  row('stopped by', s.stoppedBy);
  row('left unexplored (frontier)', s.unexplored);
  if (s.coverage) row('covered', coverageText(s.coverage));
  lines.push('', '## Invariants', '', ...s.invariants.map((i) => `- ${i}${s.violation?.invariant === i ? ' **VIOLATED**' : ''}`));
  lines.push('', '## Goals (sometimes)', '', ...s.goals.map((g) => `- ${g.name}: ${g.reached ? 'reached' : `**never reached**${g.hint ? ` (${g.hint})` : ''}`}`));
  if (s.violation) {
    lines.push('', '## Counterexample', '', `${s.violation.invariant} breaks after ${s.violation.traceLength} steps.`);
    if (s.violation.finding) lines.push('', s.violation.finding.sentence);
    lines.push('', '- trace: trace.json', '- graph: trace.dot' + (s.violation.paths.svg ? ', trace.svg' : ''));
    lines.push(s.violation.paths.html
      ? '- explorer: [index.html](index.html), the trace stepped through in a browser (self-contained: open it from disk)'
      : '- explorer: index.html not written (see the notes)');
    if (s.violation.replay) lines.push(`- replay: ${s.violation.replay}`);
  }
  if (s.notes.length) lines.push('', '## Notes', '', ...s.notes.map((n) => `- ${n}`));
  return lines.join('\n') + '\n';
}

export function writeSummary(dir: string, s: RunSummary): void {
  writeFileSync(reportPath(dir, 'summary.json'), JSON.stringify(s, null, 2) + '\n');
  writeFileSync(reportPath(dir, 'summary.md'), summaryMarkdown(s));
}
