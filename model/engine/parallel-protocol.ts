import type { Found, StopReason } from './level-expander.js';
import type { MessagePort } from 'node:worker_threads';
import type { ModelSource } from './model.js';

/** What each BFS worker is started with (structured-cloned; the buffers are shared, not copied). */
export interface WorkerInit {
  readonly source: ModelSource;
  readonly index: number;
  readonly workers: number;
  readonly setBuffer: SharedArrayBuffer;
  /** Int32 word 0: halt flag, raised by whichever thread stops the search. */
  readonly control: SharedArrayBuffer;
  /** Float64 per worker: STATS_WORDS words, see STAT_*. Progress only; read without locks. */
  readonly stats: SharedArrayBuffer;
  readonly maxStates: number;
  readonly deadline: number;
  readonly stopOnViolation: boolean;
  /** peers[j]: a port to worker j (undefined at this worker's own index), for handing over states (a Batch, level-queue.ts). */
  readonly peers: readonly (MessagePort | undefined)[];
}

export const STATS_WORDS = 3;
export const STAT_GENERATED = 0;
export const STAT_QUEUE = 1;
export const STAT_HEAP = 2;

export type ToWorker =
  | { readonly type: 'seed' }
  /**
   * Expand the current level, first making the next level current when `advance` (a new level),
   * else resuming it after a 'full' round; `setBuffer` when the set was grown since.
   */
  | {
      readonly type: 'expand';
      readonly depth: number;
      readonly advance: boolean;
      readonly probeOnly: boolean;
      readonly setBuffer?: SharedArrayBuffer;
    }
  | { readonly type: 'links' }
  /** Hand `count` next-level states to worker `to` (the level balance). */
  | { readonly type: 'give'; readonly to: number; readonly count: number };

export interface LevelReport {
  readonly type: 'report';
  readonly outcome: 'done' | 'full' | 'stopped';
  readonly stopReason: StopReason | null;
  /** States this worker holds for the next level (discovered this level, or handed over). */
  readonly discovered: number;
  readonly generated: number;
  readonly violations: [string, Found][];
  readonly goals: [string, Found][];
}

export type FromWorker =
  | { readonly type: 'ready'; readonly initialStates: number }
  | LevelReport
  | { readonly type: 'gave' }
  | { readonly type: 'took'; readonly count: number }
  | { readonly type: 'links'; readonly parents: Uint32Array; readonly actions: Uint16Array }
  | { readonly type: 'failed'; readonly message: string };
