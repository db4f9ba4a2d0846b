/**
 * The node's timer settings. The lab asks for at most ~10 heartbeats a second, election
 * timeouts well above the paper's 150-300 ms (its RPCs are slower), and a new leader within
 * 5 s of a failure. 100 ms heartbeats leave 4-8 heartbeat periods per election timeout, so a
 * few lost heartbeats (10% loss on the unreliable network) or a stalled event loop on a busy
 * machine do not start needless elections; a 400 ms spread makes split votes rare.
 */
export interface Timing {
  readonly electionTimeoutMinMs: number;
  readonly electionTimeoutMaxMs: number;
  readonly heartbeatIntervalMs: number;
}

export const DEFAULT_TIMING: Timing = {
  electionTimeoutMinMs: 400,
  electionTimeoutMaxMs: 800,
  heartbeatIntervalMs: 100,
};
