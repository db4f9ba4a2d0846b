/**
 * The core's cap on entries per AppendEntries, live: lab tests that leave followers far behind,
 * on the virtual clock, with every node capping its requests at 64 entries. They must pass, and
 * the cap must have been reached (so catch-up went through the acknowledgement-sends-the-next
 * path). The model checks the same code at caps of 1..50 for safety; this is its liveness.
 */
import { afterEach, describe, expect, test, vi } from 'vitest';
import { SimNetwork } from '../../src/runtime/index.js';
import { envFor, runLabTest } from '../lab/harness/runner.js';
import { LAB_2B } from '../lab/suite/lab2B.js';
import { LAB_2C } from '../lab/suite/lab2C.js';

const CAP = 64;
const TESTS = [...LAB_2B, ...LAB_2C].filter((t) => t.name === 'TestBackup2B' || t.name === 'TestFigure8Unreliable2C');

describe(`lab tests on the virtual clock with maxEntriesPerAppend ${CAP}`, () => {
  afterEach(() => { vi.restoreAllMocks(); });

  test.each(TESTS.flatMap((t) => [1, 2].map((seed) => [t.name, seed, t] as const)))('%s, seed %i', async (_name, seed, t) => {
    let appends = 0;
    let full = 0;
    const attach = SimNetwork.prototype.attach;
    vi.spyOn(SimNetwork.prototype, 'attach').mockImplementation(function (this: SimNetwork, id, receiver) {
      const transport = attach.call(this, id, receiver);
      return {
        clusterSize: transport.clusterSize,
        send: (message) => {
          if (message.type === 'AppendEntries') {
            appends++;
            expect(message.entries.length).toBeLessThanOrEqual(CAP);
            if (message.entries.length === CAP) full++;
          }
          transport.send(message);
        },
      };
    });
    // The plain algorithm (PreVote and CheckQuorum off): its needless elections leave followers
    // far enough behind for catch-up to fill whole capped requests, which is what this checks.
    await runLabTest(t, envFor(t, 'sim', seed, undefined, { maxEntriesPerAppend: CAP }));
    expect(appends).toBeGreaterThan(0);
    expect(full, 'requests that carried the whole cap').toBeGreaterThan(10);
  });
});
