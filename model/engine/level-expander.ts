import { fingerprintState, fp } from './fingerprint.js';
import { FULL, INSERTED, type FingerprintSet } from './fingerprint-set.js';
import { levelQueue, sharedLevelQueue, type LevelChunks, type LevelQueue, type LevelReader, type PackedQueue } from './level-queue.js';
import type { Model } from './model.js';
import { ROOT, type ParentLinks } from './parent-links.js';
import type { SleepSets, SuccessorSink } from './por.js';

/**
 * The level-synchronous BFS step shared by the in-thread search and each worker thread: expand
 * every state of the current level, keep the successors whose fingerprint is new as the next
 * level, record their parent links, and check invariants and goals on each new state. Because a
 * state is only ever inserted while its level's predecessors are expanded, its parent link is
 * one level up and the path it gives is a shortest one, also with several workers. The levels
 * are LevelQueues: bytes when the model packs its states, objects otherwise.
 */

export type StopReason = 'violation' | 'maxStates' | 'timeLimit' | 'maxDepth' | 'halted';

/** A state first found at `depth`, by global id (for paths). */
export interface Found {
  readonly id: number;
  readonly depth: number;
}

interface Deferred<S> {
  readonly state: S;
  readonly parent: number;
  readonly action: number;
  readonly hi: number;
  readonly lo: number;
}

export interface ExpanderConfig<S = unknown> {
  readonly stopOnViolation: boolean;
  readonly maxStates: number;
  /** Epoch ms, or Infinity. */
  readonly deadline: number;
  /** Global id of local id `local` (workers interleave ids: local * workers + index). */
  readonly globalId: (local: number) => number;
  /**
   * In-thread: a full fingerprint set is replaced at once, levels are the model's (level-queue.ts).
   * Otherwise (a worker) inserts into a full set are deferred, and levels are written to shared chunks.
   */
  readonly growInPlace: boolean;
  /** Set by another thread to halt this one; word 0 non-zero means stop. */
  readonly halt?: Int32Array;
  /** Called every TICK expansions, for progress reports. */
  readonly onTick?: () => void;
  /** Partial-order reduction (por.ts): it takes each state's actions, but for the depth bound's probe. */
  readonly sleep?: SleepSets<unknown, unknown>;
  /** Called for each successor (and initial state, from ROOT) before it is inserted: the state graph's edges. */
  readonly onEdge?: (from: number, state: S, hi: number, lo: number) => void;
}

const TICK = 256;

export class LevelExpander<S, A> implements SuccessorSink<S> {
  /** The level being expanded (taken from as it goes: the level may be interrupted and resumed). */
  frontier: LevelReader<S>;
  /** The level being found. */
  next: LevelQueue<S>;
  generated = 0;
  stopReason: StopReason | null = null;
  readonly violations = new Map<string, Found>();
  readonly goals = new Map<string, Found>();
  private deferred: Deferred<S>[] = [];
  /** States expanded so far (limits are checked every TICK of them). */
  private expanded = 0;
  /** Per invariant / goal: 1 while it has not been seen violated / reached. */
  private readonly invariantOpen: Uint8Array;
  private readonly goalOpen: Uint8Array;
  private goalsOpen: number;
  /** The global id discover() gave last (offerFrom's answer). */
  private discovered = -1;

  constructor(
    private readonly model: Model<S, A>,
    public set: FingerprintSet,
    private readonly links: ParentLinks,
    private readonly config: ExpanderConfig<S>,
  ) {
    this.invariantOpen = new Uint8Array(model.invariants.length).fill(1);
    this.goalOpen = new Uint8Array(model.goals.length).fill(1);
    this.goalsOpen = model.goals.length;
    this.frontier = this.newLevel();
    this.next = this.newLevel();
  }

  private newLevel(): LevelQueue<S> {
    return this.config.growInPlace ? levelQueue(this.model) : sharedLevelQueue(this.model);
  }

  /** Inserts the chosen initial states as level 0, into `next` (advance() makes them the frontier). */
  seed(pick: (index: number) => boolean): void {
    const initial = this.model.initialStates();
    for (let i = 0; i < initial.length && this.stopReason === null; i++) {
      const state = initial[i];
      if (state === undefined || !pick(i)) continue;
      this.generated++;
      fingerprintState(this.model, state);
      this.config.onEdge?.(ROOT, state, fp.hi, fp.lo);
      this.offer(state, ROOT, i, fp.hi, fp.lo, 0);
    }
  }

  /** Moves to the next level: its states (or, in a worker, the whole level all workers share) become the frontier. */
  advance(frontier: LevelReader<S> = this.next): void {
    this.frontier = frontier;
    this.next = this.newLevel();
  }

  /** A worker's part of the next level, handed over whole (the worker's next level is empty afterwards). */
  nextChunks(): LevelChunks {
    return (this.next as PackedQueue<S>).chunksOut();
  }

  get remaining(): number {
    return this.frontier.length;
  }

  get hasDeferred(): boolean {
    return this.deferred.length > 0;
  }

  /**
   * Expands the frontier states at `depth` not yet expanded. Returns 'done' when the level is
   * finished, 'full' when inserts were deferred for a full shared set (grow it, then call again),
   * or 'stopped' (see stopReason). With `probeOnly` (the depth bound) nothing is inserted: the
   * level only tells whether any successor is new, which makes the run incomplete.
   */
  expandLevel(depth: number, probeOnly = false): 'done' | 'full' | 'stopped' {
    if (!this.retryDeferred(depth + 1)) return 'stopped';
    if (this.deferred.length > 0) return 'full';
    const { model, frontier } = this;
    for (;;) {
      if ((this.expanded++ & (TICK - 1)) === 0 && !this.checkLimits()) return 'stopped';
      const state = frontier.shift();
      if (state === undefined) break;
      const id = frontier.id;
      if (this.config.sleep !== undefined && !probeOnly) {
        this.config.sleep.expand(state, id, depth, this as SuccessorSink<unknown>);
        if (this.stopReason !== null) return 'stopped';
        continue;
      }
      const actions = model.actions(state);
      for (let i = 0; i < actions.length; i++) {
        const succ = model.next(state, actions[i] as A);
        if (succ === null) continue;
        fingerprintState(model, succ);
        if (probeOnly) {
          if (!this.set.has(fp.hi, fp.lo)) return this.stop('maxDepth');
          continue;
        }
        this.generated++;
        this.config.onEdge?.(id, succ, fp.hi, fp.lo);
        this.offer(succ, id, i, fp.hi, fp.lo, depth + 1);
      }
      if (this.stopReason !== null) return 'stopped';
      if (this.deferred.length > 0) return 'full';
    }
    return this.stopReason === null ? 'done' : 'stopped';
  }

  /** A successor from partial-order reduction (por.ts): its global id when new, else -1 (in-thread only: the set grows in place). */
  offerFrom(state: S, parent: number, action: number, hi: number, lo: number, depth: number): number {
    this.generated++;
    this.discovered = -1;
    this.offer(state, parent, action, hi, lo, depth);
    return this.discovered;
  }

  /** Inserts a reached state's fingerprint; a record is allocated only when it must wait (set full). */
  private offer(state: S, parent: number, action: number, hi: number, lo: number, depth: number): void {
    let r = this.set.insert(hi, lo);
    while (r === FULL && this.config.growInPlace) {
      this.set = this.set.grown();
      r = this.set.insert(hi, lo);
    }
    if (r === FULL) this.deferred.push({ state, parent, action, hi, lo });
    else if (r === INSERTED) this.discover(state, parent, action, depth);
  }

  private retryDeferred(depth: number): boolean {
    const pending = this.deferred;
    this.deferred = [];
    for (const d of pending) this.offer(d.state, d.parent, d.action, d.hi, d.lo, depth);
    return this.stopReason === null;
  }

  private discover(state: S, parent: number, action: number, depth: number): void {
    const id = this.config.globalId(this.links.add(parent, action));
    this.discovered = id;
    this.next.push(state, id);
    // Only the properties not yet settled are evaluated (no map lookup per property and state).
    const invariants = this.model.invariants;
    for (let k = 0; k < invariants.length; k++) {
      const inv = invariants[k]!;
      if (this.invariantOpen[k] !== 0 && inv.check(state) !== null) {
        this.invariantOpen[k] = 0;
        if (!this.violations.has(inv.name)) this.violations.set(inv.name, { id, depth });
        if (this.config.stopOnViolation) this.stop('violation');
      }
    }
    if (this.goalsOpen > 0) {
      const goals = this.model.goals;
      for (let k = 0; k < goals.length; k++) {
        const goal = goals[k]!;
        if (this.goalOpen[k] !== 0 && goal.holds(state)) {
          this.goalOpen[k] = 0;
          this.goalsOpen--;
          if (!this.goals.has(goal.name)) this.goals.set(goal.name, { id, depth });
        }
      }
    }
    if (this.set.size >= this.config.maxStates) this.stop('maxStates');
  }

  /** False (and stopReason set) when a limit or another thread ends the search. */
  private checkLimits(): boolean {
    if (this.stopReason !== null) return false;
    this.config.onTick?.();
    if (this.config.halt !== undefined && Atomics.load(this.config.halt, 0) !== 0) this.stop('halted');
    else if (Date.now() > this.config.deadline) this.stop('timeLimit');
    return this.stopReason === null;
  }

  private stop(reason: StopReason): 'stopped' {
    this.stopReason ??= reason;
    return 'stopped';
  }
}
