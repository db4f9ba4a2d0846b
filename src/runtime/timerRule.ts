import type { Role, StepConfig, TimerDirective } from '../core/index.js';
import type { Timing } from './timing.js';

/**
 * The timer rule and its bookkeeping, written once for the live node (nodeTimers.ts) and the
 * playground (web/playground/sim.ts): a server's election timer always runs. Whenever it fires it is
 * re-armed at once with a fresh random timeout (as on 'resetElectionTimer'), and the server
 * times out (stands for election) unless it leads: a leader ignores it, as the core does, except
 * with StepConfig.checkQuorum, where each firing is the leader's quorum check (as in etcd-io/raft).
 *
 * Why it keeps running: the core says only 'stopHeartbeat' when a leader steps down, so a timer
 * that stopped on firing would leave a deposed leader that hears from no new leader unable ever
 * to stand again. No Node API here: the playground bundles this file.
 */
export function timesOutOnElectionTimer(role: Role, config: Pick<StepConfig, 'checkQuorum'>): boolean {
  return role !== 'leader' || config.checkQuorum === true;
}

/** A fresh election timeout: uniform in [min, max) ms, from a uniform draw in [0, 1). */
export function electionTimeoutMs(timing: Pick<Timing, 'electionTimeoutMinMs' | 'electionTimeoutMaxMs'>, uniform: number): number {
  return timing.electionTimeoutMinMs + uniform * (timing.electionTimeoutMaxMs - timing.electionTimeoutMinMs);
}

/**
 * A server's two timers as a value: the bookkeeping of how timer directives are carried out,
 * written once for NodeTimers (which keeps a real or virtual clock's timers in step with it) and
 * the playground (whose timeline holds the firings).
 */
export interface ServerTimers {
  /** When the election timer fires; null once the timers are stopped (a killed or crashed server). */
  readonly electionAt: number | null;
  /** When the election timer was last armed (its full length is electionAt - electionArmedAt). */
  readonly electionArmedAt: number;
  /** When the heartbeat next ticks; null when it does not tick (not leading, or stopped). */
  readonly heartbeatAt: number | null;
}

/** What moves a server's timers: the core's directives, a timer firing, and the server starting or stopping. */
export type TimerEvent = TimerDirective | 'start' | 'stop' | 'electionFired' | 'heartbeatFired';

export const STOPPED_TIMERS: ServerTimers = { electionAt: null, electionArmedAt: 0, heartbeatAt: null };

/** Which timers an event set anew (re-armed or stopped): their pending firings are replaced by the new times. */
export type TimersChanged = 'election' | 'heartbeat' | 'both' | null;

export interface TimersStep {
  readonly timers: ServerTimers;
  readonly changed: TimersChanged;
}

/**
 * The timers after `event` at `now`. The election timer always runs while the server does:
 * armed at the start, re-armed with a fresh timeout whenever it fires or the core says
 * 'resetElectionTimer' (whether the firing is a timeout is `timesOutOnElectionTimer`'s to say).
 * The heartbeat ticks every interval from 'startHeartbeat' (the first tick one interval on: a
 * new leader's step already broadcast) to 'stopHeartbeat'. Once stopped, nothing but 'start'
 * moves them. `uniform` is drawn once per arming of the election timer (with checkQuorum: of a non-leader's), and only then, so a
 * seeded run draws the same numbers however its timers are kept.
 */
export function timersOn(timers: ServerTimers, event: TimerEvent, now: number, timing: Timing, uniform: () => number, config: Pick<StepConfig, 'checkQuorum'> = {}): TimersStep {
  const running = timers.electionAt !== null;
  // With checkQuorum a leader (its heartbeat ticks) arms a fixed electionTimeoutMinMs, drawing
  // nothing: each firing is its quorum check, every minimum election timeout as in etcd-io/raft,
  // so a leader that hears no majority steps down within two of them (and followers, whose
  // timeouts are at least that, have not yet stood). Without checkQuorum a leader ignores its
  // timer, which is drawn as before (so a seeded run of the plain algorithm draws what it always did).
  const fixed = config.checkQuorum === true;
  const armElection = (heartbeatAt: number | null): ServerTimers =>
    ({ electionAt: now + (fixed && heartbeatAt !== null ? timing.electionTimeoutMinMs : electionTimeoutMs(timing, uniform())), electionArmedAt: now, heartbeatAt });
  switch (event) {
    case 'start':
      return { timers: armElection(null), changed: 'both' };
    case 'stop':
      return { timers: STOPPED_TIMERS, changed: 'both' };
    case 'resetElectionTimer':
    case 'electionFired':
      return running ? { timers: armElection(timers.heartbeatAt), changed: 'election' } : { timers, changed: null };
    case 'startHeartbeat':
      return running ? { timers: { ...timers, heartbeatAt: now + timing.heartbeatIntervalMs }, changed: 'heartbeat' } : { timers, changed: null };
    case 'heartbeatFired':
      return running && timers.heartbeatAt !== null
        ? { timers: { ...timers, heartbeatAt: now + timing.heartbeatIntervalMs }, changed: 'heartbeat' }
        : { timers, changed: null };
    case 'stopHeartbeat':
      return { timers: { ...timers, heartbeatAt: null }, changed: 'heartbeat' };
  }
}

export const electionChanged = (changed: TimersChanged): boolean => changed === 'election' || changed === 'both';
export const heartbeatChanged = (changed: TimersChanged): boolean => changed === 'heartbeat' || changed === 'both';
