import type { ServerId } from './types.js';

/**
 * Cluster arithmetic: servers are numbered 0..clusterSize-1, and every decision that counts
 * servers (a vote won, an entry committed) counts against a majority of all of them.
 */

/** The least number of servers that is more than half the cluster: any two such sets share a server. */
export function majority(clusterSize: number): number {
  return Math.floor(clusterSize / 2) + 1;
}

/** Every server of the cluster but `id`, in id order. */
export function peersOf(id: ServerId, clusterSize: number): ServerId[] {
  const peers: ServerId[] = [];
  for (let i = 0; i < clusterSize; i++) if (i !== id) peers.push(i);
  return peers;
}
