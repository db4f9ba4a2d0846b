import type { Progress } from './types.js';

const INTERVAL_MS = 1000;

/** Throttles progress reports to about one a second; the rate is over the last interval. */
export class ProgressMeter {
  private lastAt = Date.now();
  private lastDistinct = 0;

  constructor(private readonly onProgress: ((p: Progress) => void) | undefined) {}

  /** Whether a report is due (cheap: call it often, then build the snapshot only when true). */
  due(): boolean {
    return this.onProgress !== undefined && Date.now() - this.lastAt >= INTERVAL_MS;
  }

  report(p: Omit<Progress, 'statesPerSecond' | 'heapUsedBytes'>, heapUsedBytes = process.memoryUsage().heapUsed): void {
    const now = Date.now();
    const seconds = Math.max(1e-3, (now - this.lastAt) / 1000);
    const statesPerSecond = Math.round((p.distinctStates - this.lastDistinct) / seconds);
    this.lastAt = now;
    this.lastDistinct = p.distinctStates;
    this.onProgress?.({ ...p, statesPerSecond, heapUsedBytes });
  }
}
