import { parentPort, workerData } from 'node:worker_threads';
import { FingerprintSet } from './fingerprint-set.js';
import { LevelExpander } from './level-expander.js';
import { batchSize, batchTransfer, type Batch } from './level-queue.js';
import { loadModel } from './load-model.js';
import { ParentLinks } from './parent-links.js';
import {
  STAT_GENERATED,
  STAT_HEAP,
  STAT_QUEUE,
  STATS_WORDS,
  type FromWorker,
  type ToWorker,
  type WorkerInit,
} from './parallel-protocol.js';

/**
 * One BFS worker. It keeps the states it discovered as its share of the next level (they cross
 * threads only when the coordinator evens the shares out: packed, by moving their buffers), inserts into the shared fingerprint set, and records parent links for its
 * own states under global ids local * workers + index. The coordinator drives it level by level.
 */
const init = workerData as WorkerInit;
const port = parentPort;
if (port === null) throw new Error('bfs-worker must run in a worker thread');
const post = (msg: FromWorker): void => port.postMessage(msg);

try {
  const model = await loadModel(init.source);
  const halt = new Int32Array(init.control);
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
      generated: ex.generated,
      violations: [...ex.violations],
      goals: [...ex.goals],
    });
  };

  // States handed over by a peer join this worker's next level; the coordinator awaits the 'took'.
  init.peers.forEach((peer) =>
    peer?.on('message', (batch: Batch) => {
      ex.receive(batch);
      post({ type: 'took', count: batchSize(batch) });
    }),
  );

  port.on('message', (msg: ToWorker) => {
    switch (msg.type) {
      case 'seed':
        ex.seed((i) => i % init.workers === init.index);
        return report(ex.stopReason === null ? 'done' : 'stopped');
      case 'expand':
        if (msg.setBuffer !== undefined) ex.set = new FingerprintSet(msg.setBuffer);
        if (msg.advance) ex.advance();
        return report(ex.expandLevel(msg.depth, msg.probeOnly));
      case 'give': {
        const batch = ex.handOver(msg.count);
        init.peers[msg.to]?.postMessage(batch, batchTransfer(batch));
        return post({ type: 'gave' });
      }
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
