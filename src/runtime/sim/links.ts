import type { ServerId } from '../../core/index.js';

/**
 * Which links of a simulated network carry, per direction: `links[from]` has bit `to` set when
 * the link from→to is cut, so a one-way partition is a single bit. A plain readonly value, so a
 * simulation that is itself a value (the playground) holds it as is, and a mutable network
 * (SimNetwork) swaps it. No Node API: the playground bundles this file.
 */
export type Links = readonly number[];

/** Bit masks of 32-bit integers: far more servers than any simulation runs. */
export const MAX_LINKED_SERVERS = 31;

/** Every link of `servers` servers carries. */
export function allConnected(servers: number): Links {
  if (!(Number.isSafeInteger(servers) && servers >= 1 && servers <= MAX_LINKED_SERVERS)) {
    throw new RangeError(`servers = ${servers}, not in 1..${MAX_LINKED_SERVERS}`);
  }
  return new Array<number>(servers).fill(0);
}

export function isCut(links: Links, from: ServerId, to: ServerId): boolean {
  return ((links[from] ?? 0) & (1 << to)) !== 0;
}

/** The links with from→to cut or carrying (one direction only). */
export function withLink(links: Links, from: ServerId, to: ServerId, cut: boolean): Links {
  if (links[from] === undefined || links[to] === undefined) throw new RangeError(`no link ${from}→${to} among ${links.length} servers`);
  if (isCut(links, from, to) === cut) return links;
  const out = links.slice();
  out[from] = cut ? out[from]! | (1 << to) : out[from]! & ~(1 << to);
  return out;
}

/** The links with both directions between a and b cut or carrying. */
export function withBothWays(links: Links, a: ServerId, b: ServerId, cut: boolean): Links {
  return withLink(withLink(links, a, b, cut), b, a, cut);
}

/** Whether every link of `server` to another, both ways, is cut (false for a lone server). */
export function isIsolated(links: Links, server: ServerId): boolean {
  if (links.length < 2) return false;
  for (let peer = 0; peer < links.length; peer++) {
    if (peer !== server && !(isCut(links, server, peer) && isCut(links, peer, server))) return false;
  }
  return true;
}

/** Whether every link carries. */
export function noneCut(links: Links): boolean {
  return links.every((row) => row === 0);
}
