import { describe, expect, test } from 'vitest';
import { seededRandom } from '../../src/runtime/index.js';
import { messageFate, type NetworkSettings } from '../../src/runtime/sim/faults.js';

const LAB: NetworkSettings = { reliable: true, longReordering: false, delayMinMs: 0, delayMaxMs: 0 };

/** A scripted draw: the given values in order, and how many were taken. */
function script(...values: number[]): { readonly uniform: () => number; taken: () => number } {
  let i = 0;
  return {
    uniform: () => {
      if (i >= values.length) throw new Error(`draw ${i + 1} of ${values.length}`);
      return values[i++]!;
    },
    taken: () => i,
  };
}

/** Many fates from one seed. */
function fates(settings: NetworkSettings, request: boolean, n = 20_000) {
  const random = seededRandom(99);
  return Array.from({ length: n }, () => messageFate(settings, request, () => random.next()));
}

describe('the fault model (one function for SimNetwork and the playground)', () => {
  test('reliable: never lost, delayed uniformly in [min, max), one draw; none when the spread is empty', () => {
    const d = script(0.5);
    expect(messageFate({ ...LAB, delayMaxMs: 1 }, true, d.uniform)).toEqual({ lost: false, delayMs: 0.5 });
    expect(d.taken()).toBe(1);
    const none = script();
    expect(messageFate(LAB, false, none.uniform)).toEqual({ lost: false, delayMs: 0 });
    expect(none.taken()).toBe(0);
    const tenToTwenty = { ...LAB, delayMinMs: 10, delayMaxMs: 20 };
    const all = fates(tenToTwenty, true).concat(fates(tenToTwenty, false));
    expect(all.every((f) => !f.lost && f.delayMs >= 10 && f.delayMs < 20)).toBe(true);
  });

  test('unreliable, the lab\'s numbers: a request waits 0-26 ms then is lost with probability 0.1; a reply is lost with probability 0.1', () => {
    const unreliable = { ...LAB, reliable: false };
    const requests = fates(unreliable, true);
    const lostShare = requests.filter((f) => f.lost).length / requests.length;
    expect(lostShare).toBeGreaterThan(0.09);
    expect(lostShare).toBeLessThan(0.11);
    const delays = new Set(requests.flatMap((f) => (f.lost ? [] : [f.delayMs])));
    expect([...delays].sort((a, b) => a - b)).toEqual(Array.from({ length: 27 }, (_, i) => i));
    const replies = fates(unreliable, false);
    const replyLost = replies.filter((f) => f.lost).length / replies.length;
    expect(replyLost).toBeGreaterThan(0.09);
    expect(replyLost).toBeLessThan(0.11);
    // The draws, in order: a request's delay then its loss; a reply's loss.
    expect(messageFate(unreliable, true, script(0.5, 0.05).uniform)).toEqual({ lost: true });
    expect(messageFate(unreliable, true, script(0.5, 0.2).uniform)).toEqual({ lost: false, delayMs: 13 });
    expect(messageFate(unreliable, false, script(0.05).uniform)).toEqual({ lost: true });
  });

  test('long reordering: two thirds of replies wait 200 + rand(1 + rand(2000)) ms; requests are not reordered', () => {
    const long = { ...LAB, longReordering: true, delayMaxMs: 1 };
    const replies = fates(long, false);
    const late = replies.filter((f) => !f.lost && f.delayMs >= 200);
    expect(late.length / replies.length).toBeGreaterThan(0.64);
    expect(late.length / replies.length).toBeLessThan(0.69);
    expect(late.every((f) => !f.lost && f.delayMs <= 2199 && Number.isInteger(f.delayMs))).toBe(true);
    expect(replies.every((f) => !f.lost && (f.delayMs >= 200 || f.delayMs < 1))).toBe(true);
    expect(fates(long, true).every((f) => !f.lost && f.delayMs < 1)).toBe(true);
    expect(messageFate(long, false, script(0.1, 0.5, 0.5).uniform)).toEqual({ lost: false, delayMs: 200 + 500 });
  });
});
