import type { LogEntry, Message, PersistentState, RaftState } from '../../src/core/index.js';
import type { SystemState } from './system.js';

/**
 * Compact string keys of states and messages under a relabelling of server ids
 * (`perm[oldId] = newId`). Symmetry reduction takes the least key over all relabellings; with
 * the identity they are plain keys (network order, memo tables).
 */
export type Perm = readonly number[];

const relabel = (p: Perm, x: number | null): string => (x === null ? '-' : String(p[x]));

/** Reorders an array indexed by server id into the relabelled order. */
function permuted<T>(p: Perm, a: readonly T[]): T[] {
  const out = new Array<T>(a.length);
  for (let i = 0; i < a.length; i++) out[p[i]!] = a[i]!;
  return out;
}

export function logKey(log: readonly LogEntry[]): string {
  let k = '';
  for (const e of log) k += `${e.term}:${String(e.command)},`;
  return k;
}

export function messageKey(m: Message, p: Perm): string {
  const head = `${m.type[0]}${m.type.length}|${p[m.from]}>${p[m.to]}|${m.term}|`;
  switch (m.type) {
    case 'RequestVote':
      return head + `${m.lastLogIndex}|${m.lastLogTerm}`;
    case 'RequestVoteReply':
      return head + (m.voteGranted ? 'Y' : 'N');
    case 'AppendEntries':
      return head + `${m.prevLogIndex}|${m.prevLogTerm}|${m.leaderCommit}|${logKey(m.entries)}`;
    case 'AppendEntriesReply':
      return head + `${m.success ? 'Y' : 'N'}|${m.matchIndex}|${m.conflictTerm}|${m.conflictIndex}`;
  }
}

function persistedKey(d: PersistentState, p: Perm): string {
  return `${d.currentTerm}|${relabel(p, d.votedFor)}|${logKey(d.log)}`;
}

export function raftStateKey(s: RaftState, p: Perm): string {
  let votes = '';
  for (const g of permuted(p, s.votesGranted)) votes += g ? '1' : '0';
  return `${s.role[0]}|${s.currentTerm}|${relabel(p, s.votedFor)}|${logKey(s.log)}|${s.commitIndex}|${s.lastApplied}|${votes}|${permuted(p, s.nextIndex).join(',')}|${permuted(p, s.matchIndex).join(',')}`;
}

export function systemKey(s: SystemState, p: Perm): string {
  const servers = new Array<string>(s.servers.length);
  for (let i = 0; i < s.servers.length; i++) {
    const slot = s.servers[i]!;
    servers[p[i]!] = (slot.state ? raftStateKey(slot.state, p) : 'down') + '/' + persistedKey(slot.persisted, p);
  }
  const network = s.network.map((m) => messageKey(m, p)).sort();
  let elected = '';
  for (const e of s.elected) elected += e < 0 ? '-' : String(p[e]);
  let committed = '';
  for (const c of s.committed) committed += `${c.term}:${String(c.command)}@${c.commitTerm},`;
  return [
    servers.join(';'), network.join(';'), s.commandsIssued, s.crashes, s.restarts, elected, committed,
    s.applied.map(String).join(','), s.committedAfterRestart ? 'R' : '', s.breach ? s.breach.invariant : '',
  ].join('#');
}

export function identity(n: number): Perm {
  return Array.from({ length: n }, (_, i) => i);
}

/** Every permutation of 0..n-1 (n! of them; the model caps servers at 7). */
export function allPerms(n: number): Perm[] {
  if (n === 0) return [[]];
  const out: Perm[] = [];
  for (const rest of allPerms(n - 1)) {
    for (let pos = 0; pos <= rest.length; pos++) out.push([...rest.slice(0, pos), n - 1, ...rest.slice(pos)]);
  }
  return out;
}

/** The least key over all relabellings: one representative per symmetry class. */
export function canonicalKey(s: SystemState, perms: readonly Perm[]): string {
  let best: string | null = null;
  for (const p of perms) {
    const k = systemKey(s, p);
    if (best === null || k < best) best = k;
  }
  return best!;
}

/** Large enough for any cluster the model accepts (servers <= 7). */
const IDENTITY: Perm = identity(8);
const messageKeys = new WeakMap<Message, string>();

/** The key of a message with ids as they are; cached, since messages are immutable and shared. */
export function plainMessageKey(m: Message): string {
  let k = messageKeys.get(m);
  if (k === undefined) messageKeys.set(m, (k = messageKey(m, IDENTITY)));
  return k;
}

const stateKeys = new WeakMap<RaftState, string>();

/** The key of one server's state with ids as they are; cached per (immutable) state object. */
export function plainRaftStateKey(s: RaftState): string {
  let k = stateKeys.get(s);
  if (k === undefined) stateKeys.set(s, (k = raftStateKey(s, IDENTITY)));
  return k;
}
