import type { Relabelling } from './relabelling.js';

/**
 * Where a model writes a state's encoding: one walk over the state's fields, in a fixed order,
 * into either sink. The string sink spells the encoding out (exact keys, for tests, memo tables
 * and state graphs); the hash sink folds the same calls into a 64-bit fingerprint. Both see the
 * same calls, so two states share a key exactly when they share the calls, and a fingerprint
 * whenever they share a key (different keys share a fingerprint only by a 64-bit collision).
 *
 * `ctx` is passed through to item and part encoders unchanged (usually the relabelling), so a
 * walk needs no closures.
 */
export type Encode<T, C> = (value: T, ctx: C, sink: Sink) => void;

export interface Sink {
  /** An integer within 32 bits (booleans as 0/1, "none" as -1). */
  int(n: number): void;
  str(s: string): void;
  /** A sequence, in order. */
  list<T, C>(items: readonly T[], ctx: C, item: Encode<T, C>): void;
  /**
   * An array indexed by id, as a list in the relabelled order (items[r.oldId[0]], ...). Empty
   * arrays and the identity leave it as it is; any other length than r.size is refused.
   */
  byId<T, C>(items: readonly T[], r: Relabelling, ctx: C, item: Encode<T, C>): void;
  /** A multiset: the order of `items` does not matter. */
  bag<T, C>(items: readonly T[], ctx: C, item: Encode<T, C>): void;
  /**
   * An immutable sub-object whose encoding reads no id: the sink may cache it per object, so the
   * same object must always be written with the same `encode` (one encoder per field, as a walk
   * has; the sinks do not check, to keep their caches small).
   */
  part<T extends object>(obj: T, encode: (obj: T, sink: Sink) => void): void;
  /** An immutable sub-object whose encoding reads ids through `r`: cached per object and relabelling. */
  relabelledPart<T extends object>(obj: T, r: Relabelling, encode: Encode<T, Relabelling>): void;
}

/** n! for the ids a relabelling acts on, up to MAX_IDS. */
export const FACTORIAL: readonly number[] = [1, 1, 2, 6, 24, 120, 720, 5040, 40320];

/**
 * Relabelled parts are cached for the first CACHED_RANKS relabellings (all of them up to 4 ids):
 * a part is mostly written under a few, and 5040 slots an object would cost more than they save.
 */
export const CACHED_RANKS = 24;
