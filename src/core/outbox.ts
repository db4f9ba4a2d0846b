import type { ApplyMsg, Message, StartResult, TimerDirective } from './types.js';

/** What a handler emits besides the next state; filled while the draft is being edited. */
export interface Outbox {
  readonly messages: Message[];
  readonly apply: ApplyMsg[];
  readonly timers: TimerDirective[];
  start?: StartResult;
}

export function newOutbox(): Outbox {
  return { messages: [], apply: [], timers: [] };
}

export function setTimer(out: Outbox, directive: TimerDirective): void {
  if (!out.timers.includes(directive)) out.timers.push(directive);
}
