import type { Found, StopReason } from './level-expander.js';
import type { LevelChunks } from './level-queue.js';
import type { ModelSource } from './model.js';

/** What each BFS worker is started with (structured-cloned; the buffers are shared, not copied). */
export interface WorkerInit {
  readonly source: ModelSource;
  readonly index: number;
  readonly workers: number;
  readonly setBuffer: SharedArrayBuffer;
  /** Int32 words: CONTROL_HALT and CONTROL_CLAIM. */
  readonly control: SharedArrayBuffer;
  /** Float64 per worker: STATS_WORDS words, see STAT_*. Progress only; read without locks. */
  readonly stats: SharedArrayBuffer;
  readonly maxStates: number;
  readonly deadline: number;
  readonly stopOnViolation: boolean;
}

/** Non-zero: stop (raised by whichever thread stops the search). */
export const CONTROL_HALT = 0;
/** The next chunk of the shared level to claim (the coordinator resets it to 0 for each level). */
export const CONTROL_CLAIM = 1;
export const CONTROL_WORDS = 2;

export const STATS_WORDS = 3;
export const STAT_GENERATED = 0;
export const STAT_QUEUE = 1;
export const STAT_HEAP = 2;

export type ToWorker =
  | { readonly type: 'seed' }
  /**
   * Expand the level at `depth`: with `level` a new one (every worker's part of it, claimed chunk
   * by chunk), else resume it after a 'full' round; `setBuffer` when the set was grown since.
   */
  | {
      readonly type: 'expand';
      readonly depth: number;
      readonly level?: LevelChunks;
      readonly probeOnly: boolean;
      readonly setBuffer?: SharedArrayBuffer;
    }
  /** Copy part `part` of `parts` of the set in `from` into the (larger) set in `to`. */
  | { readonly type: 'rehash'; readonly from: SharedArrayBuffer; readonly to: SharedArrayBuffer; readonly part: number; readonly parts: number }
  | { readonly type: 'links' };

export interface LevelReport {
  readonly type: 'report';
  readonly outcome: 'done' | 'full' | 'stopped';
  readonly stopReason: StopReason | null;
  /** States this worker found for the next level. */
  readonly discovered: number;
  /** Those states, handed over once the level is done here (not after 'full': the level goes on). */
  readonly next?: LevelChunks;
  readonly generated: number;
  readonly violations: [string, Found][];
  readonly goals: [string, Found][];
}

export type FromWorker =
  | { readonly type: 'ready'; readonly initialStates: number }
  | LevelReport
  | { readonly type: 'rehashed' }
  | { readonly type: 'links'; readonly parents: Uint32Array; readonly actions: Uint16Array }
  | { readonly type: 'failed'; readonly message: string };
