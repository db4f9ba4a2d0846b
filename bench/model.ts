/**
 * Model-checker throughput on the Raft model: distinct and generated states per second, bytes
 * per state in the fingerprint set and in the parent links, at 1 and 2 workers, with the step
 * memo on and off, as medians over runs. A script, not a test: no assertion on time.
 *
 *   npm run bench                       (after bench/core-step.ts)
 *   npx tsx bench/model.ts [--runs 3] [--time-limit 60] [--max-states N] [--max-messages 2] [--max-snapshots 0]
 *                          [--workers 1,2] [--memo on,off] [--symmetry off]
 *
 * The reference bound: 3 servers, max term 2, max log 2, 2 client commands, 1 crash (mid-step
 * crashes, drop and duplication on), at most 2 messages in flight, no snapshots (as before they
 * existed, so the figures compare across versions; --max-snapshots N adds them): 1,504,204 distinct states
 * (5,382,310 generated) with symmetry, explored exhaustively unless --time-limit (60 s) or
 * --max-states (none by default) stops the run first; states/s are reported either way (the
 * table's last column says how each run ended). Every run is a fresh child process (cold caches, fresh memo), and
 * the configurations are interleaved run by run so that they see the same machine load. The
 * load average is printed before and after: the machine is shared, read the figures with it.
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { explore } from '../model/engine/index.js';
import type { RaftAction } from '../model/raft/actions.js';
import { formatBounds } from '../model/raft/bounds.js';
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
}

/** Child mode: one run, its figures as one JSON line on stdout. */
async function child(spec: RunSpec): Promise<void> {
  const source = { module: MODEL_MODULE, options: spec.options };
  const cpu0 = process.cpuUsage();
  const r = await explore<SystemState, RaftAction>(source, {
    workers: spec.workers,
    ...(spec.maxStates > 0 ? { maxStates: spec.maxStates } : {}),
    timeLimitMs: spec.timeLimitMs,
  });
  const cpu = process.cpuUsage(cpu0);
  const figures: RunFigures = {
    result: r.result,
    stoppedBy: r.stoppedBy ?? null,
    distinct: r.distinctStates,
    generated: r.generatedStates,
    seconds: r.seconds,
    setBytes: r.fingerprintSetBytes,
    linkBytes: r.parentLinkBytes,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
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

async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      child: { type: 'string' },
      runs: { type: 'string', default: '3' },
      'time-limit': { type: 'string', default: '60' },
      'max-states': { type: 'string', default: '0' },
      'max-messages': { type: 'string', default: '2' },
      'max-snapshots': { type: 'string', default: '0' },
      workers: { type: 'string', default: '1,2' },
      memo: { type: 'string', default: 'on,off' },
      symmetry: { type: 'string', default: 'on' },
    },
  });
  if (args.child !== undefined) return child(JSON.parse(args.child) as RunSpec);

  // The reference bound of before snapshots and the options (1,504,204 states), pinned so the
  // figures compare across versions: duplication on, PreVote and CheckQuorum off, no snapshots.
  const bounds = {
    servers: 3, maxTerm: 2, maxLog: 2, maxCommands: 2, maxCrashes: 1, maxMessages: Number(args['max-messages']), maxSnapshots: Number(args['max-snapshots']),
    duplicate: true, preVote: false, checkQuorum: false,
  };
  const symmetry = args.symmetry !== 'off';
  const runs = Number(args.runs);
  const configs = args.workers.split(',').flatMap((w) =>
    args.memo.split(',').map((m) => ({ workers: Number(w), memo: m === 'on' })),
  );
  const model = createModel({ bounds, symmetry });
  console.log(`bench/model: ${model.name}, ${formatBounds(model.bounds)}, symmetry=${symmetry ? 'on' : 'off'}`);
  const cap = Number(args['max-states']) > 0 ? `${fmt(Number(args['max-states']))} distinct states or ` : '';
  console.log(`each run: a fresh process, exhaustive unless stopped at ${cap}${args['time-limit']} s; median of ${runs} runs, configurations interleaved`);
  console.log(`load average before: ${load()}`);

  const results = configs.map(() => [] as RunFigures[]);
  for (let run = 0; run < runs; run++) {
    configs.forEach((c, i) => {
      const figures = runChild({
        options: { bounds, symmetry, memo: c.memo },
        workers: c.workers,
        maxStates: Number(args['max-states']),
        timeLimitMs: Number(args['time-limit']) * 1000,
      });
      results[i]!.push(figures);
      process.stderr.write(
        `  run ${run + 1}/${runs} workers=${c.workers} memo=${c.memo ? 'on' : 'off'}: ${fmt(figures.distinct)} distinct in ${figures.seconds.toFixed(1)} s ` +
          `(${fmt(figures.distinct / figures.seconds)}/s, ${figures.result}${figures.stoppedBy ? ` by ${figures.stoppedBy}` : ''}) load ${load()}\n`,
      );
    });
  }

  const header = ['workers', 'memo', 'distinct/s', 'generated/s', 'distinct', 'generated', 'seconds', 'cpu s', 'set B/state', 'links B/state', 'ended'];
  const rows = configs.map((c, i) => {
    const rs = results[i]!;
    const last = rs[rs.length - 1]!;
    return [
      String(c.workers),
      c.memo ? 'on' : 'off',
      fmt(median(rs.map((r) => r.distinct / r.seconds))),
      fmt(median(rs.map((r) => r.generated / r.seconds))),
      fmt(median(rs.map((r) => r.distinct))),
      fmt(median(rs.map((r) => r.generated))),
      median(rs.map((r) => r.seconds)).toFixed(1),
      median(rs.map((r) => r.cpuSeconds)).toFixed(1),
      median(rs.map((r) => r.setBytes / r.distinct)).toFixed(1),
      median(rs.map((r) => r.linkBytes / r.distinct)).toFixed(1),
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
  console.log(`load average after: ${load()}`);
  console.log('set B/state: the fingerprint set\'s buffer over distinct states (8 B a slot, at most 80% full, grown 1.5x);');
  console.log('links B/state: parent links (4 B parent + 2 B action a state, in arrays grown 2x), kept apart from the set.');
}

await main();
