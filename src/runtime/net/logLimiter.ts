import type { Clock, TimerHandle } from '../clock.js';
import type { NetLogger } from './counters.js';

/**
 * Bounds the log lines one kind of event can make: a flood of bad connections must not
 * become a flood of lines (the log is the operator's, and the disk's). In every window of
 * `intervalMs`, opened by its first line, the first `burst` lines are logged as they come; the
 * rest are counted and told in one summary line when the window ends (or at close).
 */
export class LogLimiter {
  private logged = 0;
  private suppressed = 0;
  private window: TimerHandle | null = null;

  /** `what`: the events counted, for the summary ("unauthenticated connections refused"). */
  constructor(
    private readonly log: NetLogger,
    private readonly clock: Clock,
    private readonly what: string,
    private readonly burst = 10,
    private readonly intervalMs = 10_000,
  ) {}

  line(text: string): void {
    if (this.window === null) this.window = this.clock.setTimeout(() => this.endWindow(), this.intervalMs);
    if (this.logged < this.burst) {
      this.logged++;
      this.log(text);
    } else {
      this.suppressed++;
    }
  }

  /** Logs what the open window held back, and stops its timer. */
  close(): void {
    this.window?.cancel();
    this.endWindow();
  }

  private endWindow(): void {
    this.window = null;
    if (this.suppressed > 0) this.log(`${this.suppressed} more ${this.what} in the last ${Math.round(this.intervalMs / 1000)} s (the first ${this.burst} were logged)`);
    this.logged = 0;
    this.suppressed = 0;
  }
}
