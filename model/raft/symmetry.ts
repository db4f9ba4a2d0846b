import type { Encoding } from '../engine/symmetry.js';
import { encodeSystem } from './encode.js';
import type { SystemState } from './system.js';

/**
 * Server ids are interchangeable: the protocol treats every server alike, and so do the
 * environment's moves and the invariants. The engine reduces by relabelling them; this says
 * how many there are, how a state is written under a relabelling (encode.ts), and what a
 * server looks like with ids erased, so that few relabellings need trying (most states: one).
 */

const mix = (h: number, x: number): number => Math.imul(h ^ x, 0x9e3779b1) ^ (h >>> 15);

/** A vote as what no relabelling changes: none, for itself, for another. */
const vote = (votedFor: number | null, self: number): number => (votedFor === null ? 0 : votedFor === self ? 1 : 2);

/**
 * Server i's slot with every id erased, from a few fields that no relabelling changes (each vote
 * as none/self/other). Coarse on purpose: it is computed for every server of every state, while a
 * tie it misses costs only an extra relabelling tried (most states still try one).
 */
export function serverSignature(s: SystemState, i: number): number {
  const slot = s.servers[i]!;
  const d = slot.persisted;
  // (lastLogIndex, written out; lastIncludedIndex mixed in only when there is a snapshot.)
  let h = mix(mix(mix(0x2545f491, d.currentTerm), vote(d.votedFor, i)), d.lastIncludedIndex + d.log.length);
  if (d.lastIncludedIndex > 0) h = mix(h, d.lastIncludedIndex);
  const st = slot.state;
  if (st === null) return h >>> 0;
  h = mix(mix(mix(mix(mix(h, st.role.length), st.currentTerm), vote(st.votedFor, i)), st.lastIncludedIndex + st.log.length), st.commitIndex);
  return (st.lastIncludedIndex > 0 ? mix(h, st.lastIncludedIndex) : h) >>> 0;
}

export const RAFT_ENCODING: Encoding<SystemState> = {
  ids: (s) => s.servers.length,
  encode: encodeSystem,
  signature: serverSignature,
};
