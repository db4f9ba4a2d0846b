import type { Role, TimerDirective } from '../core/index.js';
import type { Clock, TimerHandle } from './clock.js';
import type { RandomSource } from './random.js';
import { electionTimeoutMs, timesOutOnElectionTimer } from './timerRule.js';
import type { Timing } from './timing.js';

/**
 * A node's two timers, carrying out the core's timer directives.
 *
 * The election timer follows the timer rule (timerRule.ts): it always runs, re-armed with a
 * fresh random timeout whenever it fires (as well as on 'resetElectionTimer'), and its firing
 * is an election timeout unless the node leads (`role` is read at the firing).
 *
 * The heartbeat timer ticks every interval between 'startHeartbeat' and 'stopHeartbeat'. The
 * first tick comes one interval after the start: a new leader's step already broadcast.
 */
export class NodeTimers {
  private election: TimerHandle | null = null;
  private heartbeat: TimerHandle | null = null;
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly random: RandomSource,
    private readonly timing: Timing,
    private readonly role: () => Role,
    private readonly onElectionTimeout: () => void,
    private readonly onHeartbeatTick: () => void,
  ) {
    this.resetElection();
  }

  carryOut(directive: TimerDirective): void {
    switch (directive) {
      case 'resetElectionTimer':
        return this.resetElection();
      case 'startHeartbeat':
        return this.startHeartbeat();
      case 'stopHeartbeat':
        return this.stopHeartbeat();
    }
  }

  stopAll(): void {
    this.stopped = true;
    this.election?.cancel();
    this.election = null;
    this.stopHeartbeat();
  }

  private resetElection(): void {
    if (this.stopped) return;
    this.election?.cancel();
    this.election = this.clock.setTimeout(() => {
      this.resetElection();
      if (timesOutOnElectionTimer(this.role())) this.onElectionTimeout();
    }, electionTimeoutMs(this.timing, this.random.next()));
  }

  private startHeartbeat(): void {
    if (this.stopped) return;
    this.heartbeat?.cancel();
    const tick = (): void => {
      this.heartbeat = this.clock.setTimeout(() => {
        tick();
        this.onHeartbeatTick();
      }, this.timing.heartbeatIntervalMs);
    };
    tick();
  }

  private stopHeartbeat(): void {
    this.heartbeat?.cancel();
    this.heartbeat = null;
  }
}
