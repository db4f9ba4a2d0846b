import type { Clock, TimerHandle } from '../clock.js';
import { cancel, emptyTimeline, pop, schedule, type Timeline } from './timeline.js';

/**
 * Deterministic simulated time: a mutable driver over the pure timeline (timeline.ts), whose
 * events are the timers' callbacks. Timers fire in (time, creation order), and time only moves
 * when the program is idle: before each timer runs, the driver yields one macrotask
 * (setImmediate), by which point every promise continuation of the previous timer has run.
 * So the order of everything that happens is a function of the code and the seeded random
 * source alone, and a run replays exactly; idle waits cost nothing, so it runs far faster
 * than real time. Nothing under a VirtualClock may wait on real I/O or real timers.
 */
export class VirtualClock implements Clock {
  private timeline: Timeline<() => void> = emptyTimeline();
  private stopped = false;
  private wake: (() => void) | null = null;
  /** The first exception a timer callback threw; the driver stops at it. */
  failure: unknown = undefined;
  /** Timer callbacks run so far (a cheap fingerprint of a run, and a measure of its work). */
  events = 0;

  constructor() {
    void this.drive();
  }

  now(): number {
    return this.timeline.now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const { timeline, scheduled } = schedule(this.timeline, this.timeline.now + Math.max(0, ms), fn);
    this.timeline = timeline;
    const wake = this.wake;
    if (wake) {
      this.wake = null;
      wake();
    }
    return { cancel: () => { this.timeline = cancel(this.timeline, scheduled); } };
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => { this.setTimeout(resolve, ms); });
  }

  /** Stops the driver; timers not yet fired never fire (their sleepers stay pending). */
  stop(): void {
    this.stopped = true;
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private async drive(): Promise<void> {
    while (!this.stopped) {
      // A macrotask boundary: every microtask queued so far (promise chains) settles first.
      await new Promise<void>((resolve) => setImmediate(resolve));
      const popped = pop(this.timeline);
      if (!popped) {
        await new Promise<void>((resolve) => { this.wake = resolve; });
        continue;
      }
      this.timeline = popped.timeline;
      this.events++;
      try {
        popped.fired.event();
      } catch (error) {
        this.failure = error;
        this.stopped = true;
      }
    }
  }
}
