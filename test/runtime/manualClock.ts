import type { Clock, TimerHandle } from '../../src/runtime/index.js';

/** A clock whose timers fire only when a test says so: for stepping a node by hand. */
export class ManualClock implements Clock {
  private time = 0;
  readonly timers: { at: number; fn: () => void; cancelled: boolean }[] = [];

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer = { at: this.time + ms, fn, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => { timer.cancelled = true; } };
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => { this.setTimeout(resolve, ms); });
  }

  /** Fires the earliest live timer, moving time to it. */
  fireNext(): void {
    const live = this.timers.filter((t) => !t.cancelled).sort((a, b) => a.at - b.at);
    const next = live[0];
    if (!next) throw new Error('no timer pending');
    next.cancelled = true;
    this.time = next.at;
    next.fn();
  }

  pending(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }
}
