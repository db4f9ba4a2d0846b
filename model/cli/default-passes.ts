import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { runDirectory } from '../report/run-dir.js';
import { NAMED_BOUNDS } from './named-bounds.js';

/**
 * `npm run check` with no flags: the default check is a set of exhaustive passes, each one
 * `check` process with the flags below, run as many at a time as there are cores (at most 2; the
 * largest first, so the passes end together). Each pass is the smallest bound that shows some
 * class of bug: one bound holding all of them (4 servers, 4 terms, 3 commands, crashes,
 * snapshots, 3 messages in flight) is far past any minute. Their lines come out prefixed with
 * the pass's name; the run ends with a table of the passes.
 *
 * Each pass carries its distinct states on the correct core (symmetry on, as measured when the
 * set was chosen): the default check runs the largest first, so that the passes end together;
 * `npm run mutants -- --default` tries the smallest first.
 *
 * The recoverability (liveness) check runs in `servers4` only: it costs that pass 1.5x its time
 * (5.4 s instead of 3.5 s) and catches both liveness mutants of the catalog; in the two passes of
 * over 3 million states it would cost 2.3x the time and 5x the memory.
 *
 * `--deep` adds `figure8` (a 4th term: the leader of term 4 must not commit its term-2 entry by
 * counting replicas, Figure 8 of the paper): 6,618,314 states, a minute on its own.
 * `npm run mutants -- --default` runs every catalog mutant through these passes and says which
 * pass catches it. Any other flag runs one pass with exactly those flags (every feature on unless
 * turned off).
 *
 * The exit code is the worst of the passes' (1 violation, then 3 incomplete or vacuous, then 2,
 * else 0). SIGINT and SIGTERM sent to this process reach every running pass; passes not yet
 * started are not started.
 */
export interface Pass {
  readonly name: string;
  readonly flags: readonly string[];
  /** What the pass is for: the bugs it exists to show. */
  readonly why: string;
  /** Its distinct states on the correct core, measured: what the passes are ordered by. */
  readonly states: number;
}

const PLAIN = ['--no-prevote', '--no-check-quorum'];

export const DEFAULT_PASSES: readonly Pass[] = [
  { name: 'crashes', flags: [...PLAIN], why: 'crashes mid-step and restarts, snapshots and InstallSnapshot', states: 3_430_195 },
  { name: 'terms', flags: ['--max-term', '3', '--max-commands', '3', '--max-crashes', '0', '--max-snapshots', '0', ...PLAIN], why: '3 terms and 3 client commands', states: 3_190_897 },
  {
    name: 'stale',
    flags: ['--max-term', '3', '--max-log', '1', '--max-commands', '1', '--max-crashes', '0', '--max-messages', '3', '--max-snapshots', '0', '--no-crash-mid-step', '--max-depth', '19', ...PLAIN],
    why: 'late replies from an older term (3 messages in flight, 3 terms)',
    states: 529_931,
  },
  { name: 'options', flags: ['--max-crashes', '0', '--max-snapshots', '0'], why: 'PreVote and CheckQuorum', states: 479_433 },
  {
    name: 'servers4',
    flags: ['--servers', '4', '--max-log', '1', '--max-commands', '1', '--max-crashes', '0', '--max-messages', '3', '--max-snapshots', '0', '--no-crash-mid-step', ...PLAIN, '--liveness'],
    why: 'an even cluster: majorities of 4; liveness: from every state a leader can be elected and a pending command commit',
    states: 298_872,
  },
  {
    name: 'messages',
    flags: ['--max-crashes', '0', '--max-messages', '3', '--no-crash-mid-step', '--max-depth', '18', ...PLAIN],
    why: 'reordered and duplicated replication (3 messages in flight) with a snapshot',
    states: 280_670,
  },
];

export const DEEP_PASSES: readonly Pass[] = [
  ...DEFAULT_PASSES,
  { name: 'figure8', flags: ['--max-term', '4', '--max-log', '1', '--max-crashes', '0', '--max-snapshots', '0', ...PLAIN], why: 'a 4th term: Figure 8 (commit of an earlier term by counting)', states: 6_618_314 },
];

/**
 * Membership change is off in the default check (no pass above makes a change), and on in its
 * two named bounds (named-bounds.ts): `npm run mutants -- --default` tries a membership mutant
 * (one whose catalog bounds make changes) on these, smallest first.
 */
export const MEMBERSHIP_PASSES: readonly Pass[] = [
  { name: 'membership', flags: NAMED_BOUNDS['--membership']!.flags, why: NAMED_BOUNDS['--membership']!.why, states: 375_142 },
  { name: 'membership-join', flags: NAMED_BOUNDS['--membership-join']!.flags, why: NAMED_BOUNDS['--membership-join']!.why, states: 519_062 },
];

/** Worst first: a violation outranks an incomplete or vacuous run, which outranks bad input. */
const SEVERITY = [1, 3, 2];

export function worstExitCode(codes: readonly number[]): number {
  for (const c of SEVERITY) if (codes.includes(c)) return c;
  return codes.find((c) => c !== 0) ?? 0;
}

/** `passes` by their states, the largest first (`ascending`: the smallest first). */
export function bySize(passes: readonly Pass[], ascending = false): Pass[] {
  return [...passes].sort((a, b) => (ascending ? a.states - b.states : b.states - a.states));
}

/** Runs `run` on every item, `slots` at a time, in order, until `stop()`; the results by index (null: not run). */
export async function inSlots<T, R>(items: readonly T[], slots: number, run: (item: T) => Promise<R>, stop: () => boolean = () => false): Promise<(R | null)[]> {
  const results: (R | null)[] = items.map(() => null);
  let next = 0;
  const slot = async (): Promise<void> => {
    while (!stop() && next < items.length) {
      const i = next++;
      results[i] = await run(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(slots, items.length) }, slot));
  return results;
}

/** How many passes run at once: one per core, at most 2 (the set was sized for 2 cores). */
export function passSlots(cores = availableParallelism()): number {
  return Math.max(1, Math.min(2, cores));
}

interface Outcome {
  readonly pass: Pass;
  readonly code: number;
  readonly seconds: number;
  /** The pass's last summary line (OK: ..., VIOLATION: ..., INCOMPLETE: ...), if it printed one. */
  readonly verdict: string;
}

/**
 * Runs `passes` as child processes of this same entry point, `passSlots()` at a time, in order;
 * resolves to the worst exit code.
 */
export async function runDefaultPasses(entry: string, given: readonly Pass[] = DEFAULT_PASSES): Promise<number> {
  const passes = bySize(given);
  const width = Math.max(...passes.map((p) => p.name.length));
  const root = runDirectory(undefined, 'default'); // reports/<time>-default, a subfolder per pass
  const slots = passSlots();
  process.stderr.write(`check: the default check, ${passes.length} passes, ${slots} at a time: ${passes.map((p) => `${p.name} (${p.why})`).join('; ')}\n`);
  const running = new Set<ReturnType<typeof spawn>>();
  let stopping = false;
  const forward = (signal: NodeJS.Signals): void => {
    stopping = true;
    for (const c of running) c.kill(signal);
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  const runOne = (pass: Pass): Promise<Outcome> => new Promise((resolve) => {
    const started = Date.now();
    const label = `[${pass.name.padEnd(width)}] `;
    // Levels as objects: each pass holds at most a few million states, and packing costs 1.2x the time.
    const child = spawn(process.execPath, [...process.execArgv, entry, ...pass.flags, '--no-pack', '--out', join(root, pass.name)], { stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    let verdict = '';
    const seen = (line: string): void => { if (/^(OK|VIOLATION|INCOMPLETE|VACUOUS|INTERRUPTED)\b/.test(line)) verdict = line.trim(); };
    prefixLines(child.stdout, process.stdout, label, seen);
    prefixLines(child.stderr, process.stderr, label, seen);
    const finish = (code: number): void => {
      running.delete(child);
      resolve({ pass, code, seconds: (Date.now() - started) / 1000, verdict });
    };
    child.on('error', (e) => { process.stderr.write(`${label}check: could not start the pass: ${e.message}\n`); finish(2); });
    child.on('close', (code, signal) => finish(code ?? 3));
  });
  const startedAt = Date.now();
  const outcomes = await inSlots(passes, slots, runOne, () => stopping);
  process.off('SIGINT', forward);
  process.off('SIGTERM', forward);
  const codes = outcomes.map((o) => (o === null ? 3 : o.code)); // a pass never started: not checked
  const worst = worstExitCode(codes);
  process.stdout.write(`default check, ${((Date.now() - startedAt) / 1000).toFixed(1)} s:\n`);
  passes.forEach((p, i) => {
    const o = outcomes[i] ?? null;
    process.stdout.write(`  ${p.name.padEnd(width)}  ${o === null ? 'not run (interrupted)' : `exit ${o.code}  ${o.seconds.toFixed(1).padStart(5)} s  ${o.verdict}`}\n`);
  });
  process.stdout.write(`default check: ${worst === 0 ? 'OK' : `exit ${worst}`}\n`);
  return worst;
}

/** Copies `from` to `to` line by line, each line prefixed (a progress line ending in \r included). */
function prefixLines(from: NodeJS.ReadableStream, to: NodeJS.WritableStream, label: string, onLine: (line: string) => void): void {
  let pending = '';
  from.setEncoding('utf8');
  from.on('data', (chunk: string) => {
    pending += chunk;
    let at: number;
    while ((at = pending.search(/[\r\n]/)) >= 0) {
      const line = pending.slice(0, at + 1);
      onLine(line);
      to.write(label + line);
      pending = pending.slice(at + 1);
    }
  });
  from.on('end', () => { if (pending !== '') { onLine(pending); to.write(`${label}${pending}\n`); } });
}
