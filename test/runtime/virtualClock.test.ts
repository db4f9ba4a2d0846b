import { describe, expect, test } from 'vitest';
import { VirtualClock } from '../../src/runtime/index.js';
import { simEnv } from '../lab/harness/env.js';
import { runLabTest } from '../lab/harness/runner.js';
import { LAB_2A } from '../lab/suite/lab2A.js';
import { LAB_2B } from '../lab/suite/lab2B.js';

describe('VirtualClock', () => {
  test('fires timers in time order, ties in creation order, and sleeps cost no real time', async () => {
    const clock = new VirtualClock();
    const order: string[] = [];
    clock.setTimeout(() => order.push('b@20'), 20);
    clock.setTimeout(() => order.push('a@10'), 10);
    clock.setTimeout(() => order.push('c@20'), 20);
    const cancelled = clock.setTimeout(() => order.push('never'), 15);
    cancelled.cancel();
    const wall = performance.now();
    await clock.sleep(60_000);
    expect(performance.now() - wall).toBeLessThan(1000);
    expect(order).toEqual(['a@10', 'b@20', 'c@20']);
    expect(clock.now()).toBe(60_000);
    clock.stop();
  });

  test('every promise continuation of a timer settles before time moves on', async () => {
    const clock = new VirtualClock();
    const seen: string[] = [];
    clock.setTimeout(() => {
      void Promise.resolve().then(() => Promise.resolve()).then(() => seen.push(`chain@${clock.now()}`));
    }, 5);
    clock.setTimeout(() => seen.push(`next@${clock.now()}`), 6);
    await clock.sleep(10);
    expect(seen).toEqual(['chain@5', 'next@6']);
    clock.stop();
  });
});

describe('simulation replays from its seed', () => {
  const cases = [LAB_2A[1]!, LAB_2B[7]!];
  for (const labTest of cases) {
    test(`${labTest.name} twice with one seed: same virtual time, same timer count`, async () => {
      const fingerprints: string[] = [];
      for (let run = 0; run < 2; run++) {
        const env = simEnv(12345);
        await runLabTest(labTest, env);
        fingerprints.push(env.fingerprint());
      }
      expect(fingerprints[0]).toBe(fingerprints[1]);
      const other = simEnv(54321);
      await runLabTest(labTest, other);
      expect(other.fingerprint()).not.toBe(fingerprints[0]);
    });
  }
});
