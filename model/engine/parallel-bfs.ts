import type { Worker } from 'node:worker_threads';
import { FingerprintSet } from './fingerprint-set.js';
import type { Found, StopReason } from './level-expander.js';
import type { LevelChunks } from './level-queue.js';
import type { Limits } from './limits.js';
import type { Model, ModelSource } from './model.js';
import { ROOT, type LinkLookup } from './parent-links.js';
import {
  CONTROL_CLAIM,
  CONTROL_HALT,
  CONTROL_WORDS,
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

/** Every worker copies its part of `set` into one larger set at once; the larger set is returned. */
async function grow(handles: readonly WorkerHandle[], set: FingerprintSet, extra: number): Promise<FingerprintSet> {
  const next = set.larger(extra);
  const from = set.buffer as SharedArrayBuffer;
  const to = next.buffer as SharedArrayBuffer;
  const replies = await Promise.all(handles.map((h, part) => h.request({ type: 'rehash', from, to, part, parts: handles.length })));
  for (const r of replies) if (r.type !== 'rehashed') throw new Error(`expected rehashed, got ${r.type}`);
  return next;
}

/** `level` with the parts of the next level the reports hand over (shared chunks, not copied). */
function levelOf(reports: readonly LevelReport[], level: LevelChunks): LevelChunks {
  for (const r of reports) {
    if (r.next === undefined) continue;
    level.chunks.push(...r.next.chunks);
    level.used.push(...r.next.used);
    level.counts.push(...r.next.counts);
  }
  return level;
}

/** Keeps the shallowest find per name across workers (ties: the lower worker index). */
function merge(perWorker: readonly (readonly [string, Found][])[]): Map<string, Found> {
  const all = perWorker.flat().sort((a, b) => a[1].depth - b[1].depth);
  const out = new Map<string, Found>();
  for (const [name, found] of all) if (!out.has(name)) out.set(name, found);
  return out;
}

/**
 * Level-synchronous BFS over `workers` threads sharing one lock-free fingerprint set and each
 * level's states, packed in shared chunks. Each level: every worker claims the level's chunks
 * one at a time (an atomic counter) and expands their states, inserting successors by
 * compare-exchange and writing the new ones to chunks of its own, which make the next level.
 * Before a level the coordinator (this thread) grows the set to hold what the level is likely to
 * find; a worker whose insert still finds the set at its load limit defers the rest and reports
 * 'full', and the set is grown between rounds. The workers copy the set into the larger one
 * together, each a range of slots. Shortest counterexamples as in the in-thread BFS.
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
  const control = new SharedArrayBuffer(CONTROL_WORDS * 4);
  const claim = new Int32Array(control);
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
  // The caller's halt reaches the workers through the shared halt word, which they poll.
  let halted = false;
  const haltWatch = setInterval(() => {
    if (limits.halt !== undefined && Atomics.load(limits.halt, 0) !== 0) {
      halted = true;
      Atomics.store(claim, CONTROL_HALT, 1);
    }
  }, 50);
  try {
    for (let index = 0; index < workers; index++) {
      const init: WorkerInit = {
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
      handles.push(new WorkerHandle(spawnTsWorker(sibling('./bfs-worker', import.meta.url), init)));
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
    // The next level, gathered from every round's reports (a worker hands its part over when done).
    let next = levelOf(last, { chunks: [], used: [], counts: [] });
    // New states per state expanded, as the last level found them: to size the set ahead.
    let found = 1;
    while (stopReason === null && next.chunks.length > 0) {
      let level: LevelChunks | undefined = next;
      next = { chunks: [], used: [], counts: [] };
      const size = level.counts.reduce((n, c) => n + c, 0);
      const probeOnly = depth >= limits.maxDepth;
      const expected = Math.ceil(size * found * 1.1);
      let grownBuffer: SharedArrayBuffer | undefined;
      if (!probeOnly && set.nearlyFull(expected)) {
        set = await grow(handles, set, expected);
        grownBuffer = set.buffer as SharedArrayBuffer;
      }
      const before = set.size;
      Atomics.store(claim, CONTROL_CLAIM, 0);
      // Every worker must finish the level before any starts the next: retry rounds resume it.
      for (;;) {
        const lv = level;
        const buf = grownBuffer;
        last = await reports(handles, () => ({ type: 'expand', depth, probeOnly, ...(lv ? { level: lv } : {}), ...(buf ? { setBuffer: buf } : {}) }));
        level = undefined; // the workers hold the chunks now (each lets a chunk go once it is read)
        grownBuffer = undefined;
        next = levelOf(last, next);
        if (!last.some((r) => r.outcome === 'full') || stopOf(last) !== null) break;
        set = await grow(handles, set, 0);
        grownBuffer = set.buffer as SharedArrayBuffer;
      }
      found = (set.size - before) / Math.max(1, size);
      stopReason = stopOf(last) ?? (halted ? 'halted' : null);
      if (probeOnly) break;
      if (next.chunks.length > 0) deepest = depth + 1;
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
      unexplored: sumStat(STAT_QUEUE),
    });
  } finally {
    clearInterval(timer);
    clearInterval(haltWatch);
    await Promise.all(handles.map((h) => h.worker.terminate()));
  }
}
