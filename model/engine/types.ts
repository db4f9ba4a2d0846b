import type { RecoverySummary } from './recoverability.js';
import type { TraceStep } from './replay.js';

export type Strategy = 'bfs' | 'dfs';

/** A snapshot of a running search, reported at most about once a second. */
export interface Progress {
  readonly distinctStates: number;
  readonly generatedStates: number;
  /** BFS: the level being expanded; DFS: the current stack depth. */
  readonly depth: number;
  /** States discovered but not yet expanded. */
  readonly queue: number;
  readonly statesPerSecond: number;
  /** Heap in use, summed over the main thread and the workers. */
  readonly heapUsedBytes: number;
}

export interface ExploreOptions {
  readonly strategy?: Strategy;
  /** 1 (default) searches in this thread; more uses worker threads (BFS only). */
  readonly workers?: number;
  /** Stop (result 'incomplete') once this many distinct states are found. */
  readonly maxStates?: number;
  readonly timeLimitMs?: number;
  /** States deeper than this (in actions from an initial state) are not explored. */
  readonly maxDepth?: number;
  readonly onProgress?: (progress: Progress) => void;
  /** Default true: stop at the first violated invariant. */
  readonly stopOnViolation?: boolean;
  /**
   * Default false: partial-order reduction by sleep sets (por.ts), when the model declares which
   * actions are independent (Model.partialOrder). It prunes transitions, never states: the same
   * distinct states, verdicts and shortest traces, fewer generated states. BFS in one thread only.
   */
  readonly partialOrder?: boolean;
  /**
   * Word 0 set non-zero (by a signal handler, say) halts the search: result 'incomplete',
   * stoppedBy 'halted'. The in-thread searches let the event loop in every 50 ms so that such a
   * handler runs; with workers the coordinator passes the halt on to them.
   */
  readonly halt?: Int32Array;
}

export interface Violation<S, A, F = unknown> {
  readonly invariant: string;
  /** What the invariant's check returned on the last state of the trace. */
  readonly finding: F;
  /** Index into initialStates() where the path starts. */
  readonly initial: number;
  /** Action indices from that initial state; under BFS a shortest such path. */
  readonly path: number[];
  readonly trace: TraceStep<S, A>[];
}

export interface GoalReport {
  readonly name: string;
  readonly reached: boolean;
  /** A witness: initial-state index and action indices (shortest under BFS). */
  readonly initial?: number;
  readonly path?: number[];
}

export interface ExploreResult<S, A, F = unknown> {
  /** 'incomplete' when a limit (states, time, depth) stopped the search before it was exhaustive. */
  readonly result: 'ok' | 'violation' | 'incomplete';
  readonly strategy: Strategy;
  readonly distinctStates: number;
  /** Initial states plus every successor computed (next() not null), duplicates included. */
  readonly generatedStates: number;
  /** The longest shortest-path (BFS) or deepest path (DFS) among discovered states; initial states are depth 0. */
  readonly depth: number;
  readonly seconds: number;
  /** The first violation found (the shallowest under BFS). */
  readonly violation?: Violation<S, A, F>;
  /** When stopOnViolation is false: the first violation of each invariant. */
  readonly violations: Violation<S, A, F>[];
  readonly goals: GoalReport[];
  /** Why the search was incomplete, when it was. */
  readonly stoppedBy?: 'maxStates' | 'timeLimit' | 'maxDepth' | 'halted';
  /** States found but not expanded when a limit or a halt stopped the search (BFS: the frontier). */
  readonly unexplored?: number;
  readonly fingerprintSetBytes: number;
  readonly bytesPerState: number;
  /** Parent links, accounted apart from the set. */
  readonly parentLinkBytes: number;
  readonly workers: number;
  /** Whether partial-order reduction ran (asked for, and the model declares independence). */
  readonly partialOrder: boolean;
  /** Transitions partial-order reduction left unexplored (asleep): 0 without it. */
  readonly asleep: number;
  /** Anything the caller should know, e.g. why workers were not used. */
  readonly notes: string[];
  /**
   * The recoverability (liveness) check over the explored graph, when the model has properties
   * and the search was exhaustive: a stuck state of a property is a violation named for it.
   */
  readonly recovery?: RecoverySummary;
}
