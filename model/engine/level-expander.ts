import { fingerprintState, fp } from './fingerprint.js';
import { FULL, INSERTED, type FingerprintSet } from './fingerprint-set.js';
import type { Model } from './model.js';
import { ROOT, type ParentLinks } from './parent-links.js';

/**
 * The level-synchronous BFS step shared by the in-thread search and each worker thread: expand
 * every state of the current level, keep the successors whose fingerprint is new as the next
 * level, record their parent links, and check invariants and goals on each new state. Because a
 * state is only ever inserted while its level's predecessors are expanded, its parent link is
 * one level up and the path it gives is a shortest one, also with several workers.
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

export interface ExpanderConfig {
  readonly stopOnViolation: boolean;
  readonly maxStates: number;
  /** Epoch ms, or Infinity. */
  readonly deadline: number;
  /** Global id of local id `local` (workers interleave ids: local * workers + index). */
  readonly globalId: (local: number) => number;
  /** When set, a full fingerprint set is replaced at once (in-thread); otherwise inserts are deferred. */
  readonly growInPlace: boolean;
  /** Set by another thread to halt this one; word 0 non-zero means stop. */
  readonly halt?: Int32Array;
  /** Called every TICK expansions, for progress reports. */
  readonly onTick?: () => void;
}

const TICK = 256;

export class LevelExpander<S, A> {
  frontier: S[] = [];
  frontierIds: number[] = [];
  next: S[] = [];
  nextIds: number[] = [];
  /** Next index of `frontier` to expand: the level may be interrupted and resumed. */
  pos = 0;
  generated = 0;
  stopReason: StopReason | null = null;
  readonly violations = new Map<string, Found>();
  readonly goals = new Map<string, Found>();
  private deferred: Deferred<S>[] = [];

  constructor(
    private readonly model: Model<S, A>,
    public set: FingerprintSet,
    private readonly links: ParentLinks,
    private readonly config: ExpanderConfig,
  ) {}

  /** Inserts the chosen initial states as level 0, into `next` (advance() makes them the frontier). */
  seed(pick: (index: number) => boolean): void {
    const initial = this.model.initialStates();
    for (let i = 0; i < initial.length && this.stopReason === null; i++) {
      const state = initial[i];
      if (state === undefined || !pick(i)) continue;
      this.generated++;
      fingerprintState(this.model, state);
      this.offer({ state, parent: ROOT, action: i, hi: fp.hi, lo: fp.lo }, 0);
    }
  }

  /** Moves to the next level: its states become the frontier. */
  advance(): void {
    this.frontier = this.next;
    this.frontierIds = this.nextIds;
    this.next = [];
    this.nextIds = [];
    this.pos = 0;
  }

  /** Adds states handed over by another worker to the next level. */
  receive(states: readonly S[], ids: readonly number[]): void {
    for (const s of states) this.next.push(s);
    for (const id of ids) this.nextIds.push(id);
  }

  /** Removes up to `count` states from the end of the next level, to hand over. */
  handOver(count: number): { states: S[]; ids: number[] } {
    const n = Math.max(0, Math.min(count, this.next.length));
    return { states: this.next.splice(this.next.length - n, n), ids: this.nextIds.splice(this.nextIds.length - n, n) };
  }

  get remaining(): number {
    return this.frontier.length - this.pos;
  }

  get hasDeferred(): boolean {
    return this.deferred.length > 0;
  }

  /**
   * Expands the frontier states at `depth` from `pos` on. Returns 'done' when the level is
   * finished, 'full' when inserts were deferred for a full shared set (grow it, then call again),
   * or 'stopped' (see stopReason). With `probeOnly` (the depth bound) nothing is inserted: the
   * level only tells whether any successor is new, which makes the run incomplete.
   */
  expandLevel(depth: number, probeOnly = false): 'done' | 'full' | 'stopped' {
    if (!this.retryDeferred(depth + 1)) return 'stopped';
    if (this.deferred.length > 0) return 'full';
    const { model } = this;
    while (this.pos < this.frontier.length) {
      if ((this.pos & (TICK - 1)) === 0 && !this.checkLimits()) return 'stopped';
      const state = this.frontier[this.pos] as S;
      const id = this.frontierIds[this.pos] as number;
      this.pos++;
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
        this.offer({ state: succ, parent: id, action: i, hi: fp.hi, lo: fp.lo }, depth + 1);
      }
      if (this.stopReason !== null) return 'stopped';
      if (this.deferred.length > 0) return 'full';
    }
    return this.stopReason === null ? 'done' : 'stopped';
  }

  private offer(d: Deferred<S>, depth: number): void {
    let r = this.set.insert(d.hi, d.lo);
    while (r === FULL && this.config.growInPlace) {
      this.set = this.set.grown();
      r = this.set.insert(d.hi, d.lo);
    }
    if (r === FULL) this.deferred.push(d);
    else if (r === INSERTED) this.discover(d, depth);
  }

  private retryDeferred(depth: number): boolean {
    const pending = this.deferred;
    this.deferred = [];
    for (const d of pending) this.offer(d, depth);
    return this.stopReason === null;
  }

  private discover(d: Deferred<S>, depth: number): void {
    const id = this.config.globalId(this.links.add(d.parent, d.action));
    this.next.push(d.state);
    this.nextIds.push(id);
    for (const inv of this.model.invariants) {
      if (!this.violations.has(inv.name) && !inv.holds(d.state)) {
        this.violations.set(inv.name, { id, depth });
        if (this.config.stopOnViolation) this.stop('violation');
      }
    }
    for (const goal of this.model.goals) {
      if (!this.goals.has(goal.name) && goal.holds(d.state)) this.goals.set(goal.name, { id, depth });
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
