/**
 * The lab suite in the simulated world (src/runtime/sim/world.ts: virtual clock, one seeded
 * random source, the simulated network), over many seeds.
 *
 *   npx tsx scripts/sim.ts --seeds 100            seeds 1..100, every test
 *   npx tsx scripts/sim.ts --seeds 50 --from 1000 seeds 1000..1049
 *   npx tsx scripts/sim.ts --seed 17 --test TestFigure8Unreliable2C --verbose   replay one run
 *   npx tsx scripts/sim.ts --seeds 5 --replay-check   run each twice, compare fingerprints
 *   npx tsx scripts/sim.ts --seeds 20 --max-entries-per-append 2   the core capping each AppendEntries
 *
 * Every timer, network fault and test choice of a run comes from its seed, so a failure
 * printed here replays exactly with --seed and --test. --help prints the flags; a bad one is one
 * line and exit 2.
 */
import { parseArgs } from 'node:util';
import { RUNTIME_STEP_CONFIG } from '../src/runtime/index.js';
import { envFor, runLabTest } from '../test/lab/harness/runner.js';
import { LAB_2A } from '../test/lab/suite/lab2A.js';
import { LAB_2B } from '../test/lab/suite/lab2B.js';
import { LAB_2C } from '../test/lab/suite/lab2C.js';
import { LAB_2D } from '../test/lab/suite/lab2D.js';
import type { LabTest } from '../test/lab/suite/labTest.js';

const USAGE = `usage: npm run sim -- [flags]    (or npx tsx scripts/sim.ts [flags])
  --seeds N                    runs seeds FROM..FROM+N-1 (default 10)
  --from S                     the first seed (default 1)
  --seed S                     one seed only (instead of --seeds/--from)
  --test NAME                  only the tests whose name contains NAME (repeatable; default: all 21)
  --verbose                    every test's log lines and outcome
  --replay-check               run each test twice per seed and compare the fingerprints
  --max-entries-per-append N   the core caps each AppendEntries at N entries
exit: 0 no failure; 1 a test failed (each with the command that replays it); 2 bad flags`;

/** Bad input: one line on stderr, exit 2. */
function usageError(message: string): never {
  console.error(`sim: ${message} (see --help)`);
  process.exit(2);
}

const OPTIONS = {
  help: { type: 'boolean', short: 'h', default: false },
  seeds: { type: 'string' },
  from: { type: 'string' },
  seed: { type: 'string' },
  test: { type: 'string', multiple: true },
  verbose: { type: 'boolean', default: false },
  'replay-check': { type: 'boolean', default: false },
  'max-entries-per-append': { type: 'string' },
} as const;

function parse(): ReturnType<typeof parseArgs<{ options: typeof OPTIONS; strict: true; allowPositionals: false }>>['values'] {
  try {
    return parseArgs({ options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (e) {
    // parseArgs' messages name the flag ("Unknown option '--x'", "Option '--seeds <value>' argument missing").
    return usageError(e instanceof Error ? e.message.split('\n')[0]!.replace(/\. To specify a positional argument.*$/, '') : String(e));
  }
}

const values = parse();
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

/** A whole number >= min, or exit 2 naming the flag. */
function wholeNumber(flag: string, text: string, min: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min) usageError(`${flag} must be a whole number >= ${min}, got '${text}'`);
  return n;
}

const cap = values['max-entries-per-append'];
const stepConfig = cap === undefined ? undefined : { ...RUNTIME_STEP_CONFIG, maxEntriesPerAppend: wholeNumber('--max-entries-per-append', cap, 1) };
if (values.seed !== undefined && (values.seeds !== undefined || values.from !== undefined)) usageError('--seed runs one seed: give it without --seeds and --from');

const ALL: readonly LabTest[] = [...LAB_2A, ...LAB_2B, ...LAB_2C, ...LAB_2D];
const filters = values.test ?? [];
const tests = filters.length === 0 ? ALL : ALL.filter((t) => filters.some((f) => t.name.includes(f)));
if (tests.length === 0) usageError(`no test name contains ${filters.map((f) => `'${f}'`).join(' or ')}`);
const seeds: number[] = values.seed !== undefined
  ? [wholeNumber('--seed', values.seed, 0)]
  : Array.from({ length: wholeNumber('--seeds', values.seeds ?? '10', 1) }, (_, i) => wholeNumber('--from', values.from ?? '1', 0) + i);

interface Outcome {
  readonly fingerprint: string;
  readonly error: string | null;
  readonly wallMs: number;
  readonly cpuMs: number;
}

async function runOnce(test: LabTest, seed: number): Promise<Outcome> {
  const log = values.verbose ? (line: string) => console.log(`  [${test.name} seed ${seed}] ${line}`) : undefined;
  const env = envFor(test, 'sim', seed, log, stepConfig);
  const wall0 = performance.now();
  const cpu0 = process.cpuUsage();
  let error: string | null = null;
  try {
    await runLabTest(test, env);
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  }
  const cpu = process.cpuUsage(cpu0);
  return { fingerprint: env.fingerprint(), error, wallMs: performance.now() - wall0, cpuMs: (cpu.user + cpu.system) / 1000 };
}

const failures: string[] = [];
const perTest = new Map<string, { runs: number; fails: number; wallMs: number; cpuMs: number }>();
const wall0 = performance.now();
const cpu0 = process.cpuUsage();
console.log(`lab suite, simulated: ${tests.length} tests x ${seeds.length} seeds (${seeds[0]}..${seeds[seeds.length - 1]})`);

for (const seed of seeds) {
  const line: string[] = [];
  for (const test of tests) {
    const outcome = await runOnce(test, seed);
    const stats = perTest.get(test.name) ?? { runs: 0, fails: 0, wallMs: 0, cpuMs: 0 };
    perTest.set(test.name, stats);
    stats.runs++;
    stats.wallMs += outcome.wallMs;
    stats.cpuMs += outcome.cpuMs;
    if (outcome.error !== null) {
      stats.fails++;
      failures.push(`seed ${seed} ${test.name}: ${outcome.error}\n    replay: npx tsx scripts/sim.ts --seed ${seed} --test ${test.name} --verbose`);
      line.push(`FAIL ${test.name}`);
    }
    if (values['replay-check']) {
      const again = await runOnce(test, seed);
      if (again.fingerprint !== outcome.fingerprint || again.error !== outcome.error) {
        failures.push(`seed ${seed} ${test.name}: replay differs: ${outcome.fingerprint} vs ${again.fingerprint}`);
        line.push(`NONDETERMINISTIC ${test.name}`);
      }
    }
    if (values.verbose) console.log(`  ${test.name} seed ${seed}: ${outcome.error ?? 'ok'} (${outcome.fingerprint}, ${outcome.wallMs.toFixed(0)} ms wall)`);
  }
  console.log(`seed ${seed}: ${line.length === 0 ? 'ok' : line.join(', ')}`);
}

const cpu = process.cpuUsage(cpu0);
console.log('\nper test: runs, failures, mean wall ms, mean cpu ms');
for (const [name, s] of perTest) {
  console.log(`  ${name.padEnd(28)} ${String(s.runs).padStart(4)} ${String(s.fails).padStart(4)} ${(s.wallMs / s.runs).toFixed(0).padStart(7)} ${(s.cpuMs / s.runs).toFixed(0).padStart(7)}`);
}
console.log(`\ntotal: ${((performance.now() - wall0) / 1000).toFixed(1)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s cpu`);
if (failures.length > 0) {
  console.log(`\n${failures.length} failure(s):`);
  for (const f of failures) console.log(`  ${f}`);
  process.exitCode = 1;
} else {
  console.log('no failures');
}
