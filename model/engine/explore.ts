import { bfs } from './bfs.js';
import { dfs } from './dfs.js';
import { limitsOf } from './limits.js';
import { loadModel } from './load-model.js';
import type { Model, ModelSource } from './model.js';
import { parallelBfs } from './parallel-bfs.js';
import type { ExploreOptions, ExploreResult } from './types.js';

function isSource<S, A, F>(x: ModelSource | Model<S, A, F>): x is ModelSource {
  return 'module' in x && typeof (x as { module: unknown }).module === 'string';
}

/**
 * The engine's one entry: explore every reachable state of a model, checking invariants and goals.
 * Pass a ModelSource to allow worker threads (they rebuild the model from it); a Model object
 * always runs in this thread. If workers cannot start, the search runs in-thread and `notes` say why.
 */
export async function explore<S = unknown, A = unknown, F = unknown>(
  source: ModelSource | Model<S, A, F>,
  options: ExploreOptions = {},
): Promise<ExploreResult<S, A, F>> {
  const startedAt = Date.now();
  const limits = limitsOf(options, startedAt);
  const model = isSource(source) ? ((await loadModel(source)) as Model<S, A, F>) : source;
  const strategy = options.strategy ?? 'bfs';
  const workers = Math.max(1, Math.floor(options.workers ?? 1));
  const notes: string[] = [];
  // The state graph is recorded by the in-thread BFS only (recoverability.ts): its ids are the
  // order states are inserted in, which several workers do not share; and sleep sets leave out
  // edges the backward search would need.
  if ((model.recoverable?.length ?? 0) > 0 && (strategy !== 'bfs' || workers > 1 || options.partialOrder === true)) {
    throw new RangeError('recoverability (liveness) properties are checked by the BFS in one thread without partial-order reduction: use strategy bfs, 1 worker and no --por');
  }
  // Partial-order reduction is the in-thread BFS's (por.ts): it wins over workers when both are asked.
  const por = options.partialOrder === true && model.partialOrder !== undefined && strategy === 'bfs';
  if (options.partialOrder === true && !por) {
    notes.push(`partial-order reduction off: ${strategy !== 'bfs' ? 'BFS only' : 'the model declares no independent actions'}`);
  }
  if (por && workers > 1) notes.push(`workers=${workers} ignored: partial-order reduction runs in one thread`);
  if (workers > 1 && !por) {
    if (strategy !== 'bfs') notes.push(`workers=${workers} ignored: only BFS runs in parallel`);
    else if (!isSource(source)) notes.push(`workers=${workers} ignored: pass a ModelSource so workers can build the model`);
    else {
      try {
        return await parallelBfs(model, source, workers, limits, options.onProgress, notes);
      } catch (err) {
        // Only a failure to start or run workers lands here; model errors in-thread would recur.
        notes.push(`workers failed, searched in-thread instead: ${err instanceof Error ? err.message : String(err)}`);
        return await bfs(model, limitsOf(options), options.onProgress, notes);
      }
    }
  }
  return await (strategy === 'dfs' ? dfs(model, limits, options.onProgress, notes) : bfs(model, limits, options.onProgress, notes, por));
}
