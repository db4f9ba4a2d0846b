import { parentPort, workerData } from 'node:worker_threads';
import { FingerprintSet } from './fingerprint-set.js';
import { LevelExpander } from './level-expander.js';
import { sharedLevel } from './level-queue.js';
import { loadModel } from './load-model.js';
import { ParentLinks } from './parent-links.js';
import {
  CONTROL_CLAIM,
  CONTROL_HALT,
  STAT_GENERATED,
  STAT_HEAP,
  STAT_QUEUE,
  STATS_WORDS,
  type FromWorker,
  type ToWorker,
  type WorkerInit,
} from './parallel-protocol.js';

/**
 * One BFS worker. It writes the states it discovers to shared chunks, which the coordinator
 * gathers into the next level; every worker then claims that level's chunks one by one, so no
 * state is copied between threads and no worker idles while another has chunks left. It
 * inserts into the shared fingerprint set, and records parent links for its own states under
 * global ids local * workers + index. The coordinator drives it level by level.
 */
const init = workerData as WorkerInit;
const port = parentPort;
if (port === null) throw new Error('bfs-worker must run in a worker thread');
const post = (msg: FromWorker): void => port.postMessage(msg);

try {
  const model = await loadModel(init.source);
  const control = new Int32Array(init.control);
  const halt = new Int32Array(init.control, CONTROL_HALT * 4, 1);
  const stats = new Float64Array(init.stats, init.index * STATS_WORDS * 8, STATS_WORDS);
  const links = new ParentLinks();
  let heapAt = 0;
  const ex: LevelExpander<unknown, unknown> = new LevelExpander(model, new FingerprintSet(init.setBuffer), links, {
    stopOnViolation: init.stopOnViolation,
    maxStates: init.maxStates,
    deadline: init.deadline,
    globalId: (local) => local * init.workers + init.index,
    growInPlace: false,
    halt,
    onTick: () => {
      stats[STAT_GENERATED] = ex.generated;
      stats[STAT_QUEUE] = ex.remaining + ex.next.length;
      const now = Date.now();
      if (now - heapAt > 500) {
        heapAt = now;
        stats[STAT_HEAP] = process.memoryUsage().heapUsed;
      }
    },
  });

  const report = (outcome: 'done' | 'full' | 'stopped'): void => {
    // Whoever stops first halts the others at their next check.
    if (ex.stopReason !== null && ex.stopReason !== 'halted') Atomics.store(halt, 0, 1);
    stats[STAT_GENERATED] = ex.generated;
    post({
      type: 'report',
      outcome,
      stopReason: ex.stopReason,
      discovered: ex.next.length,
      ...(outcome === 'full' ? {} : { next: ex.nextChunks() }),
      generated: ex.generated,
      violations: [...ex.violations],
      goals: [...ex.goals],
    });
  };

  port.on('message', (msg: ToWorker) => {
    switch (msg.type) {
      case 'seed':
        ex.seed((i) => i % init.workers === init.index);
        return report(ex.stopReason === null ? 'done' : 'stopped');
      case 'expand':
        if (msg.setBuffer !== undefined) ex.set = new FingerprintSet(msg.setBuffer);
        if (msg.level !== undefined) ex.advance(sharedLevel(model, msg.level, control, CONTROL_CLAIM));
        return report(ex.expandLevel(msg.depth, msg.probeOnly));
      case 'rehash':
        new FingerprintSet(msg.from).copyInto(new FingerprintSet(msg.to), msg.part, msg.parts);
        return post({ type: 'rehashed' });
      case 'links': {
        const { parents, actions } = links.snapshot();
        return port.postMessage({ type: 'links', parents, actions } satisfies FromWorker, [parents.buffer, actions.buffer]);
      }
    }
  });
  post({ type: 'ready', initialStates: model.initialStates().length });
} catch (err) {
  post({ type: 'failed', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
}
