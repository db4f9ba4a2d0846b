import type { Role } from '../core/index.js';
import type { Timing } from './timing.js';

/**
 * The timer rule, written once for the live node (nodeTimers.ts) and the playground
 * (web/playground/sim.ts): a server's election timer always runs. Whenever it fires it is
 * re-armed at once with a fresh random timeout (as on 'resetElectionTimer'), and the server
 * times out (stands for election) unless it leads: a leader ignores it, as the core does.
 *
 * Why it keeps running: the core says only 'stopHeartbeat' when a leader steps down, so a timer
 * that stopped on firing would leave a deposed leader that hears from no new leader unable ever
 * to stand again. No Node API here: the playground bundles this file.
 */
export function timesOutOnElectionTimer(role: Role): boolean {
  return role !== 'leader';
}

/** A fresh election timeout: uniform in [min, max) ms, from a uniform draw in [0, 1). */
export function electionTimeoutMs(timing: Pick<Timing, 'electionTimeoutMinMs' | 'electionTimeoutMaxMs'>, uniform: number): number {
  return timing.electionTimeoutMinMs + uniform * (timing.electionTimeoutMaxMs - timing.electionTimeoutMinMs);
}
