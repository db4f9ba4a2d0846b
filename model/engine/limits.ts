import type { ExploreOptions } from './types.js';

/**
 * How often (ms) a search lets the event loop in, so that a signal handler can set `halt`: the
 * in-thread BFS ends a time slice, the DFS yields.
 */
export const SLICE_MS = 50;

/** The options with defaults filled in, as every strategy reads them. */
export interface Limits {
  readonly maxStates: number;
  readonly maxDepth: number;
  /** Epoch ms, or Infinity. */
  readonly deadline: number;
  readonly stopOnViolation: boolean;
  readonly startedAt: number;
  /** ExploreOptions.halt. */
  readonly halt?: Int32Array;
}

export function limitsOf(options: ExploreOptions, startedAt = Date.now()): Limits {
  return {
    maxStates: options.maxStates ?? Infinity,
    maxDepth: options.maxDepth ?? Infinity,
    deadline: options.timeLimitMs === undefined ? Infinity : startedAt + options.timeLimitMs,
    stopOnViolation: options.stopOnViolation ?? true,
    startedAt,
    ...(options.halt !== undefined ? { halt: options.halt } : {}),
  };
}
