import type { ApplyMsg, Message, PersistEffect, StepResult, TimerDirective } from './types.js';

/**
 * The contract's effect order, as data: persist first (durably), then send, then apply, then
 * timers. A node never answers an RPC on state that is not yet durable (Figure 2: "updated on
 * stable storage before responding to RPCs"). Both the live runtime and the model checker carry
 * out this one list through `runOperations`, so the model checks the order the runtime uses.
 */
export type Operation =
  | { readonly kind: 'persist'; readonly persist: PersistEffect }
  | { readonly kind: 'send'; readonly message: Message }
  | { readonly kind: 'apply'; readonly entry: ApplyMsg }
  | { readonly kind: 'timer'; readonly directive: TimerDirective };

export function operations(result: StepResult): readonly Operation[] {
  const ops: Operation[] = [];
  if (result.persist) ops.push({ kind: 'persist', persist: result.persist });
  for (const message of result.messages) ops.push({ kind: 'send', message });
  for (const entry of result.apply) ops.push({ kind: 'apply', entry });
  for (const directive of result.timers) ops.push({ kind: 'timer', directive });
  return ops;
}

/** Carries out one operation; may return a promise (a durable write) that must settle first. */
export type OperationSink = (op: Operation) => void | Promise<void>;

/**
 * Carries out `ops[0 .. limit)` in order. Synchronous while the sink is; when the sink returns a
 * promise, the rest waits for it (so an awaited persist precedes every send of its step).
 * `limit` lets a model checker crash a server between any two operations.
 */
export function runOperations(ops: readonly Operation[], sink: OperationSink, limit = ops.length): void | Promise<void> {
  const end = Math.min(limit, ops.length);
  for (let i = 0; i < end; i++) {
    const pending = sink(ops[i]!);
    if (pending !== undefined) return pending.then(() => runOperations(ops.slice(i + 1), sink, end - i - 1));
  }
}
