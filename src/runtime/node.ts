import {
  EMPTY_PERSISTENT_STATE, operations, restore, step,
  type ApplyMsg, type Configuration, type Input, type LogIndex, type MembershipChange, type MembershipResult, type Message, type RaftState,
  type StartResult, type StepConfig, type StepResult, type Term,
} from '../core/index.js';
import type { Clock } from './clock.js';
import { NodeTimers } from './nodeTimers.js';
import type { Persister } from './persister.js';
import type { RandomSource } from './random.js';
import { ReadyQueue, type ReadyAction } from './ready.js';
import { DEFAULT_TIMING, type Timing } from './timing.js';
import type { Receiver, Transport } from './transport.js';

/**
 * Receives the apply stream one message at a time, in index order: committed commands
 * (`commandValid`), snapshots to install in place of everything applied so far
 * (`snapshotValid`; the next index is snapshotIndex + 1), and committed configuration entries
 * and leaders' no-ops (`configValid`: never a command; a service skips them or notes the
 * configuration, but each stands for its index). Narrow with `'commandValid' in msg`.
 */
export type ApplyCallback = (msg: ApplyMsg) => void;

/** What a node needs from its surroundings besides peers and storage. */
export interface NodeEnvironment {
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly timing?: Timing;
  /** The core's configuration for every step (default RUNTIME_STEP_CONFIG). */
  readonly stepConfig?: StepConfig;
  /**
   * Called after every step with the states before and after it (e.g. to log role changes),
   * before any of the step's effects is carried out.
   */
  readonly observe?: (before: RaftState, after: RaftState) => void;
  /**
   * The configuration the cluster started with (RaftState.bootstrapConfig; the same on every
   * server). Absent: every server 0..clusterSize-1 votes, Raft without membership change.
   */
  readonly bootstrapConfig?: Configuration;
}

/**
 * A live node caps each AppendEntries at 1024 entries, so a follower far behind (after a long
 * outage) is brought up in requests of bounded size, each acknowledgement sending the next.
 * The model accepts caps of 1..50 (`--max-entries-per-append`); its tests check a cap of 1
 * exhaustively and the random checker draws 1, 2 or 5. test/runtime/cappedCatchUp.test.ts runs
 * lab tests at a cap of 64 on the virtual clock, where the cap is reached.
 * PreVote and CheckQuorum are on (README, "PreVote and CheckQuorum"): a server cut off one way
 * raises no term, and a leader that hears no majority steps down.
 */
export const RUNTIME_STEP_CONFIG: StepConfig = { maxEntriesPerAppend: 1024, preVote: true, checkQuorum: true };

/**
 * A live Raft server: the core's `step`, unchanged, driven by timers, a transport and a
 * persister.
 *
 * Inputs (timers, `start`, every message received, requests and replies alike) are stepped
 * one at a time, synchronously, in arrival order, so `start` answers at once. Each step's
 * operations join a ReadyQueue (ready.ts), which says what may be carried out now: this class
 * is the loop that feeds it and does what it answers, persisting through the persister,
 * sending every message through the transport, applying through the callback. So no message
 * or apply leaves before every save that precedes it is durable, even when the node's
 * in-memory state has run ahead of its disk; saves queued behind a pending one go together
 * (group commit) and replication requests are coalesced, as the queue describes. A crash (kill) drops
 * the unexecuted rest, exactly as a crash between two operations in the model checker.
 *
 * Snapshots: the service hands its own in through `snapshot(index, data)` (it may do so from
 * inside the apply callback); a node restored from a persisted snapshot (lastIncludedIndex > 0)
 * delivers it first, synchronously from its constructor, as a SnapshotApplyMsg, so the service
 * rebuilds from it before any later command (the core restarts at lastApplied =
 * lastIncludedIndex and applies from the next index on).
 */
export class RaftNode implements Receiver {
  private state: RaftState;
  private dead = false;
  private readonly ready = new ReadyQueue();
  /** True while the loop runs (an effect may re-enter: an apply callback calling start). */
  private running = false;
  private readonly observe: ((before: RaftState, after: RaftState) => void) | undefined;
  private readonly stepConfig: StepConfig;
  private readonly timers: NodeTimers;
  /** Set when a save failed or an effect threw; the node then stops as if crashed. */
  failure: unknown = undefined;

  constructor(
    private readonly peers: Transport,
    me: number,
    private readonly persister: Persister,
    private readonly applyCallback: ApplyCallback,
    env: NodeEnvironment,
  ) {
    this.state = restore(me, peers.clusterSize, persister.load() ?? EMPTY_PERSISTENT_STATE, env.bootstrapConfig);
    this.observe = env.observe;
    this.stepConfig = env.stepConfig ?? RUNTIME_STEP_CONFIG;
    this.timers = new NodeTimers(
      env.clock,
      env.random,
      env.timing ?? DEFAULT_TIMING,
      () => this.state.role,
      () => this.input({ type: 'ElectionTimeout' }),
      () => this.input({ type: 'HeartbeatTick' }),
      this.stepConfig.checkQuorum === true,
    );
    const { lastIncludedIndex, lastIncludedTerm, snapshot } = this.state;
    if (lastIncludedIndex > 0) {
      // The first apply, through the queue like any other (an apply callback that throws fail-stops the node).
      this.ready.push([{ kind: 'apply', entry: { snapshotValid: true, snapshot, snapshotTerm: lastIncludedTerm, snapshotIndex: lastIncludedIndex } }]);
      this.run();
    }
  }

  /** Client request: answers at once (never waits for commit); a killed node is never leader. */
  start(command: unknown): StartResult {
    if (this.dead) return { index: -1, term: this.state.currentTerm, isLeader: false };
    const answer = this.input({ type: 'Start', command });
    return answer ?? { index: -1, term: this.state.currentTerm, isLeader: false };
  }

  /**
   * A membership change (thesis §4.2: add a learner, promote it, remove a server), answered at
   * once: the index and term of the configuration entry appended, or why not (a killed node is
   * 'not-leader'). The change is in effect as soon as it is in the log, done once it commits (its
   * ConfigApplyMsg); 'no-commit-in-term' means ask again shortly (the leader appended a no-op).
   */
  changeMembership(change: MembershipChange, context?: unknown): MembershipResult {
    if (this.dead) return { ok: false, reason: 'not-leader' };
    const input: Input = context === undefined ? { type: 'ChangeMembership', change } : { type: 'ChangeMembership', change, context };
    return this.step(input).membership ?? { ok: false, reason: 'not-leader' };
  }

  /**
   * The service's snapshot of every entry up to and including `index` (the lab's
   * Snapshot(index, snapshot)): the log is trimmed through `index` and the snapshot persisted
   * with the Raft state. Ignored at or below the current snapshot or above what was applied,
   * and on a killed node. Data sent over TCP or written to disk must be a JSON value.
   */
  snapshot(index: LogIndex, snapshot: unknown): void {
    this.input({ type: 'Snapshot', index, snapshot });
  }

  getState(): { term: Term; isLeader: boolean } {
    return { term: this.state.currentTerm, isLeader: !this.dead && this.state.role === 'leader' };
  }

  /** Stops the node for good: timers off, inputs ignored, unexecuted effects dropped. */
  kill(): void {
    this.dead = true;
    this.timers.stopAll();
    this.ready.crash();
  }

  get killed(): boolean {
    return this.dead;
  }

  /** The current core state (read-only; for tests and diagnostics). */
  get raftState(): RaftState {
    return this.state;
  }

  /** A message from a peer, request or reply alike: stepped like any input. */
  onReceive(message: Message): void {
    this.input({ type: 'Receive', message });
  }

  private input(input: Input): StartResult | undefined {
    if (this.dead) return undefined;
    return this.step(input).start;
  }

  private step(input: Input): StepResult {
    const before = this.state;
    const result = step(before, input, this.stepConfig);
    this.state = result.state;
    this.ready.push(operations(result));
    this.observe?.(before, result.state);
    this.run();
    return result;
  }

  /** Does what the queue says may be done now, until it says wait. */
  private run(): void {
    if (this.running) return; // re-entered from an effect: the loop below picks the new work up
    this.running = true;
    try {
      for (let action = this.ready.next(); action !== null && !this.dead; action = this.ready.next()) {
        this.carryOut(action);
      }
    } catch (error) {
      this.fail(error); // an effect threw (a transport refusing a message, an apply callback): fail-stop
    } finally {
      this.running = false;
    }
  }

  private carryOut(action: ReadyAction): void {
    switch (action.kind) {
      case 'save': {
        const pending = this.persister.save(action.persist);
        if (pending === undefined) {
          this.ready.saved(action.id); // durable on return
          return;
        }
        pending.then(
          () => { this.ready.saved(action.id); this.run(); },
          (error: unknown) => this.fail(error),
        );
        return;
      }
      case 'send':
        this.peers.send(action.message);
        return;
      case 'apply':
        this.applyCallback(action.entry); // a callback typed void may still return a value: drop it
        return;
      case 'timer':
        this.timers.carryOut(action.directive);
        return;
    }
  }

  /** Stops the node as a crash would, keeping the reason: nothing more of its effects happens. */
  private fail(error: unknown): void {
    if (this.failure === undefined) this.failure = error;
    this.kill();
  }
}

/** The lab's Make(peers, me, persister, applyCh): a running node. */
export function make(
  peers: Transport,
  me: number,
  persister: Persister,
  applyCallback: ApplyCallback,
  env: NodeEnvironment,
): RaftNode {
  return new RaftNode(peers, me, persister, applyCallback, env);
}
