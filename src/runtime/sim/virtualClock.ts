import type { Clock, TimerHandle } from '../clock.js';

interface Pending {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
  cancelled: boolean;
}

/**
 * Deterministic simulated time. Timers fire in (time, creation order), and time only moves
 * when the program is idle: before each timer runs, the driver yields one macrotask
 * (setImmediate), by which point every promise continuation of the previous timer has run.
 * So the order of everything that happens is a function of the code and the seeded random
 * source alone, and a run replays exactly; idle waits cost nothing, so it runs far faster
 * than real time. Nothing under a VirtualClock may wait on real I/O or real timers.
 */
export class VirtualClock implements Clock {
  private time = 0;
  private seq = 0;
  private readonly heap: Pending[] = [];
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
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const pending: Pending = { at: this.time + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    this.push(pending);
    const wake = this.wake;
    if (wake) {
      this.wake = null;
      wake();
    }
    return { cancel: () => { pending.cancelled = true; } };
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
      const next = this.popLive();
      if (!next) {
        await new Promise<void>((resolve) => { this.wake = resolve; });
        continue;
      }
      this.time = next.at;
      this.events++;
      try {
        next.fn();
      } catch (error) {
        this.failure = error;
        this.stopped = true;
      }
    }
  }

  private popLive(): Pending | undefined {
    for (;;) {
      const top = this.pop();
      if (!top || !top.cancelled) return top;
    }
  }

  // ---- a binary min-heap on (at, seq) ----

  private static before(x: Pending, y: Pending): boolean {
    return x.at < y.at || (x.at === y.at && x.seq < y.seq);
  }

  private push(p: Pending): void {
    const h = this.heap;
    h.push(p);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!VirtualClock.before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private pop(): Pending | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length === 0 || !last) return top;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && VirtualClock.before(h[l]!, h[m]!)) m = l;
      if (r < h.length && VirtualClock.before(h[r]!, h[m]!)) m = r;
      if (m === i) return top;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}
