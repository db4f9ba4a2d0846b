import type { Message } from '../../src/core/index.js';
import { plainMessageKey as key } from './keys.js';

/** The network as a multiset of messages, kept sorted by key so equal networks are equal arrays. */

/** The same message (the same object, or equal keys). */
export const sameMessage = (a: Message, b: Message): boolean => a === b || key(a) === key(b);

export function addMessage(network: readonly Message[], m: Message): Message[] {
  const k = key(m);
  let i = network.length;
  while (i > 0 && key(network[i - 1]!) > k) i--;
  // One copy with `m` at i (after every message with an equal or lower key).
  const out = new Array<Message>(network.length + 1);
  for (let j = 0; j < i; j++) out[j] = network[j]!;
  out[i] = m;
  for (let j = i; j < network.length; j++) out[j + 1] = network[j]!;
  return out;
}

/** Removes one copy of `m` (matched by key); returns null when none is in flight. */
export function removeMessage(network: readonly Message[], m: Message): Message[] | null {
  let i = network.indexOf(m);
  if (i < 0) {
    const k = key(m);
    i = network.findIndex((x) => key(x) === k);
    if (i < 0) return null;
  }
  const out = new Array<Message>(network.length - 1);
  for (let j = 0; j < i; j++) out[j] = network[j]!;
  for (let j = i + 1; j < network.length; j++) out[j - 1] = network[j]!;
  return out;
}

/** One representative per distinct message in flight. */
export function distinctMessages(network: readonly Message[]): Message[] {
  const out: Message[] = [];
  for (let i = 0; i < network.length; i++) {
    if (i > 0 && sameMessage(network[i]!, network[i - 1]!)) continue;
    out.push(network[i]!);
  }
  return out;
}

