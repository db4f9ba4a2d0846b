import type { Role, TimerDirective } from '../core/index.js';
import type { Clock, TimerHandle } from './clock.js';
import type { RandomSource } from './random.js';
import { electionChanged, heartbeatChanged, STOPPED_TIMERS, timersOn, timesOutOnElectionTimer, type ServerTimers, type TimerEvent } from './timerRule.js';
import type { Timing } from './timing.js';

/**
 * A node's two timers on a clock, carrying out the core's timer directives. What they are is
 * the timer rule's bookkeeping (timerRule.ts `timersOn`, the playground's too): the election
 * timer always runs, re-armed whenever it fires or the core says 'resetElectionTimer', and its
 * firing is an election timeout unless the node leads without checkQuorum (`role` is read at the firing); the
 * heartbeat ticks every interval between 'startHeartbeat' and 'stopHeartbeat'. This class only
 * keeps one clock timer per timer at the time the bookkeeping says.
 */
export class NodeTimers {
  private timers: ServerTimers = STOPPED_TIMERS;
  private election: TimerHandle | null = null;
  private heartbeat: TimerHandle | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly random: RandomSource,
    private readonly timing: Timing,
    private readonly role: () => Role,
    private readonly onElectionTimeout: () => void,
    private readonly onHeartbeatTick: () => void,
    /** StepConfig.checkQuorum: a leader's firing is its quorum check, so it is fed to the core too. */
    private readonly checkQuorum = false,
  ) {
    this.on('start');
  }

  carryOut(directive: TimerDirective): void {
    this.on(directive);
  }

  stopAll(): void {
    this.on('stop');
  }

  private on(event: TimerEvent): void {
    const now = this.clock.now();
    const { timers, changed } = timersOn(this.timers, event, now, this.timing, () => this.random.next(), { checkQuorum: this.checkQuorum });
    this.timers = timers;
    if (electionChanged(changed)) {
      this.election?.cancel();
      this.election = timers.electionAt === null ? null : this.clock.setTimeout(() => {
        this.on('electionFired');
        if (timesOutOnElectionTimer(this.role(), { checkQuorum: this.checkQuorum })) this.onElectionTimeout();
      }, timers.electionAt - now);
    }
    if (heartbeatChanged(changed)) {
      this.heartbeat?.cancel();
      this.heartbeat = timers.heartbeatAt === null ? null : this.clock.setTimeout(() => {
        this.on('heartbeatFired');
        this.onHeartbeatTick();
      }, timers.heartbeatAt - now);
    }
  }
}
