import type { ApplyMsg, MembershipResult, Message, StartResult, StepConfig, TimerDirective } from './types.js';

/** What a handler emits besides the next state; filled while the draft is being edited. */
export interface Outbox {
  /** The step's configuration, for the handlers that need it. */
  readonly config: StepConfig;
  readonly messages: Message[];
  readonly apply: ApplyMsg[];
  readonly timers: TimerDirective[];
  start?: StartResult;
  membership?: MembershipResult;
}

export function newOutbox(config: StepConfig): Outbox {
  return { config, messages: [], apply: [], timers: [] };
}

export function setTimer(out: Outbox, directive: TimerDirective): void {
  if (!out.timers.includes(directive)) out.timers.push(directive);
}
