import { fingerprintState, fp } from './fingerprint.js';
import type { Model, PartialOrder } from './model.js';
import type { Relabelling } from './relabelling.js';

/**
 * Partial-order reduction by sleep sets (Godefroid, "Partial-Order Methods for the Verification
 * of Concurrent Systems", ch. 5), in the level-synchronous BFS, for any model that declares
 * which of its actions commute (Model.partialOrder).
 *
 * Why sleep sets and not persistent/ample sets: an ample set must be invisible to every
 * invariant and goal, and ours read nearly everything (the Raft ghosts, every server's log);
 * sleep sets need no visibility at all, because they prune transitions, never states: every
 * reachable state is still reached, at its least depth. So every invariant and goal is checked
 * on exactly the states it was checked on without the reduction, and traces stay shortest. What
 * it saves is the successors computed, fingerprinted and looked up again (`generated`).
 *
 * The rule. A state q is expanded with a sleep set Z(q) (empty for an initial state): actions
 * of q in Z(q) are not taken. The successor p = u(q) by an action u taken receives
 *   S(q, u) = { a enabled at q : (a in Z(q) or a was taken at q before u) and a, u independent at q },
 * and p's sleep set is the intersection of S over every arrival at p from the level above
 * (every taken edge (q, u) with q at depth d(p) - 1). Arrivals from the same level or deeper,
 * at a state found at an earlier level, change nothing: that state is expanded already.
 *
 * Why no state is lost (and none is found deeper than its distance). Without a visited set (a
 * tree search), sleep sets take at least one path of every Mazurkiewicz trace (class of paths
 * equal up to swapping adjacent independent actions), so a path equivalent to any shortest path
 * w to s, of the same length, is taken in the tree; its prefixes are shortest paths too. By
 * induction on the depth, each state t of that tree path is found at level d(t) with
 * Z_bfs(t) included in the tree's Z_tree(t): the tree takes the next action u at t, so BFS
 * does too (u is not in Z_tree, so not in Z_bfs); then S_bfs(t, u) is included in S_tree(t, u)
 * (it is built from the smaller Z); u(t) lies at distance d(t) + 1, so it is new at that
 * level, (t, u) is one of its arrivals, and the intersection is included in S_bfs(t, u). So s
 * is found at level |w|. Independence is conditional (Godefroid and Pirottin, 1993): the
 * model answers for the one state where both actions are enabled, with both successors at hand.
 *
 * Symmetry. A state is stored as it was first reached, and other members of its symmetry class
 * reached in the same level are merged into it. Sleep sets are therefore kept as action keys
 * written in the canonical frame: an arrival's keys through the relabelling its fingerprint
 * reported (FingerprintOut.rel), and the stored state's actions are looked up through its
 * own. Both relabellings take their state to the one representative, so the keys name the
 * representative's actions. (When the representative has automorphisms, the two may differ by
 * one; an automorphism maps an action to one whose successor is in the same class, so what a
 * sleeping key stands for is reached all the same. Not proved here beyond this argument: the
 * tests compare distinct counts and verdicts with and without on every catalog mutant.)
 *
 * Costs: each sleep set lives until its state is expanded (next level and frontier, in maps, as
 * objects: this is one thread only, and not packed with the level); an action asleep at q still
 * has its successor computed once when q takes any action, for the independence questions
 * (next(), not the fingerprint or the set). Parallel BFS does not carry sleep sets: with
 * several workers the reduction is off (explore() says so in the notes).
 */

/** Where the reduction hands successors to the BFS (LevelExpander implements it). */
export interface SuccessorSink<S> {
  /** Offers a successor (its fingerprint in hi, lo); its global id when new, -1 when known. */
  offerFrom(state: S, parent: number, action: number, hi: number, lo: number, depth: number): number;
  readonly stopReason: unknown;
}

/**
 * A state's sleep set: action keys in the canonical frame (interned as small numbers), and the
 * relabelling to read its own actions' keys through; chained when two states share `hi`.
 */
interface Sleep {
  readonly rel: Relabelling | undefined;
  keys: number[];
  readonly lo: number;
  other: Sleep | null;
}

const NOT_YET = Symbol('not computed');

export class SleepSets<S, A> {
  /** Transitions left asleep so far. */
  asleep = 0;
  /** The frontier's non-empty sleep sets, by global id (an absent one is empty). */
  private current = new Map<number, Sleep>();
  /** The next level's, by global id and by fingerprint's hi word (to intersect on a second arrival). */
  private next = new Map<number, Sleep>();
  private byFingerprint = new Map<number, Sleep>();
  /** Every action key met, as a number (keys are compared many times, written once). */
  private readonly interned = new Map<string | number, number>();
  private readonly succs: (S | null | typeof NOT_YET)[] = [];
  private readonly sleeping: boolean[] = [];

  constructor(
    private readonly model: Model<S, A>,
    private readonly order: PartialOrder<S, A>,
  ) {}

  /** The next level becomes the frontier. */
  advance(): void {
    this.current = this.next;
    this.next = new Map();
    this.byFingerprint = new Map();
  }

  private intern(action: A, rel: Relabelling | undefined): number {
    const k = this.order.key(action, rel);
    let id = this.interned.get(k);
    if (id === undefined) this.interned.set(k, (id = this.interned.size));
    return id;
  }

  private lookup(hi: number, lo: number): Sleep | undefined {
    for (let e: Sleep | null = this.byFingerprint.get(hi) ?? null; e !== null; e = e.other) if (e.lo === lo) return e;
    return undefined;
  }

  /** Expands frontier state `q` (global id `id`, at `depth`) into `sink`, leaving its sleeping actions untaken. */
  expand(q: S, id: number, depth: number, sink: SuccessorSink<S>): void {
    const { model, order, succs, sleeping } = this;
    const own = this.current.get(id);
    if (own !== undefined) this.current.delete(id);
    const actions = model.actions(q);
    const n = actions.length;
    for (let i = 0; i < n; i++) {
      succs[i] = NOT_YET;
      sleeping[i] = own !== undefined && own.keys.includes(this.intern(actions[i]!, own.rel));
    }
    for (let i = 0; i < n; i++) {
      if (sleeping[i]) {
        this.asleep++;
        continue;
      }
      const u = actions[i]!;
      const succ = model.next(q, u);
      succs[i] = succ;
      if (succ === null) continue;
      fingerprintState(model, succ);
      const { hi, lo, rel } = fp;
      const found = sink.offerFrom(succ, id, i, hi, lo, depth + 1);
      if (sink.stopReason !== null) return;
      const merged = found < 0 ? this.lookup(hi, lo) : undefined;
      // Known from an earlier level, or with an empty sleep set already: nothing to carry.
      if (found < 0 && (merged === undefined || merged.keys.length === 0)) continue;
      // S(q, u): the actions asleep at q or taken before u, independent of u, keyed in succ's frame.
      const keys: number[] = [];
      for (let j = 0; j < n; j++) {
        if (j === i || !(sleeping[j] || (j < i && succs[j] !== null))) continue;
        const a = actions[j]!;
        const k = this.intern(a, rel);
        if (merged !== undefined && !merged.keys.includes(k)) continue; // the intersection drops it anyway
        let sa = succs[j] as S | null | typeof NOT_YET;
        if (sa === NOT_YET) succs[j] = sa = model.next(q, a);
        if (sa === null) continue;
        if (order.independent(q, a, u, sa, succ)) keys.push(k);
      }
      if (merged !== undefined) merged.keys = keys;
      else if (keys.length > 0) {
        const sleep: Sleep = { rel, keys, lo, other: this.byFingerprint.get(hi) ?? null };
        this.next.set(found, sleep);
        this.byFingerprint.set(hi, sleep);
      }
    }
  }
}
