import { type Bounds, CONFIG_CHANGE_KINDS, type ConfigChangeKind, DEFAULT_BOUNDS, validateBounds } from '../raft/bounds.js';
import { expandNamedBounds } from './named-bounds.js';
import { INVARIANTS } from '../raft/invariants.js';
import { availableParallelism } from 'node:os';
import { RANDOM_BOUNDS } from '../random/random-check.js';

/** What `npm run check -- [flags]` was asked to do. */
export interface CheckConfig {
  readonly mode: 'exhaustive' | 'random' | 'replay' | 'list-mutants' | 'help';
  readonly bounds: Bounds;
  readonly symmetry: boolean;
  readonly workers: number;
  readonly strategy: 'bfs' | 'dfs';
  readonly maxStates?: number;
  /** A bound on the search: behaviours of at most this many steps (states deeper are not explored). */
  readonly maxDepth?: number;
  readonly timeLimitSeconds?: number;
  readonly json: boolean;
  readonly memo: boolean;
  /** Keep BFS levels as packed bytes (less memory, about 1.2x the CPU a state); --no-pack keeps objects. */
  readonly pack: boolean;
  /** Partial-order reduction (sleep sets, engine/por.ts): --por on|off, off by default. */
  readonly partialOrder: boolean;
  /** Also check the model's recoverability (liveness) properties (BFS, 1 worker). */
  readonly liveness: boolean;
  readonly mutant?: string;
  /** The bound flags as given (e.g. `--servers 4 --no-drop`), to repeat in a replay line. */
  readonly boundFlags: readonly string[];
  readonly replay?: string;
  readonly dumpGraph?: string;
  readonly out?: string;
  // randomized checker
  readonly runs?: number;
  readonly depth?: number;
  readonly seed?: number;
  readonly path?: string;
  /** --time: how long the default (timed) random run lasts, in seconds. */
  readonly timeSeconds?: number;
  /** One line each, printed before the run (e.g. more workers than cores). */
  readonly warnings: readonly string[];
}

/** A bad command line: the CLI prints the message on one line and exits 2. */
export class UsageError extends Error {}

export const USAGE = `usage: npm run check -- [flags]
  (no flags: the default check, 6 passes two at a time; --deep alone: those and a 4-term pass)
  bounds:   --servers N (3) --max-term N (2) --max-log N (2) --max-commands N (2)
            --max-crashes N (1) --max-messages N (2) --max-snapshots N (1) --no-drop --dup|--no-dup (off) --no-crash-mid-step
            --max-entries-per-append N (the core's cap on entries per AppendEntries; none)
  membership: --max-config-changes N (0: none) --config-changes AddLearner,PromoteLearner,RemoveServer (all)
            --initial-voters K (s0..s(K-1) start as the voters, the others outside; all; symmetry off when K < servers)
            --membership | --membership-join (named bounds: a leader removes itself; a server joins)
  core:     --no-prevote --no-check-quorum (StepConfig.preVote and .checkQuorum, both on by default;
            a --mutant runs the options it was written for)
  search:   --symmetry | --no-symmetry (on) --workers N (1) --strategy bfs|dfs (bfs)
            --max-depth N (every behaviour of at most N steps: a bound, reported as such)
            --max-states N --time-limit SECONDS --no-memo --no-pack (levels as objects: faster, 2-3x the memory)
            --por on|off (off; partial-order reduction, one thread)
            --liveness (also: from every state a leader can be elected and a pending command commit; BFS, 1 worker)
            --skip NAME[,NAME] (leave these invariants unchecked: to see what a bug does past the rule it breaks)
  random:   --random [--time S (30)] [--runs N] [--depth D (300)] [--seed S (32-bit signed)] [--path P] [--time-limit SECONDS]
            (without --runs it runs for --time seconds; bounds flags apply; random defaults: 5 servers,
            max-term 10, max-log 20, 6 crashes; prints its seed on its first line)
  other:    --mutant NAME | --mutant list   --replay reports/<run>/trace.json
            --dump-graph FILE.dot (tiny bounds only)   --out DIR   --json   --help
exit: 0 all invariants held and every goal reached; 1 violation; 2 bad arguments;
      3 incomplete (a limit, Ctrl-C or SIGTERM stopped the search), vacuous (a goal was never reached)
        or an internal error (a bug: the check did not complete)`;

/** The bounds set by a number (the others: switches, --skip and --config-changes). */
type NumberBound = Exclude<keyof Bounds, 'skipInvariants' | 'configChanges'>;

const BOUND_FLAGS: Record<string, NumberBound> = {
  '--servers': 'servers',
  '--max-term': 'maxTerm',
  '--max-log': 'maxLog',
  '--max-commands': 'maxCommands',
  '--max-crashes': 'maxCrashes',
  '--max-messages': 'maxMessages',
  '--max-snapshots': 'maxSnapshots',
  '--max-entries-per-append': 'maxEntriesPerAppend',
  '--max-config-changes': 'maxConfigChanges',
  '--initial-voters': 'initialVoters',
};

function integer(flag: string, raw: string | undefined, min = Number.MIN_SAFE_INTEGER): number {
  if (raw === undefined || raw.startsWith('--')) throw new UsageError(`${flag} needs a value`);
  if (!/^-?\d+$/.test(raw)) throw new UsageError(`${flag} must be an integer, got '${raw}'`);
  const n = Number(raw);
  if (n < min) throw new UsageError(`${flag} must be at least ${min}, got ${n}`);
  return n;
}

/** fast-check's seeds are 32-bit signed integers; a larger one would be silently truncated, replaying another run. */
export const SEED_MIN = -0x8000_0000;
export const SEED_MAX = 0x7fff_ffff;

function text(flag: string, raw: string | undefined): string {
  if (raw === undefined || raw.startsWith('--') || raw === '') throw new UsageError(`${flag} needs a value`);
  return raw;
}

export function parseArgs(argv: readonly string[]): CheckConfig {
  // Only the bounds given on the command line; the mode's defaults fill in the rest at the end.
  const bounds: Partial<Record<NumberBound, number | boolean>> = {};
  let skipInvariants: readonly string[] | undefined;
  let configChanges: readonly ConfigChangeKind[] | undefined;
  const c: { -readonly [K in keyof CheckConfig]: CheckConfig[K] } = {
    mode: 'exhaustive', bounds: DEFAULT_BOUNDS, symmetry: true, workers: 1, strategy: 'bfs', json: false, memo: true, pack: true, partialOrder: false, liveness: false, warnings: [], boundFlags: [],
  };
  const args = expandNamedBounds(argv.flatMap((a) => (a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a])));
  const given = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const flag = args[i]!;
    const value = (): string | undefined => args[++i];
    // As in `pure-raft node`: a flag given twice is a mistake to point out, not "last wins".
    if (flag.startsWith('--') && given.has(flag)) throw new UsageError(`${flag} is given twice`);
    given.add(flag);
    const bound = BOUND_FLAGS[flag];
    if (bound) {
      bounds[bound] = integer(flag, value());
      c.boundFlags = [...c.boundFlags, flag, args[i]!];
      continue;
    }
    const switched = SWITCH_FLAGS[flag];
    if (switched) {
      bounds[switched[0]] = switched[1];
      c.boundFlags = [...c.boundFlags, flag];
      continue;
    }
    switch (flag) {
      case '--symmetry': c.symmetry = true; break;
      case '--no-symmetry': c.symmetry = false; break;
      case '--no-memo': c.memo = false; break;
      case '--no-pack': c.pack = false; break;
      case '--por': {
        const s = text(flag, value());
        if (s !== 'on' && s !== 'off') throw new UsageError(`--por must be on or off, got '${s}'`);
        c.partialOrder = s === 'on';
        break;
      }
      case '--liveness': c.liveness = true; break;
      case '--skip': {
        const names = text(flag, value()).split(',');
        const unknown = names.find((n) => !INVARIANTS.some((i) => i.name === n));
        if (unknown !== undefined) throw new UsageError(`--skip: no invariant is named '${unknown}' (see the README's list)`);
        skipInvariants = names;
        c.boundFlags = [...c.boundFlags, flag, args[i]!];
        break;
      }
      case '--config-changes': {
        const names = text(flag, value()).split(',');
        const unknown = names.find((n) => !(CONFIG_CHANGE_KINDS as readonly string[]).includes(n));
        if (unknown !== undefined) throw new UsageError(`--config-changes: no change is named '${unknown}' (they are ${CONFIG_CHANGE_KINDS.join(', ')})`);
        configChanges = names as ConfigChangeKind[];
        c.boundFlags = [...c.boundFlags, flag, args[i]!];
        break;
      }
      case '--workers': c.workers = integer(flag, value(), 1); break;
      case '--strategy': {
        const s = text(flag, value());
        if (s !== 'bfs' && s !== 'dfs') throw new UsageError(`--strategy must be bfs or dfs, got '${s}'`);
        c.strategy = s;
        break;
      }
      case '--max-states': c.maxStates = integer(flag, value(), 1); break;
      case '--max-depth': c.maxDepth = integer(flag, value(), 1); break;
      case '--time-limit': c.timeLimitSeconds = integer(flag, value(), 1); break;
      case '--json': c.json = true; break;
      case '--mutant': c.mutant = text(flag, value()); break;
      case '--replay': c.replay = text(flag, value()); c.mode = 'replay'; break;
      case '--dump-graph': c.dumpGraph = text(flag, value()); break;
      case '--out': c.out = text(flag, value()); break;
      case '--random': c.mode = 'random'; break;
      case '--runs': c.runs = integer(flag, value(), 1); break;
      case '--time': c.timeSeconds = integer(flag, value(), 1); break;
      case '--depth': c.depth = integer(flag, value(), 1); break;
      case '--seed': {
        const seed = integer(flag, value());
        if (seed < SEED_MIN || seed > SEED_MAX) throw new UsageError(`--seed must be in ${SEED_MIN}..${SEED_MAX} (a 32-bit signed integer), got ${args[i]}`);
        c.seed = seed;
        break;
      }
      case '--path': { // its numbers are checked once --runs is known (below)
        // The shape fast-check prints (e.g. 12:0:3); anything else it rejects only mid-run.
        const path = text(flag, value());
        if (!/^\d+(:\d+)*$/.test(path)) throw new UsageError(`--path must be the replay path as printed: numbers separated by colons (e.g. 12:0:3), got '${path}'`);
        c.path = path;
        break;
      }
      case '--help': case '-h': c.mode = 'help'; break;
      case '--deep': throw new UsageError('--deep runs the default passes and one more: give it alone');
      default:
        throw new UsageError(flag.startsWith('-') ? `unknown flag ${flag}` : `unexpected argument '${flag}'`);
    }
  }
  if (c.mutant === 'list') c.mode = 'list-mutants';
  conflicts(c, given, Object.keys(bounds).length > 0 || skipInvariants !== undefined || configChanges !== undefined);
  if (c.workers > availableParallelism()) c.warnings = [`warning: --workers ${c.workers} is more than this machine's ${availableParallelism()} cores: the workers share them and the run is slower, not faster`];
  if (c.path !== undefined) checkPathRange(c.path, c.runs ?? DEFAULT_RANDOM_RUNS);
  if (c.path !== undefined && c.seed === undefined) throw new UsageError('--path needs the --seed it was printed with');
  if (c.mode !== 'random' && (c.runs !== undefined || c.depth !== undefined || c.seed !== undefined || c.path !== undefined || c.timeSeconds !== undefined)) {
    throw new UsageError('--runs, --depth, --seed, --path and --time go with --random');
  }
  if (c.workers > 1 && c.strategy === 'dfs') throw new UsageError('--workers > 1 needs --strategy bfs');
  if (c.liveness && (c.workers > 1 || c.strategy === 'dfs' || c.mode === 'random')) throw new UsageError('--liveness is checked by the exhaustive BFS in one thread: it takes neither --workers > 1, --strategy dfs nor --random');
  if (c.liveness && c.partialOrder) throw new UsageError('--liveness needs every edge of the state graph: it does not go with --por on');
  try {
    c.bounds = validateBounds({
      ...(c.mode === 'random' ? RANDOM_BOUNDS : DEFAULT_BOUNDS), ...(bounds as Partial<Bounds>),
      ...(skipInvariants !== undefined ? { skipInvariants } : {}), ...(configChanges !== undefined ? { configChanges } : {}),
    });
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  // Servers that start outside are not interchangeable with the voters (model.ts turns symmetry off too).
  if (c.symmetry && c.bounds.initialVoters !== undefined && c.bounds.initialVoters < c.bounds.servers) {
    if (given.has('--symmetry')) throw new UsageError(`--symmetry: servers s${c.bounds.initialVoters}.. start outside the configuration (--initial-voters ${c.bounds.initialVoters}), so servers are not interchangeable`);
    c.symmetry = false;
  }
  return c;
}

/** Flags that cannot mean anything together: one line, exit 2, rather than one of them quietly ignored. */
function conflicts(c: CheckConfig, given: ReadonlySet<string>, boundsGiven: boolean): void {
  const both = (a: string, b: string): boolean => given.has(a) && given.has(b);
  if (both('--random', '--replay')) throw new UsageError('--random and --replay cannot be given together: --replay re-runs one trace file, --random searches');
  if (c.mode === 'replay') {
    if (boundsGiven) throw new UsageError('--replay takes its bounds from the trace file: give no bounds flags with it');
    const search = ['--workers', '--strategy', '--max-states', '--time-limit', '--mutant', '--dump-graph', '--symmetry', '--no-symmetry', '--no-memo', '--json'].find((f) => given.has(f));
    if (search !== undefined) throw new UsageError(`--replay takes nothing but the trace file: ${search} does not apply`);
  }
  if (c.mode === 'random') {
    const search = ['--workers', '--strategy', '--max-states', '--dump-graph', '--symmetry', '--no-symmetry', '--no-memo'].find((f) => given.has(f));
    if (search !== undefined) throw new UsageError(`${search} is for the exhaustive search, not --random (which runs in one thread)`);
    if (both('--time', '--runs')) throw new UsageError('--time runs for a time, --runs for a number of runs: give one');
    if (both('--time', '--time-limit')) throw new UsageError('--time already says how long --random runs: drop --time-limit');
  }
}

/** random.ts's default --runs (the usage says 200). */
const DEFAULT_RANDOM_RUNS = 200;

/** The flags that switch a fault or a core option on or off: the bound each sets, and to what. */
const SWITCH_FLAGS: Readonly<Record<string, readonly [NumberBound, boolean]>> = {
  '--no-drop': ['drop', false],
  '--no-dup': ['duplicate', false],
  '--dup': ['duplicate', true],
  '--no-crash-mid-step': ['crashMidStep', false],
  '--no-prevote': ['preVote', false],
  '--no-check-quorum': ['checkQuorum', false],
};

/**
 * fast-check replays a path by running up to its first number (the run index) and then walking
 * the shrink tree: a huge first number spins for ever, a number past 2^53 never matches. So the
 * run index must be below --runs and every number a safe integer.
 */
function checkPathRange(path: string, runs: number): void {
  const parts = path.split(':');
  const unsafe = parts.find((part) => !Number.isSafeInteger(Number(part)));
  if (unsafe !== undefined) throw new UsageError(`--path ${path}: ${unsafe} is not a safe integer`);
  if (Number(parts[0]) >= runs) throw new UsageError(`--path ${path}: its first number (the run index, ${parts[0]}) must be below --runs (${runs})`);
}
