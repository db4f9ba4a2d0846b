import type { Reducer } from '../raft/reducer.js';

/**
 * A deliberately broken variant of one piece of the core, kept under model/ and reachable only
 * through `--mutant NAME`: the checker must catch it, which shows the invariant can fail.
 */
export interface Mutant {
  readonly name: string;
  /** The bug, as people write it. */
  readonly description: string;
  /** The invariant the checker is expected to report. */
  readonly breaks: string;
  /** Bounds under which the exhaustive checker catches it quickly (merged over the defaults). */
  readonly bounds?: Partial<import('../raft/bounds.js').Bounds>;
  /** A liveness bug: checked with the recoverability properties on (`--liveness`), which catch it. */
  readonly liveness?: boolean;
  readonly reducer: Reducer;
}
