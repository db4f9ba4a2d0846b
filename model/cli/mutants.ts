#!/usr/bin/env node
/**
 * `npm run mutants [-- --update | NAME...]`: every mutant (or the named ones) through the
 * exhaustive checker (default bounds, merged with the mutant's own bounds where it names some) and
 * the randomized checker (fixed seed, bounded time); writes mutants.md and mutants.json, with each
 * counterexample's trace, SVG and explorer page (index.html, printed) under mutants/<name>/, into a
 * scratch folder reports/<time>-mutants/ (git-ignored). `--update` writes them into reports/
 * instead, over the committed catalog (reports/mutants.md, .json and reports/mutants/): every
 * mutant, or with names only those, their rows merged into the committed ones (the others kept as
 * they were, in catalog order; a mutant no longer in the catalog is dropped). Exit 0 when every
 * mutant was caught by at least one checker; 2 on a bad argument (one line).
 */
import { reportInternalError } from './internal-error.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DirectoryError, ensureDirectory } from '../../src/fs/ensureDirectory.js';
import { runDirectory } from '../report/run-dir.js';
import { explore } from '../engine/index.js';
import type { RaftAction } from '../raft/actions.js';
import { DEFAULT_BOUNDS, formatBounds, type Bounds } from '../raft/bounds.js';
import { createModel } from '../raft/model.js';
import type { SystemState } from '../raft/system.js';
import { MUTANTS, mutantBounds, mutantVariant, type Mutant } from '../mutants/index.js';
import { randomCheck } from '../random/random-check.js';
import { type TracePaths, toTraceFile, writeTrace } from '../report/write-trace.js';
import { runDefaultSweep } from './default-sweep.js';

interface CheckerOutcome {
  readonly caught: boolean;
  readonly invariant: string | null;
  readonly seconds: number;
  readonly traceLength: number | null;
  readonly svg: string | null;
  /** Exhaustive: distinct states; random: runs until the failure. */
  readonly states?: number;
  readonly runs?: number;
  readonly result: string;
}

/** A checker's outcome and the explorer page written beside its counterexample (printed, not kept in mutants.json: the pages are git-ignored). */
interface Checked {
  readonly outcome: CheckerOutcome;
  /** index.html, relative to the working directory; null when there is no counterexample or it could not be written. */
  readonly page: string | null;
  readonly pageError?: string;
}

const checked = (outcome: CheckerOutcome, paths?: TracePaths): Checked => ({
  outcome,
  page: paths?.html ? relative(process.cwd(), paths.html) : null,
  ...(paths?.htmlError !== undefined ? { pageError: paths.htmlError } : {}),
});

interface MutantRow {
  readonly name: string;
  readonly description: string;
  readonly expected: string;
  readonly bounds: string;
  readonly exhaustive: CheckerOutcome;
  readonly random: CheckerOutcome;
}

const REPORTS = resolve('reports');
/** A counterexample's SVG as mutants.md links it: relative to the folder the catalog is written to. */
const rel = (root: string, p: string | null): string | null => (p === null ? null : relative(root, p));

const USAGE = `usage: npm run mutants [-- --update | NAME...]
  (no argument)  every mutant through both checkers; the catalog goes to a scratch folder, reports/<time>-mutants/
  NAME...        only these mutants (scratch folder too)
  --update       every mutant, written over the committed catalog: reports/mutants.md, reports/mutants.json, reports/mutants/
  --update NAME... only these, their rows merged into the committed catalog (the other rows kept as they are)
  --default      through the passes of the default check (and --deep's) instead: which pass catches each one;
                 reports/<time>-mutants-default/default-check.md, or reports/default-check.md with --update
mutants: ${MUTANTS.map((m) => m.name).join(', ')}`;

class UsageError extends Error {}

interface MutantsArgs {
  readonly update: boolean;
  /** --default: through the default check's passes instead (default-sweep.ts). */
  readonly defaultCheck: boolean;
  readonly names: readonly string[];
}

function parseMutantsArgs(argv: readonly string[]): MutantsArgs | 'help' {
  let update = false;
  let defaultCheck = false;
  const names: string[] = [];
  for (const a of argv) {
    if (a === '--help' || a === '-h') return 'help';
    if (a === '--default') {
      if (defaultCheck) throw new UsageError('--default is given twice');
      defaultCheck = true;
    } else if (a === '--update') {
      if (update) throw new UsageError('--update is given twice');
      update = true;
    } else if (a.startsWith('-')) {
      throw new UsageError(`unknown flag ${a} (see --help)`);
    } else {
      names.push(a);
    }
  }
  if (update && defaultCheck && names.length > 0) throw new UsageError('--default --update rewrites reports/default-check.md whole, so it runs every mutant and takes no names');
  return { update, defaultCheck, names };
}

async function exhaustive(m: Mutant, root: string, timeLimitMs: number): Promise<Checked> {
  const bounds: Bounds = mutantBounds(m);
  const model = createModel({ variant: mutantVariant(m.name), bounds, ...(m.liveness === true ? { liveness: true } : {}) });
  const r = await explore<SystemState, RaftAction>(model, { timeLimitMs });
  if (!r.violation) {
    return checked({ caught: false, invariant: null, seconds: r.seconds, traceLength: null, svg: null, states: r.distinctStates, result: r.result });
  }
  const dir = resolve(root, 'mutants', m.name, 'exhaustive');
  ensureDirectory(dir, 'report directory');
  const trace = toTraceFile(model, m.name, true, r.violation.invariant, r.violation.trace);
  const paths = await writeTrace(dir, trace);
  return checked({ caught: true, invariant: r.violation.invariant, seconds: r.seconds, traceLength: trace.steps.length, svg: rel(root, paths.svg), states: r.distinctStates, result: r.result }, paths);
}

async function randomized(m: Mutant, root: string, seed: number, timeLimitMs: number): Promise<Checked> {
  const r = await randomCheck({ variant: mutantVariant(m.name), seed, runs: 1_000_000, timeLimitMs, shrinkTimeLimitMs: 20_000, bounds: membershipOf(m) });
  if (!r.failure) return checked({ caught: false, invariant: null, seconds: r.seconds, traceLength: null, svg: null, runs: r.runs, result: r.result });
  const dir = resolve(root, 'mutants', m.name, 'random');
  ensureDirectory(dir, 'report directory');
  const trace = toTraceFile(r.failure.model, m.name, false, r.failure.invariant, r.failure.trace);
  const paths = await writeTrace(dir, trace);
  return checked({ caught: true, invariant: r.failure.invariant, seconds: r.seconds, traceLength: trace.steps.length, svg: rel(root, paths.svg), runs: r.runs, result: r.result }, paths);
}

/**
 * A membership mutant's change budget, kinds and bootstrap voters, for the random checker (whose
 * own bounds change no membership); nothing for the others, whose runs stay as they were.
 */
function membershipOf(m: Mutant): Partial<Bounds> {
  const b = m.bounds ?? {};
  return {
    ...(b.maxConfigChanges !== undefined ? { maxConfigChanges: b.maxConfigChanges } : {}),
    ...(b.configChanges !== undefined ? { configChanges: b.configChanges } : {}),
    ...(b.initialVoters !== undefined ? { initialVoters: b.initialVoters } : {}),
  };
}

function markdown(rows: readonly MutantRow[], seed: number, exhaustiveLimit: number, randomLimit: number): string {
  const cell = (o: CheckerOutcome, kind: 'exhaustive' | 'random'): string[] => {
    if (!o.caught) return ['**no**', '—', o.seconds.toFixed(1), kind === 'exhaustive' ? `${(o.states ?? 0).toLocaleString('en-US')} (${o.result})` : `${o.runs} runs`, '—'];
    const link = o.svg ? `[${o.traceLength}](${o.svg})` : String(o.traceLength);
    return ['yes', o.invariant ?? '', o.seconds.toFixed(1), kind === 'exhaustive' ? (o.states ?? 0).toLocaleString('en-US') : `${o.runs} runs`, link];
  };
  const lines = [
    '# Mutant catalog: is every classic Raft bug caught?',
    '',
    `Generated by \`npm run mutants -- --update\`. Exhaustive: BFS with symmetry, default bounds \`${formatBounds(DEFAULT_BOUNDS)}\` merged with the mutant's own bounds (column "bounds"), time limit ${exhaustiveLimit / 1000} s. ` +
      `Random: fast-check swarm over 3-5 servers, max-term 10, max-log 20, up to 6 crashes, seed ${seed}, search limit ${randomLimit / 1000} s plus up to 20 s of shrinking. ` +
      'Trace lengths link to the counterexample\'s lane diagram; seconds include writing it.',
    '',
    '| mutant | expected | exhaustive caught | invariant | s | states | trace | random caught | invariant | s | runs | shrunk trace |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) lines.push(`| \`${r.name}\` | ${r.expected} | ${cell(r.exhaustive, 'exhaustive').join(' | ')} | ${cell(r.random, 'random').join(' | ')} |`);
  const missed = rows.filter((r) => !r.exhaustive.caught && !r.random.caught);
  lines.push('', missed.length === 0 ? `All ${rows.length} mutants caught.` : `NOT caught by either checker: ${missed.map((r) => r.name).join(', ')}.`, '', '## The mutants', '');
  for (const r of rows) lines.push(`- \`${r.name}\` (bounds: ${r.bounds}): ${r.description}`);
  return lines.join('\n') + '\n';
}

interface CatalogSettings {
  readonly seed: number;
  readonly exhaustiveLimitMs: number;
  readonly randomLimitMs: number;
}

/**
 * The committed catalog's rows, read before any checking so that `--update NAME...` fails at once:
 * they must have been made with the same seed and limits, or the table would mix two settings.
 */
function committedRows(path: string, settings: CatalogSettings): MutantRow[] {
  let committed: CatalogSettings & { mutants?: MutantRow[] };
  try {
    committed = JSON.parse(readFileSync(path, 'utf8')) as CatalogSettings & { mutants?: MutantRow[] };
  } catch (e) {
    throw new UsageError(`--update NAME... merges into ${relative(process.cwd(), path)}, which cannot be read (${e instanceof Error ? e.message : String(e)}): run --update alone`);
  }
  for (const k of ['seed', 'exhaustiveLimitMs', 'randomLimitMs'] as const) {
    if (committed[k] !== settings[k]) throw new UsageError(`--update NAME...: the committed catalog was made with ${k} ${committed[k]}, this run uses ${settings[k]}: run --update alone`);
  }
  return committed.mutants ?? [];
}

/** `committed` with `fresh` in place of (or beside) its rows, in catalog order; rows of mutants no longer in the catalog are dropped. */
function mergedRows(committed: readonly MutantRow[], fresh: readonly MutantRow[]): MutantRow[] {
  const byName = new Map<string, MutantRow>(committed.map((r) => [r.name, r]));
  for (const r of fresh) byName.set(r.name, r);
  return MUTANTS.flatMap((m) => byName.get(m.name) ?? []);
}

async function main(): Promise<number> {
  let args: MutantsArgs | 'help';
  try {
    args = parseMutantsArgs(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`mutants: ${e.message}\n`);
    return 2;
  }
  if (args === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const seed = 1;
  const exhaustiveLimit = 120_000;
  const randomLimit = 30_000;
  const rows: MutantRow[] = [];
  ensureDirectory(REPORTS, 'reports directory'); // before minutes of checking, not after
  const unknown = args.names.filter((n) => !MUTANTS.some((m) => m.name === n));
  if (unknown.length > 0) {
    process.stderr.write(`mutants: no mutant named ${unknown.map((n) => `'${n}'`).join(', ')} (see --help for the names)\n`);
    return 2;
  }
  const only = args.names;
  const settings: CatalogSettings = { seed, exhaustiveLimitMs: exhaustiveLimit, randomLimitMs: randomLimit };
  let committed: MutantRow[] = [];
  if (args.update && only.length > 0 && !args.defaultCheck) {
    try {
      committed = committedRows(resolve(REPORTS, 'mutants.json'), settings);
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      process.stderr.write(`mutants: ${e.message}\n`);
      return 2;
    }
  }
  if (args.defaultCheck) {
    const scratch = runDirectory(undefined, 'mutants-default');
    return runDefaultSweep(MUTANTS.filter((x) => only.length === 0 || only.includes(x.name)), args.update ? REPORTS : scratch, scratch);
  }
  const root = args.update ? REPORTS : runDirectory(undefined, 'mutants');
  for (const m of MUTANTS.filter((x) => only.length === 0 || only.includes(x.name))) {
    process.stderr.write(`mutant ${m.name}: exhaustive ... `);
    const exChecked = await exhaustive(m, root, exhaustiveLimit);
    const ex = exChecked.outcome;
    process.stderr.write(`${ex.caught ? `caught (${ex.invariant}, ${ex.seconds.toFixed(1)} s)` : 'not caught'}; random ... `);
    const rndChecked = await randomized(m, root, seed, randomLimit);
    const rnd = rndChecked.outcome;
    process.stderr.write(`${rnd.caught ? `caught (${rnd.invariant}, ${rnd.seconds.toFixed(1)} s)` : 'not caught'}\n`);
    const pages = [exChecked.page, rndChecked.page].filter((p) => p !== null);
    if (pages.length > 0) process.stderr.write(`  explorer: ${pages.join(', ')}\n`);
    for (const c of [exChecked, rndChecked]) if (c.pageError !== undefined) process.stderr.write(`  ${c.pageError}\n`);
    rows.push({
      name: m.name,
      description: m.description,
      expected: m.breaks,
      bounds: formatBounds(mutantBounds(m)),
      exhaustive: ex,
      random: rnd,
    });
  }
  const all = args.update && only.length > 0 ? mergedRows(committed, rows) : rows;
  writeFileSync(resolve(root, 'mutants.json'), JSON.stringify({ seed, exhaustiveLimitMs: exhaustiveLimit, randomLimitMs: randomLimit, mutants: all }, null, 2) + '\n');
  writeFileSync(resolve(root, 'mutants.md'), markdown(all, seed, exhaustiveLimit, randomLimit));
  const missed = all.filter((r) => !r.exhaustive.caught && !r.random.caught);
  const report = relative(process.cwd(), resolve(root, 'mutants.md'));
  process.stderr.write(`${all.length - missed.length} of ${all.length} mutants caught; report: ${report}${args.update ? '' : ' (scratch: --update writes reports/mutants.md)'}\n`);
  return missed.length === 0 ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().then(
    (code) => process.exit(code),
    (e: unknown) => {
      if (!(e instanceof DirectoryError)) process.exit(reportInternalError('mutants', e));
      process.stderr.write(`mutants: ${e.message}\n`);
      process.exit(2);
    },
  );
}
