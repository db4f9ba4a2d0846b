import type { RandomSource } from '../random.js';

export interface BackoffSettings {
  readonly initialMs: number;
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffSettings = { initialMs: 50, maxMs: 1000 };

/**
 * Exponential backoff with jitter: after the n-th failure in a row the wait is drawn uniformly
 * from [d/2, d), d = min(maxMs, initialMs * 2^(n-1)). Half the wait is fixed, so retries do
 * not hammer a dead peer; half is random, so servers that lost a peer at the same moment do not
 * retry in lockstep.
 */
export class Backoff {
  private failures = 0;

  constructor(private readonly settings: BackoffSettings, private readonly random: RandomSource) {}

  /** Records a failure; returns how long to wait before the next attempt. */
  fail(): number {
    this.failures++;
    const ceiling = Math.min(this.settings.maxMs, this.settings.initialMs * 2 ** Math.min(this.failures - 1, 30));
    return ceiling / 2 + this.random.next() * (ceiling / 2);
  }

  succeed(): void {
    this.failures = 0;
  }

  /** Failures in a row so far. */
  get streak(): number {
    return this.failures;
  }
}
