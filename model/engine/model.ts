import type { Relabelling } from './relabelling.js';

/**
 * The engine's whole view of a system: a protocol-agnostic transition system (cf. Stateright's
 * `Model`). The engine knows nothing of Raft; the Raft system model is one implementation.
 */

/** A named predicate over states: a goal, which must hold on some reachable state. */
export interface Property<S> {
  readonly name: string;
  readonly holds: (state: S) => boolean;
}

/**
 * A named always-property. `check` returns null while it holds, else a finding: what the model
 * has to say about what broke (opaque to the engine, which carries it into the violation).
 */
export interface Invariant<S, F = unknown> {
  readonly name: string;
  readonly check: (state: S) => F | null;
}

/**
 * A recoverability (liveness) property: from every reachable state, a state where `holds` is
 * true must be reachable. `stuck` says, as a finding, what a state from which none is reachable
 * is about (the violation carries it, as an invariant's finding).
 */
export interface Recoverable<S, F = unknown> extends Property<S> {
  readonly stuck: (state: S) => F;
  /** Like Model.truncated, for a cut only this property may need to get past (counted as may-recover for it alone). */
  readonly truncated?: (state: S) => boolean;
}

export interface Model<S, A, F = unknown> {
  readonly name: string;
  /** The initial states. */
  initialStates(): readonly S[];
  /**
   * The actions enabled in `state`, in a deterministic order: a path is a list of indices into
   * this list, re-executed from an initial state (exact, cheap replay).
   */
  actions(state: S): readonly A[];
  /** The state after `action`; null when the action turns out to change nothing worth exploring. */
  next(state: S, action: A): S | null;
  /** Always-properties, checked on every state reached. */
  readonly invariants: readonly Invariant<S, F>[];
  /** Sometimes-properties: each must hold on at least one reachable state, or the run is vacuous. */
  readonly goals: readonly Property<S>[];
  /**
   * Optional recoverability properties, checked after an exhaustive in-thread BFS over the state
   * graph it explored (recoverability.ts). Absent or empty: no graph is kept.
   */
  readonly recoverable?: readonly Recoverable<S, F>[];
  /**
   * True when the bound cut some of this state's successors: an action the unbounded system
   * could take here is disabled or its successor not explored because of a bound. The
   * recoverability check counts such a state as one that may recover, so that no verdict is an
   * artefact of the bound; a cut the model does not report here can cause a false alarm.
   */
  truncated?(state: S): boolean;
  /**
   * A string that two states share exactly when the checker may treat them as one: already
   * reduced to a canonical representative under the model's symmetry when symmetry is on.
   * Build it and `fingerprint` with a Canonicaliser (symmetry.ts) from the model's one Encoding,
   * so that the two agree by construction and the engine picks the representative.
   */
  canonicalKey(state: S): string;
  /**
   * Optional, for speed: a 64-bit fingerprint of the state's canonical form, written to `out.hi`
   * and `out.lo` (32-bit words; signed or unsigned, the engine normalises them). Two states must
   * share it exactly when they share `canonicalKey` (up to 64-bit hash collisions). When present,
   * the explorers use it instead of hashing canonicalKey, which stays the exact form for tests
   * and state graphs.
   */
  fingerprint?(state: S, out: FingerprintOut): void;
  /**
   * Optional, for memory: the state as bytes, so that the BFS keeps each level as bytes in large
   * buffers instead of as objects (and hands them between worker threads without copying). The
   * result may be a view of a buffer the next call reuses: the engine copies it at once. Give
   * `pack` and `unpack` together (a Packer from packer.ts, over the model's one Encoding).
   */
  pack?(state: S): Uint8Array;
  /**
   * The inverse of `pack`: unpack(pack(s)) must be a state equal to s for every purpose of
   * actions, next, invariants, goals, canonicalKey and fingerprint (the same enabled actions in
   * the same order, equal successors, the same verdicts and keys). It need not be the same
   * object, nor share s's sub-objects; `bytes` is a view the engine may reuse after the call.
   */
  unpack?(bytes: Uint8Array): S;
  /**
   * Optional: which actions commute, for partial-order reduction (por.ts; ExploreOptions.partialOrder).
   * Without it the option does nothing (the result says so).
   */
  readonly partialOrder?: PartialOrder<S, A>;
  /** Human-readable action, for traces and progress. */
  formatAction(action: A): string;
}

/**
 * How a worker thread builds the same model: the module to import and the factory's argument
 * (structured-cloneable). The module's `createModel(options)` must return the model.
 */
export interface ModelSource {
  readonly module: string; // absolute file URL or path of the module exporting createModel
  readonly options: unknown;
}

/**
 * Where a model's fingerprint goes. `rel`: the relabelling the model's symmetry reduction took the
 * state to its representative by (a Canonicaliser writes it); leave it unset when there is no
 * symmetry. Partial-order reduction needs it to carry actions across to the representative.
 */
export interface FingerprintOut {
  hi: number;
  lo: number;
  rel?: Relabelling | undefined;
}

/**
 * A model's independence relation, for partial-order reduction by sleep sets (por.ts). Both
 * functions must agree with the model's symmetry: relabelling a state relabels its actions' keys
 * and keeps independence.
 */
export interface PartialOrder<S, A> {
  /**
   * The identity of an action across states, as it reads in the state relabelled by `r` (the
   * relabelling the model's fingerprint reported; undefined: as it is). Two actions of two states
   * share a key exactly when they are the same move (deliver this message, time out this server).
   */
  key(action: A, r: Relabelling | undefined): string | number;
  /**
   * Conditional independence of two different actions at `state`, both enabled there (`succA` =
   * next(state, a) and `succB` = next(state, b), neither null). True only if each stays enabled
   * after the other (b is an action of succA with next(succA, b) not null, and a of succB) and
   * the two orders end in equal states: next(succA, b) equals next(succB, a) for every purpose of
   * the model (as states, not only up to symmetry). False is always sound; it only prunes less.
   */
  independent(state: S, a: A, b: A, succA: S, succB: S): boolean;
}
