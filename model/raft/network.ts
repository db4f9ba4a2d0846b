import type { Message } from '../../src/core/index.js';
import { plainMessageKey as key } from './keys.js';

/** The network as a multiset of messages, kept sorted by key so equal networks are equal arrays. */


export function addMessage(network: readonly Message[], m: Message): Message[] {
  const k = key(m);
  const out = network.slice();
  let i = out.length;
  while (i > 0 && key(out[i - 1]!) > k) i--;
  out.splice(i, 0, m);
  return out;
}

/** Removes one copy of `m` (matched by key); returns null when none is in flight. */
export function removeMessage(network: readonly Message[], m: Message): Message[] | null {
  const k = key(m);
  const i = network.findIndex((x) => x === m || key(x) === k);
  if (i < 0) return null;
  const out = network.slice();
  out.splice(i, 1);
  return out;
}

/** One representative per distinct message in flight. */
export function distinctMessages(network: readonly Message[]): Message[] {
  const out: Message[] = [];
  for (let i = 0; i < network.length; i++) {
    if (i > 0 && key(network[i]!) === key(network[i - 1]!)) continue;
    out.push(network[i]!);
  }
  return out;
}

export function withoutMessagesTo(network: readonly Message[], server: number): readonly Message[] {
  return network.some((m) => m.to === server) ? network.filter((m) => m.to !== server) : network;
}
