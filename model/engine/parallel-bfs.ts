import { MessageChannel, type MessagePort, type Worker } from 'node:worker_threads';
import { FingerprintSet } from './fingerprint-set.js';
import type { Found, StopReason } from './level-expander.js';
import type { Limits } from './limits.js';
import type { Model, ModelSource } from './model.js';
import { ROOT, type LinkLookup } from './parent-links.js';
import {
  STAT_GENERATED,
  STAT_HEAP,
  STAT_QUEUE,
  STATS_WORDS,
  type FromWorker,
  type LevelReport,
  type ToWorker,
  type WorkerInit,
} from './parallel-protocol.js';
import { ProgressMeter } from './progress.js';
import { buildResult } from './result.js';
import { sibling, spawnTsWorker } from './spawn-worker.js';
import type { ExploreResult, Progress } from './types.js';

/** A worker with a request/reply channel; replies that arrive before they are awaited are queued. */
class WorkerHandle {
  private readonly inbox: FromWorker[] = [];
  private waiting: { resolve: (msg: FromWorker) => void; reject: (err: Error) => void } | null = null;
  private failure: Error | null = null;

  constructor(readonly worker: Worker) {
    worker.on('message', (msg: FromWorker) => {
      if (msg.type === 'failed') return this.fail(new Error(`worker failed: ${msg.message}`));
      const w = this.waiting;
      this.waiting = null;
      if (w === null) this.inbox.push(msg);
      else w.resolve(msg);
    });
    worker.on('error', (err) => this.fail(err));
    worker.on('exit', (code) => this.fail(new Error(`worker exited with code ${code}`)));
  }

  /** Resolves with the worker's next message (sending `msg` first, if given). */
  request(msg?: ToWorker): Promise<FromWorker> {
    return new Promise((resolve, reject) => {
      if (this.failure !== null) return reject(this.failure);
      if (msg !== undefined) this.worker.postMessage(msg);
      const queued = this.inbox.shift();
      if (queued !== undefined) return resolve(queued);
      this.waiting = { resolve, reject };
    });
  }

  private fail(err: Error): void {
    this.failure ??= err;
    const w = this.waiting;
    this.waiting = null;
    w?.reject(this.failure);
  }
}

async function reports(handles: readonly WorkerHandle[], msgs: (i: number) => ToWorker): Promise<LevelReport[]> {
  const replies = await Promise.all(handles.map((h, i) => h.request(msgs(i))));
  return replies.map((r) => {
    if (r.type !== 'report') throw new Error(`expected a level report, got ${r.type}`);
    return r;
  });
}

/** Below this many states of imbalance a level is not worth rebalancing. */
const MIN_MOVE = 64;

/**
 * Evens out the next level's shares: states stay with the worker that found them, so without
 * this one worker could hold the whole level (e.g. a single initial state's successors). Greedy:
 * each worker above the mean gives its surplus to those below, directly over their port.
 */
async function balance(handles: readonly WorkerHandle[], sizes: readonly number[]): Promise<void> {
  const mean = sizes.reduce((a, b) => a + b, 0) / sizes.length;
  const surplus = sizes.map((n) => Math.floor(n - mean));
  const moves: { from: number; to: number; count: number }[] = [];
  for (let from = 0; from < surplus.length; from++) {
    for (let to = 0; to < surplus.length && (surplus[from] ?? 0) >= MIN_MOVE; to++) {
      const count = Math.min(surplus[from] ?? 0, -(surplus[to] ?? 0));
      if (count < MIN_MOVE) continue;
      moves.push({ from, to, count });
      surplus[from] = (surplus[from] ?? 0) - count;
      surplus[to] = (surplus[to] ?? 0) + count;
    }
  }
  await Promise.all(
    moves.map(async ({ from, to, count }) => {
      const giver = handles[from];
      const taker = handles[to];
      if (giver === undefined || taker === undefined) return;
      const [gave, took] = await Promise.all([giver.request({ type: 'give', to, count }), taker.request()]);
      if (gave.type !== 'gave' || took.type !== 'took') throw new Error(`balance: unexpected ${gave.type}/${took.type}`);
    }),
  );
}

/** Keeps the shallowest find per name across workers (ties: the lower worker index). */
function merge(perWorker: readonly (readonly [string, Found][])[]): Map<string, Found> {
  const all = perWorker.flat().sort((a, b) => a[1].depth - b[1].depth);
  const out = new Map<string, Found>();
  for (const [name, found] of all) if (!out.has(name)) out.set(name, found);
  return out;
}

/**
 * Level-synchronous BFS over `workers` threads sharing one lock-free fingerprint set. Each level:
 * every worker expands its own share, inserting successors by compare-exchange; a worker whose
 * insert finds the set at its load limit defers the rest and reports 'full', and the coordinator
 * (this thread) grows the set between rounds. Shortest counterexamples as in the in-thread BFS.
 * Throws if a worker cannot start; explore() then falls back to the in-thread search.
 */
export async function parallelBfs<S, A, F>(
  model: Model<S, A, F>,
  source: ModelSource,
  workers: number,
  limits: Limits,
  onProgress?: (p: Progress) => void,
  notes: string[] = [],
): Promise<ExploreResult<S, A, F>> {
  let set = FingerprintSet.forExpected(Math.max(1 << 16, 2 * model.initialStates().length), true);
  const control = new SharedArrayBuffer(4);
  const stats = new SharedArrayBuffer(workers * STATS_WORDS * 8);
  const handles: WorkerHandle[] = [];
  const meter = new ProgressMeter(onProgress);
  let depth = 0;
  const statView = new Float64Array(stats);
  const sumStat = (k: number): number => {
    let total = 0;
    for (let w = 0; w < workers; w++) total += statView[w * STATS_WORDS + k] ?? 0;
    return total;
  };
  const timer = setInterval(() => {
    meter.report(
      { distinctStates: set.size, generatedStates: sumStat(STAT_GENERATED), depth, queue: sumStat(STAT_QUEUE) },
      process.memoryUsage().heapUsed + sumStat(STAT_HEAP),
    );
  }, 1000);
  timer.unref();
  try {
    const peers: (MessagePort | undefined)[][] = Array.from({ length: workers }, () => new Array<MessagePort | undefined>(workers));
    for (let i = 0; i < workers; i++) {
      for (let j = i + 1; j < workers; j++) {
        const { port1, port2 } = new MessageChannel();
        (peers[i] ?? [])[j] = port1;
        (peers[j] ?? [])[i] = port2;
      }
    }
    for (let index = 0; index < workers; index++) {
      const ports = peers[index] ?? [];
      const init: WorkerInit = {
        peers: ports,
        source,
        index,
        workers,
        setBuffer: set.buffer as SharedArrayBuffer,
        control,
        stats,
        maxStates: limits.maxStates,
        deadline: limits.deadline,
        stopOnViolation: limits.stopOnViolation,
      };
      const transfer = ports.filter((p): p is MessagePort => p !== undefined);
      handles.push(new WorkerHandle(spawnTsWorker(sibling('./bfs-worker', import.meta.url), init, transfer)));
    }
    for (const h of handles) {
      const ready = await h.request();
      if (ready.type !== 'ready') throw new Error(`expected ready, got ${ready.type}`);
    }
    if (onProgress === undefined) clearInterval(timer);

    let last = await reports(handles, () => ({ type: 'seed' }));
    let deepest = 0;
    let stopReason: StopReason | null = null;
    const stopOf = (rs: readonly LevelReport[]): StopReason | null =>
      rs.map((r) => r.stopReason).find((s) => s !== null && s !== 'halted') ?? null;
    stopReason = stopOf(last);
    while (stopReason === null && last.some((r) => r.discovered > 0)) {
      await balance(handles, last.map((r) => r.discovered));
      const probeOnly = depth >= limits.maxDepth;
      let grownBuffer: SharedArrayBuffer | undefined;
      // Every worker must finish the level before any starts the next: retry rounds resume it.
      for (let advance = true; ; advance = false) {
        const buf = grownBuffer;
        last = await reports(handles, () => ({ type: 'expand', depth, advance, probeOnly, ...(buf ? { setBuffer: buf } : {}) }));
        if (!last.some((r) => r.outcome === 'full') || stopOf(last) !== null) break;
        set = set.grown();
        grownBuffer = set.buffer as SharedArrayBuffer;
      }
      stopReason = stopOf(last);
      if (probeOnly) break;
      if (last.some((r) => r.discovered > 0)) deepest = depth + 1;
      depth++;
    }

    // Parent links stay in the workers until a path is needed: fetch them once, at the end.
    const tables = await Promise.all(
      handles.map(async (h) => {
        const msg = await h.request({ type: 'links' });
        if (msg.type !== 'links') throw new Error(`expected links, got ${msg.type}`);
        return msg;
      }),
    );
    const link: LinkLookup = (id) => {
      const w = id % workers;
      const local = (id - w) / workers;
      const t = tables[w];
      return { parent: t?.parents[local] ?? ROOT, action: t?.actions[local] ?? 0 };
    };
    return buildResult(model, {
      strategy: 'bfs',
      stopReason,
      distinctStates: set.size,
      generatedStates: last.reduce((n, r) => n + r.generated, 0),
      depth: deepest,
      startedAt: limits.startedAt,
      violations: merge(last.map((r) => r.violations)),
      goals: merge(last.map((r) => r.goals)),
      link,
      fingerprintSetBytes: set.byteLength,
      parentLinkBytes: tables.reduce((n, t) => n + t.parents.byteLength + t.actions.byteLength, 0),
      workers,
      notes,
    });
  } finally {
    clearInterval(timer);
    await Promise.all(handles.map((h) => h.worker.terminate()));
  }
}
