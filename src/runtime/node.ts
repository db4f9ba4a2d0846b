import {
  EMPTY_PERSISTENT_STATE, operations, restore, runOperations, step,
  type ApplyMsg, type Input, type Message, type Operation, type RaftState, type StartResult, type StepConfig, type Term,
} from '../core/index.js';
import type { Clock } from './clock.js';
import { NodeTimers } from './nodeTimers.js';
import type { Persister } from './persister.js';
import type { RandomSource } from './random.js';
import { DEFAULT_TIMING, type Timing } from './timing.js';
import type { Receiver, Transport } from './transport.js';

/** Receives committed entries one at a time, in index order. */
export type ApplyCallback = (msg: ApplyMsg) => void;

/** What a node needs from its surroundings besides peers and storage. */
export interface NodeEnvironment {
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly timing?: Timing;
  /** The core's configuration for every step (default RUNTIME_STEP_CONFIG). */
  readonly stepConfig?: StepConfig;
  /** Called after every step with the states before and after it (e.g. to log role changes). */
  readonly observe?: (before: RaftState, after: RaftState) => void;
}

/**
 * A live node caps each AppendEntries at 1024 entries, so a follower far behind (after a long
 * outage) is brought up in requests of bounded size, each acknowledgement sending the next.
 * The model accepts caps of 1..50 (`--max-entries-per-append`); its tests check a cap of 1
 * exhaustively and the random checker draws 1, 2 or 5. test/runtime/cappedCatchUp.test.ts runs
 * lab tests at a cap of 64 on the virtual clock, where the cap is reached.
 */
export const RUNTIME_STEP_CONFIG: StepConfig = { maxEntriesPerAppend: 1024 };

interface Batch {
  readonly ops: readonly Operation[];
  /** The batch's save, when it was handed to the persister ahead of its turn (group commit). */
  saved?: Promise<void>;
  /** Set once that save has settled successfully: the batch then runs without pausing. */
  durable?: boolean;
}

/**
 * A live Raft server: the core's `step`, unchanged, driven by timers, a transport and a
 * persister.
 *
 * Inputs are stepped one at a time, synchronously, in arrival order, so `start` answers at
 * once. Each step's effects are then carried out through the core's `runOperations`, in the
 * core's order (persist, send, apply, timers), and the effects of successive steps strictly
 * one batch after another: while a save is pending, later batches wait in `backlog`. So no
 * message or apply leaves before every save that precedes it is durable, even when the node's
 * in-memory state has run ahead of its disk. A crash (kill) drops the unexecuted rest, exactly
 * as a crash between two operations in the model checker.
 *
 * Group commit: while a save is pending, the saves of the batches queued behind it are handed
 * to the persister at once, in step order, so a disk persister can write them together under
 * one fsync. Each batch still sends and applies only after its own save (and every earlier
 * one) is durable; a crash then leaves on disk states whose messages were never sent, which
 * is a crash after a step's persist followed by message loss, a case the checker covers.
 *
 * Coalescing: an AppendEntries request is not sent the moment its batch runs but when the
 * drain next pauses (waiting for a save, or out of work), and then only the latest one per
 * peer. The latest carries the leader's newest log and commitIndex; an earlier one it replaces
 * is a lost message, and one sent later than its batch is a reordered one, both of which the
 * checker covers. Each still leaves only after its own batch's save is durable. Without this, a
 * burst of k client requests during one fsync would send each follower k requests of up to k
 * entries each.
 */
export class RaftNode implements Receiver {
  private state: RaftState;
  private dead = false;
  private readonly backlog: Batch[] = [];
  private draining = false;
  /** True while the drain waits for a save to settle. */
  private blocked = false;
  private readonly observe: ((before: RaftState, after: RaftState) => void) | undefined;
  private readonly stepConfig: StepConfig;
  /** The latest AppendEntries for each peer whose batch has run, to send when the drain pauses. */
  private readonly deferredAppends = new Map<number, Message>();
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
    this.state = restore(me, peers.clusterSize, persister.load() ?? EMPTY_PERSISTENT_STATE);
    this.observe = env.observe;
    this.stepConfig = env.stepConfig ?? RUNTIME_STEP_CONFIG;
    this.timers = new NodeTimers(
      env.clock,
      env.random,
      env.timing ?? DEFAULT_TIMING,
      () => this.input({ type: 'ElectionTimeout' }),
      () => this.input({ type: 'HeartbeatTick' }),
    );
  }

  /** Client request: answers at once (never waits for commit); a killed node is never leader. */
  start(command: unknown): StartResult {
    if (this.dead) return { index: -1, term: this.state.currentTerm, isLeader: false };
    const answer = this.input({ type: 'Start', command });
    return answer ?? { index: -1, term: this.state.currentTerm, isLeader: false };
  }

  getState(): { term: Term; isLeader: boolean } {
    return { term: this.state.currentTerm, isLeader: !this.dead && this.state.role === 'leader' };
  }

  /** Stops the node for good: timers off, inputs ignored, unexecuted effects dropped. */
  kill(): void {
    this.dead = true;
    this.timers.stopAll();
    this.backlog.length = 0;
    this.deferredAppends.clear();
  }

  get killed(): boolean {
    return this.dead;
  }

  /** The current core state (read-only; for tests and diagnostics). */
  get raftState(): RaftState {
    return this.state;
  }

  /** A message from a peer, request or reply alike; what the step sends back leaves through the transport after its save. */
  onReceive(message: Message): void {
    this.input({ type: 'Receive', message });
  }

  private input(input: Input): StartResult | undefined {
    if (this.dead) return undefined;
    const before = this.state;
    const result = step(before, input, this.stepConfig);
    this.state = result.state;
    this.backlog.push({ ops: operations(result) });
    if (this.blocked) this.saveAhead();
    this.observe?.(before, result.state);
    this.drain();
    return result.start;
  }

  /** Carries out queued batches in order; stops at a pending save and resumes when it settles. */
  private drain(): void {
    if (this.draining) return; // re-entered from an effect (e.g. an apply callback): the loop below continues
    this.draining = true;
    try {
      while (!this.dead) {
        const batch = this.backlog.shift();
        if (!batch) {
          if (this.deferredAppends.size === 0) break;
          this.sendDeferredAppends(); // a reply may arrive at once and queue another batch
          continue;
        }
        const pending = runOperations(batch.ops, (op) => this.carryOut(op, batch));
        if (pending) {
          this.blocked = true;
          pending.then(
            () => { this.blocked = false; this.draining = false; this.drain(); },
            (error: unknown) => this.fail(error),
          );
          this.saveAhead();
          this.sendDeferredAppends();
          return;
        }
      }
      this.draining = false;
    } catch (error) {
      this.fail(error); // an effect threw (a transport refusing a message, an apply callback): fail-stop
    }
  }

  /** Stops the node as a crash would, keeping the reason: nothing more of its effects happens. */
  private fail(error: unknown): void {
    if (this.failure === undefined) this.failure = error;
    this.kill();
    this.draining = false;
  }

  private sendDeferredAppends(): void {
    const requests = [...this.deferredAppends.values()];
    this.deferredAppends.clear();
    for (const m of requests) {
      if (this.dead) return;
      this.peers.send(m);
    }
  }

  /** Hands every queued batch's save to the persister now, in step order (group commit). */
  private saveAhead(): void {
    for (const batch of this.backlog) {
      const first = batch.ops[0];
      if (batch.saved || first?.kind !== 'persist') continue;
      const saved = this.persister.save(first.persist) ?? Promise.resolve();
      // A failure surfaces when the batch awaits the save in its turn.
      saved.then(() => { batch.durable = true; }, () => undefined);
      batch.saved = saved;
    }
  }

  private carryOut(op: Operation, batch: Batch): void | Promise<void> {
    if (this.dead) return; // crashed between two operations: the rest never happens
    switch (op.kind) {
      case 'persist':
        if (batch.durable) return; // saved ahead, and already durable
        return batch.saved ?? this.persister.save(op.persist);
      case 'send': {
        const m = op.message;
        if (m.type === 'AppendEntries') {
          this.deferredAppends.delete(m.to); // re-inserted last: peers are served in order of their latest request
          this.deferredAppends.set(m.to, m);
          return;
        }
        this.peers.send(m);
        return;
      }
      case 'apply':
        this.applyCallback(op.entry); // a callback typed void may still return a value: drop it
        return;
      case 'timer':
        this.timers.carryOut(op.directive);
        return;
    }
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
