/**
 * Time as the runtime sees it. Everything that waits (election and heartbeat timers, network
 * delays, the lab harness's sleeps) goes through a Clock, so a test can swap real time for the
 * deterministic virtual clock (sim/virtualClock.ts) and replay a run exactly.
 */
export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since an arbitrary origin; never goes backwards. */
  now(): number;
  /** Runs `fn` once, `ms` from now (0 = as soon as possible, but never synchronously). */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  sleep(ms: number): Promise<void>;
}

/** Wall-clock time through Node's own timers. */
export const realClock: Clock = {
  now: () => performance.now(),
  setTimeout(fn, ms) {
    const timer = setTimeout(fn, Math.max(0, ms));
    return { cancel: () => clearTimeout(timer) };
  },
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};
