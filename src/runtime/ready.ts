import type { Message, Operation, PersistEffect, ServerId } from '../core/index.js';

/**
 * What a node is to do next, one thing at a time:
 * - `save`: hand `persist` to the persister now, and report `saved(id)` once it is durable;
 * - any other operation of a step (send, apply, timer): carry it out now.
 */
export type ReadyAction =
  | { readonly kind: 'save'; readonly id: number; readonly persist: PersistEffect }
  | Exclude<Operation, { readonly kind: 'persist' }>;

interface Batch {
  readonly ops: readonly Operation[];
  /** The next operation to carry out. */
  at: number;
  /** The batch's save (its persist operation), once it has an id. */
  readonly save: { readonly id: number; issued: boolean; durable: boolean } | null;
}

/**
 * Between the steps of a node and its persister and transport: what piled up, what may leave
 * now, and in what order. Pure bookkeeping (no I/O, no timers, no promises): a node feeds it
 * each step's operations (`push`), reports each save durable (`saved`), and asks `next()` for
 * the one thing to do now, until it answers null (waiting for a save, or out of work).
 *
 * The rules, the core's effect order kept across steps:
 * - Steps are carried out strictly one after another, each in the core's order: nothing of a
 *   step (a message, an apply, a timer) is released before its own save and every earlier
 *   step's save are durable.
 * - Group commit: while the save of the step at the head is not durable, the saves of every
 *   step queued behind it are released at once, in step order, so a disk persister can write
 *   them under one fsync. Saves may complete in any order; steps still run in step order.
 * - Coalescing: a replication request (AppendEntries, or InstallSnapshot when the entries a
 *   follower needs are compacted away) is not released when its step runs but when the queue
 *   pauses (the head waits on a save, or no work is left), and then only the latest one per
 *   peer, peers in the order of their latest request. The latest carries the newest log,
 *   commitIndex and snapshot (so a burst of steps sends a lagging follower one snapshot, not
 *   one per step); one it replaced is a lost message, one released after later effects a
 *   reordered one: both are behaviours the model checker explores.
 * - A crash (`crash`) drops everything not yet released, as a crash between two operations
 *   does in the model; a failed save is one (the node fail-stops).
 */
export class ReadyQueue {
  private readonly batches: Batch[] = [];
  /** The latest replication request per peer whose step has run, in the order of their latest. */
  private readonly deferred = new Map<ServerId, Message>();
  private nextSaveId = 0;
  private stopped = false;

  /** A step's operations, in the core's order (operations(result)). */
  push(ops: readonly Operation[]): void {
    if (this.stopped) return;
    const save = ops.some((op) => op.kind === 'persist') ? { id: this.nextSaveId++, issued: false, durable: false } : null;
    this.batches.push({ ops, at: 0, save });
  }

  /** The save `id` is durable. (Unknown ids, e.g. after a crash, are ignored.) */
  saved(id: number): void {
    for (const batch of this.batches) {
      if (batch.save?.id === id) {
        batch.save.durable = true;
        return;
      }
    }
  }

  /** The one thing to do now, or null: nothing may happen until a save is reported durable, or more work is pushed. */
  next(): ReadyAction | null {
    if (this.stopped) return null;
    for (;;) {
      const head = this.batches[0];
      if (head === undefined) return this.takeDeferred();
      const op = head.ops[head.at];
      if (op === undefined) {
        this.batches.shift();
        continue;
      }
      if (op.kind === 'persist') {
        const save = head.save!;
        if (!save.issued) {
          save.issued = true;
          return { kind: 'save', id: save.id, persist: op.persist };
        }
        if (!save.durable) return this.saveAhead() ?? this.takeDeferred();
        head.at++;
        continue;
      }
      head.at++;
      if (op.kind === 'send' && (op.message.type === 'AppendEntries' || op.message.type === 'InstallSnapshot')) {
        this.deferred.delete(op.message.to); // re-inserted last: peers go in the order of their latest request
        this.deferred.set(op.message.to, op.message);
        continue;
      }
      return op;
    }
  }

  /** Drops everything not yet released; nothing more is answered. */
  crash(): void {
    this.stopped = true;
    this.batches.length = 0;
    this.deferred.clear();
  }

  /** Steps queued (including the one running), for diagnostics and tests. */
  get queuedSteps(): number {
    return this.batches.length;
  }

  /** Group commit: the first save queued behind the head not yet released. */
  private saveAhead(): ReadyAction | null {
    for (const batch of this.batches) {
      const save = batch.save;
      if (save === null || save.issued) continue;
      save.issued = true;
      const persist = batch.ops.find((op) => op.kind === 'persist');
      if (persist?.kind === 'persist') return { kind: 'save', id: save.id, persist: persist.persist };
    }
    return null;
  }

  private takeDeferred(): ReadyAction | null {
    const first = this.deferred.entries().next();
    if (first.done) return null;
    const [peer, message] = first.value;
    this.deferred.delete(peer);
    return { kind: 'send', message };
  }
}
