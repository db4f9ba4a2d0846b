/**
 * PreVote and CheckQuorum live: the runtime (both on, RUNTIME_STEP_CONFIG) in the simulated world,
 * five servers under a steady client load, one-way and two-way link faults (test/runtime/sim/partitions.ts).
 * The deaf-leader case is also run with both options off, where it must stall: so the test can fail.
 */
import { describe, expect, test } from 'vitest';
import { ELECTION_TIMEOUT_MS, FAULT_MS, OPTIONS_OFF, OPTIONS_ON, PATTERNS, runPattern } from './sim/partitions.js';

const SEEDS = [1, 2, 3, 4, 5];

describe('PreVote and CheckQuorum in the simulated world (5 servers, virtual clock)', () => {
  test.each(SEEDS)('a deaf leader (it sends, hears nobody) is replaced within 2 election timeouts by the 4 connected servers, seed %i', async (seed) => {
    const r = await runPattern('deaf leader', seed, OPTIONS_ON);
    expect(r.replacedAfterMs).not.toBeNull();
    expect(r.replacedAfterMs!).toBeLessThanOrEqual(2 * ELECTION_TIMEOUT_MS);
    expect(r.longestWithoutCommitMs).toBeLessThanOrEqual(2 * ELECTION_TIMEOUT_MS);
  });

  test.each(SEEDS)('with both options off the same deaf leader holds the cluster: nobody replaces it and nothing commits, seed %i', async (seed) => {
    const r = await runPattern('deaf leader', seed, OPTIONS_OFF);
    expect(r.replacedAfterMs).toBeNull();
    expect(r.longestWithoutCommitMs).toBeGreaterThanOrEqual(FAULT_MS);
  });

  test.each(SEEDS)('a flapping one-way link (leader to one follower) raises no term while the leader is healthy, seed %i', async (seed) => {
    const r = await runPattern('flapping one-way link', seed, OPTIONS_ON);
    expect(r.termsCreated).toBe(0);
  });

  test('with both options off the flapping link does raise terms (the follower stands each time it is cut off)', async () => {
    expect((await runPattern('flapping one-way link', 1, OPTIONS_OFF)).termsCreated).toBeGreaterThan(0);
  });

  test.each(PATTERNS.flatMap((p) => SEEDS.map((seed) => [p, seed] as const)))('after %s heals, the cluster commits again within 2 election timeouts, seed %i', async (pattern, seed) => {
    const r = await runPattern(pattern, seed, OPTIONS_ON);
    expect(r.commitAfterHealMs).not.toBeNull();
    expect(r.commitAfterHealMs!).toBeLessThanOrEqual(2 * ELECTION_TIMEOUT_MS);
  });
});
