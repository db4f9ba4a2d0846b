/**
 * Model-checker throughput and memory on the Raft model: distinct and generated states per
 * second, bytes of peak RSS per distinct state (and, apart, in the fingerprint set and the parent
 * links), at the reference bound and at a bound about 5x larger, at 1 and 2 workers, as medians
 * over runs; and the 2-worker speed-up over 1. A script, not a test: no assertion on time.
 *
 *   npm run bench                       (after bench/core-step.ts)
 *   npx tsx bench/model.ts [--runs 3] [--time-limit 120] [--bounds default,x5] [--workers 1,2]
 *                          [--pack on] [--memo on] [--por auto] [--symmetry off]
 *
 * The reference bound ('default'): 3 servers, max term 2, max log 2, 2 client commands, 1 crash
 * (mid-step crashes, drop and duplication on), at most 2 messages in flight, no snapshots, PreVote
 * and CheckQuorum off (as before they existed, so the figures compare across versions):
 * 1,504,204 distinct states (5,382,310 generated) with symmetry, explored exhaustively. 'x5': the
 * same with 3 messages in flight, stopped at 5x the reference's distinct states (7,521,020), so
 * that bytes per state are read at several million states. Every run is a fresh child process
 * (cold caches, fresh memo; peak RSS is the child's own, from getrusage), and the
 * configurations are interleaved run by run so that they see the same machine load. The load
 * average is printed before and after: the machine may be shared, read the figures with it.
 *
 * --pack on,off and --memo on,off add the configurations without packed levels or without the
 * step memo, side by side. --por: with partial-order reduction in the engine (ExploreOptions
 * .partialOrder, result.partialOrder), a 1-worker run with it per bound, and the reduction in
 * generated states over the run without; 'auto' (default) tries it once and leaves it out when
 * the engine has none, 'off' never.
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { explore } from '../model/engine/index.js';
import type { RaftAction } from '../model/raft/actions.js';
import { formatBounds, type Bounds } from '../model/raft/bounds.js';
import { createModel, type RaftModelOptions } from '../model/raft/model.js';
import type { SystemState } from '../model/raft/system.js';

const MODEL_MODULE = fileURLToPath(new URL('../model/raft/model.ts', import.meta.url));
const THIS_FILE = fileURLToPath(import.meta.url);

interface RunSpec {
  readonly options: RaftModelOptions;
  readonly workers: number;
  /** 0: no limit. */
  readonly maxStates: number;
  readonly timeLimitMs: number;
  readonly partialOrder: boolean;
}

interface RunFigures {
  readonly result: string;
  readonly stoppedBy: string | null;
  readonly distinct: number;
  readonly generated: number;
  readonly seconds: number;
  readonly setBytes: number;
  readonly linkBytes: number;
  readonly cpuSeconds: number;
  /** The child's peak resident set size (getrusage), all threads. */
  readonly peakRssBytes: number;
  /** Whether partial-order reduction ran; null when the engine's result has no such field. */
  readonly partialOrder: boolean | null;
}

/** Child mode: one run, its figures as one JSON line on stdout. */
async function child(spec: RunSpec): Promise<void> {
  const source = { module: MODEL_MODULE, options: spec.options };
  const cpu0 = process.cpuUsage();
  const r = await explore<SystemState, RaftAction>(source, {
    workers: spec.workers,
    ...(spec.maxStates > 0 ? { maxStates: spec.maxStates } : {}),
    timeLimitMs: spec.timeLimitMs,
    ...(spec.partialOrder ? { partialOrder: true } : {}),
  });
  const cpu = process.cpuUsage(cpu0);
  const por = (r as { partialOrder?: unknown }).partialOrder;
  const figures: RunFigures = {
    result: r.result,
    stoppedBy: r.stoppedBy ?? null,
    distinct: r.distinctStates,
    generated: r.generatedStates,
    seconds: r.seconds,
    setBytes: r.fingerprintSetBytes,
    linkBytes: r.parentLinkBytes,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    partialOrder: typeof por === 'boolean' ? por : null,
  };
  if (r.workers !== spec.workers) throw new Error(`asked for ${spec.workers} workers, ran ${r.workers}: ${r.notes.join('; ')}`);
  process.stdout.write(JSON.stringify(figures) + '\n');
}

function runChild(spec: RunSpec): RunFigures {
  const out = spawnSync(process.execPath, [...process.execArgv, THIS_FILE, '--child', JSON.stringify(spec)], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (out.status !== 0) throw new Error(`bench run failed (${out.status}): ${out.stderr}`);
  const line = out.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as RunFigures;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');
const load = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');

/** The reference bound (1,504,204 states) and one about 5x larger, stopped at 5x the reference's states. */
const REFERENCE_STATES = 1_504_204;
function boundsOf(name: string, maxSnapshots: number): { bounds: Partial<Bounds>; maxStates: number } {
  const reference = {
    servers: 3, maxTerm: 2, maxLog: 2, maxCommands: 2, maxCrashes: 1, maxMessages: 2, maxSnapshots,
    duplicate: true, preVote: false, checkQuorum: false,
  };
  if (name === 'default') return { bounds: reference, maxStates: 0 };
  if (name === 'x5') return { bounds: { ...reference, maxMessages: 3 }, maxStates: 5 * REFERENCE_STATES };
  throw new RangeError(`--bounds: unknown bound '${name}' (default, x5)`);
}

interface Config {
  readonly bound: string;
  readonly workers: number;
  readonly pack: boolean;
  readonly memo: boolean;
  readonly partialOrder: boolean;
}

const label = (c: Config): string => `${c.bound} workers=${c.workers}${c.pack ? '' : ' unpacked'}${c.memo ? '' : ' no-memo'}${c.partialOrder ? ' por' : ''}`;

async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      child: { type: 'string' },
      runs: { type: 'string', default: '3' },
      'time-limit': { type: 'string', default: '120' },
      bounds: { type: 'string', default: 'default,x5' },
      'max-snapshots': { type: 'string', default: '0' },
      workers: { type: 'string', default: '1,2' },
      pack: { type: 'string', default: 'on' },
      memo: { type: 'string', default: 'on' },
      por: { type: 'string', default: 'auto' },
      symmetry: { type: 'string', default: 'on' },
    },
  });
  if (args.child !== undefined) return child(JSON.parse(args.child) as RunSpec);

  const symmetry = args.symmetry !== 'off';
  const runs = Number(args.runs);
  const onOff = (v: string): boolean[] => v.split(',').map((x) => x === 'on');
  const boundNames = args.bounds.split(',');
  let configs: Config[] = boundNames.flatMap((bound) => [
    ...args.workers.split(',').flatMap((w) =>
      onOff(args.pack).flatMap((pack) => onOff(args.memo).map((memo) => ({ bound, workers: Number(w), pack, memo, partialOrder: false }))),
    ),
    ...(args.por === 'off' ? [] : [{ bound, workers: 1, pack: true, memo: true, partialOrder: true }]),
  ]);
  for (const name of boundNames) {
    const { bounds, maxStates } = boundsOf(name, Number(args['max-snapshots']));
    const model = createModel({ bounds, symmetry });
    console.log(`bench/model ${name}: ${model.name}, ${formatBounds(model.bounds)}, symmetry=${symmetry ? 'on' : 'off'}${maxStates > 0 ? `, stopped at ${fmt(maxStates)} distinct states` : ''}`);
  }
  console.log(`each run: a fresh process, stopped at ${args['time-limit']} s at the latest; median of ${runs} runs, configurations interleaved`);
  console.log(`load average before: ${load()}`);

  const started = Date.now();
  const results = new Map<Config, RunFigures[]>(configs.map((c) => [c, []]));
  for (let run = 0; run < runs; run++) {
    for (const c of [...configs]) {
      const { bounds, maxStates } = boundsOf(c.bound, Number(args['max-snapshots']));
      const figures = runChild({
        options: { bounds, symmetry, memo: c.memo, pack: c.pack },
        workers: c.workers,
        maxStates,
        timeLimitMs: Number(args['time-limit']) * 1000,
        partialOrder: c.partialOrder,
      });
      if (c.partialOrder && figures.partialOrder !== true) {
        // The engine has no partial-order reduction (or it did not run): leave the configuration out.
        if (args.por === 'auto') {
          configs = configs.filter((x) => x !== c);
          results.delete(c);
          process.stderr.write(`  ${label(c)}: partial-order reduction did not run (${figures.partialOrder === null ? 'the engine has none' : 'not for this model'}); left out\n`);
          continue;
        }
      }
      results.get(c)!.push(figures);
      process.stderr.write(
        `  run ${run + 1}/${runs} ${label(c)}: ${fmt(figures.distinct)} distinct in ${figures.seconds.toFixed(1)} s ` +
          `(${fmt(figures.distinct / figures.seconds)}/s, ${fmt(figures.peakRssBytes / 2 ** 20)} MiB peak, ${figures.result}${figures.stoppedBy ? ` by ${figures.stoppedBy}` : ''}) load ${load()}\n`,
      );
    }
  }

  const med = (c: Config, f: (r: RunFigures) => number): number => median(results.get(c)!.map(f));
  const rate = (r: RunFigures): number => r.distinct / r.seconds;
  const find = (c: Config, change: Partial<Config>): Config | undefined =>
    configs.find((x) => x.bound === c.bound && x.workers === (change.workers ?? c.workers) && x.pack === (change.pack ?? c.pack) && x.memo === (change.memo ?? c.memo) && x.partialOrder === (change.partialOrder ?? c.partialOrder));
  const header = ['bound', 'workers', 'pack', 'memo', 'por', 'distinct/s', 'generated/s', 'speed-up', 'distinct', 'generated', 'seconds', 'cpu s', 'RSS B/state', 'set B/state', 'links B/state', 'POR reduction', 'ended'];
  const rows = configs.map((c) => {
    const rs = results.get(c)!;
    const last = rs[rs.length - 1]!;
    const one = find(c, { workers: 1 });
    const plain = find(c, { partialOrder: false });
    return [
      c.bound,
      String(c.workers),
      c.pack ? 'on' : 'off',
      c.memo ? 'on' : 'off',
      c.partialOrder ? 'on' : 'off',
      fmt(med(c, rate)),
      fmt(med(c, (r) => r.generated / r.seconds)),
      // Distinct states/s over the same configuration at 1 worker.
      one !== undefined && c.workers !== 1 ? `${(med(c, rate) / med(one, rate)).toFixed(2)}x` : '',
      fmt(med(c, (r) => r.distinct)),
      fmt(med(c, (r) => r.generated)),
      med(c, (r) => r.seconds).toFixed(1),
      med(c, (r) => r.cpuSeconds).toFixed(1),
      med(c, (r) => r.peakRssBytes / r.distinct).toFixed(1),
      med(c, (r) => r.setBytes / r.distinct).toFixed(1),
      med(c, (r) => r.linkBytes / r.distinct).toFixed(1),
      // Generated states without the reduction over with it, at the same bound and limit.
      c.partialOrder && plain !== undefined
        ? `${(med(plain, (r) => r.generated) / med(c, (r) => r.generated)).toFixed(2)}x gen, ${(med(plain, (r) => r.seconds) / med(c, (r) => r.seconds)).toFixed(2)}x time`
        : '',
      last.stoppedBy ?? last.result,
    ];
  });
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j]!.length)));
  const line = (cells: readonly string[]): string => '| ' + cells.map((x, j) => x.padStart(widths[j]!)).join(' | ') + ' |';
  console.log('');
  console.log(line(header));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const r of rows) console.log(line(r));
  console.log('');
  console.log(`load average after: ${load()}; the runs took ${((Date.now() - started) / 1000).toFixed(0)} s`);
  console.log('speed-up: distinct states/s over the same bound at 1 worker (needs as many free cores as workers);');
  console.log('RSS B/state: the run\'s peak resident set size (getrusage, every thread) over its distinct states;');
  console.log('set B/state: the fingerprint set\'s buffer over distinct states (8 B a slot, at most 80% full, grown 1.5x);');
  console.log('links B/state: parent links (4 B parent + 2 B action a state, in arrays grown 2x), kept apart from the set;');
  console.log('POR reduction: generated states, and seconds, without partial-order reduction over with it (1 worker, same bound and limit; sleep sets keep the distinct states).');
}

await main();
