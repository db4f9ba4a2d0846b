/**
 * The fault model of the one simulated world, written once: what becomes of a message that a
 * link carries, as a pure function of the network's settings and random draws. SimNetwork
 * (the lab's numbers: labrpc's) and the playground (a reliable network of 10-20 ms) both call
 * it; each reads its links itself (see `messageFate`). No Node API: the playground bundles
 * this file.
 */
export interface NetworkSettings {
  /** Unreliable: requests are delayed 0-26 ms and lost with probability 0.1, replies lost with probability 0.1. */
  readonly reliable: boolean;
  /** Replies: with probability 2/3 delayed 200 + rand(1 + rand(2000)) ms (labrpc's long reordering). */
  readonly longReordering: boolean;
  /** Every other delay (a reliable request, any reply not long-reordered): uniform in [min, max) ms, drawn only when max > min. */
  readonly delayMinMs: number;
  readonly delayMaxMs: number;
}

/** A uniform draw in [0, 1), consulted only as often as the fate needs. */
export type Uniform = () => number;

export type Fate = { readonly lost: true } | { readonly lost: false; readonly delayMs: number };

const LOST: Fate = { lost: true };

/** A uniform integer in [0, n), as RandomSource.int draws it. */
const int = (uniform: Uniform, n: number): number => Math.floor(uniform() * n);

function delay(settings: NetworkSettings, uniform: Uniform): number {
  const { delayMinMs: min, delayMaxMs: max } = settings;
  return max > min ? min + uniform() * (max - min) : min;
}

/**
 * The fate of one message on a link that carries: lost, or delivered after `delayMs`. The link
 * and the ends are the caller's to read, where its model says: SimNetwork at the send (as
 * labrpc reads its enabled flags), the playground at the arrival (the message is in the model's
 * network, visible in flight, until it arrives or a cut link loses it). The draws come in a
 * fixed order (a request: its delay, then its loss; a reply: its loss, then its delay), so a
 * run is a function of its seed.
 */
export function messageFate(settings: NetworkSettings, request: boolean, uniform: Uniform): Fate {
  if (request) {
    if (settings.reliable) return { lost: false, delayMs: delay(settings, uniform) };
    const delayMs = int(uniform, 27);
    return int(uniform, 1000) < 100 ? LOST : { lost: false, delayMs };
  }
  if (!settings.reliable && int(uniform, 1000) < 100) return LOST;
  if (settings.longReordering && int(uniform, 900) < 600) {
    const spread = int(uniform, 2000);
    return { lost: false, delayMs: 200 + int(uniform, 1 + spread) };
  }
  return { lost: false, delayMs: delay(settings, uniform) };
}
