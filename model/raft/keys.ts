import type { LogEntry, Message, PersistentState, RaftState } from '../../src/core/index.js';
import type { ServerSlot, SystemState } from './system.js';

/**
 * Compact string keys of states and messages under a relabelling of server ids
 * (`perm[oldId] = newId`). Symmetry reduction takes the least key over the relabellings that
 * can matter; with the identity they are plain keys (network order, memo tables).
 *
 * Servers' states, disks, logs and messages are immutable and shared by many system states,
 * so their keys are cached per object and relabelling.
 */
export type Perm = readonly number[];

export function identity(n: number): Perm {
  return Array.from({ length: n }, (_, i) => i);
}

/** Large enough for any cluster the model accepts (servers <= 7). */
const IDENTITY: Perm = identity(8);

/** A small integer naming a relabelling, for the per-object caches. */
const permCode = (p: Perm): number => {
  let c = 0;
  for (let i = 0; i < p.length; i++) c = c * 8 + p[i]!;
  return c;
};

const cache = new WeakMap<object, Map<number, string>>();

function cached<T extends object>(obj: T, p: Perm, compute: (obj: T, p: Perm) => string): string {
  let byPerm = cache.get(obj);
  if (!byPerm) cache.set(obj, (byPerm = new Map()));
  const code = permCode(p);
  let k = byPerm.get(code);
  if (k === undefined) byPerm.set(code, (k = compute(obj, p)));
  return k;
}

const relabel = (p: Perm, x: number | null): string => (x === null ? '-' : String(p[x]));

/** Reorders an array indexed by server id into the relabelled order. */
function permuted<T>(p: Perm, a: readonly T[]): T[] {
  const out = new Array<T>(a.length);
  for (let i = 0; i < a.length; i++) out[p[i]!] = a[i]!;
  return out;
}

const logKeys = new WeakMap<readonly LogEntry[], string>();

export function logKey(log: readonly LogEntry[]): string {
  let k = logKeys.get(log);
  if (k !== undefined) return k;
  k = '';
  for (const e of log) k += `${e.term}:${String(e.command)},`;
  logKeys.set(log, k);
  return k;
}

function computeMessageKey(m: Message, p: Perm): string {
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

export const messageKey = (m: Message, p: Perm): string => cached(m, p, computeMessageKey);

function computePersistedKey(d: PersistentState, p: Perm): string {
  return `${d.currentTerm}|${relabel(p, d.votedFor)}|${logKey(d.log)}`;
}

function computeRaftStateKey(s: RaftState, p: Perm): string {
  let votes = '';
  for (const g of permuted(p, s.votesGranted)) votes += g ? '1' : '0';
  return `${s.role[0]}|${s.currentTerm}|${relabel(p, s.votedFor)}|${logKey(s.log)}|${s.commitIndex}|${s.lastApplied}|${votes}|${permuted(p, s.nextIndex).join(',')}|${permuted(p, s.matchIndex).join(',')}`;
}

export const raftStateKey = (s: RaftState, p: Perm): string => cached(s, p, computeRaftStateKey);

function slotKey(slot: ServerSlot, p: Perm): string {
  return (slot.state ? raftStateKey(slot.state, p) : 'down') + '/' + cached(slot.persisted, p, computePersistedKey);
}

/** The ghost and budget part of a system state's key (commands are not relabelled). */
function historyKey(s: SystemState, p: Perm): string {
  let elected = '';
  for (const e of s.elected) elected += e < 0 ? '-' : String(p[e]);
  let candidates = '';
  for (const mask of s.candidates) {
    let relabelled = 0;
    for (let i = 0; i < p.length; i++) if (mask & (1 << i)) relabelled |= 1 << p[i]!;
    candidates += relabelled.toString(16) + '.';
  }
  let committed = '';
  for (const c of s.committed) committed += `${c.term}:${String(c.command)}@${c.commitTerm},`;
  return `${s.commandsIssued}#${s.crashes}#${s.restarts}#${candidates}#${elected}#${committed}#${s.applied.map(String).join(',')}#${s.committedAfterRestart ? 'R' : ''}#${s.breach ? s.breach.invariant : ''}`;
}

export function systemKey(s: SystemState, p: Perm): string {
  const servers = new Array<string>(s.servers.length);
  for (let i = 0; i < s.servers.length; i++) servers[p[i]!] = slotKey(s.servers[i]!, p);
  const network = new Array<string>(s.network.length);
  for (let i = 0; i < s.network.length; i++) network[i] = messageKey(s.network[i]!, p);
  network.sort();
  return servers.join(';') + '#' + network.join(';') + '#' + historyKey(s, p);
}

/** Every permutation of 0..n-1. */
export function allPerms(n: number): Perm[] {
  if (n === 0) return [[]];
  const out: Perm[] = [];
  for (const rest of allPerms(n - 1)) {
    for (let pos = 0; pos <= rest.length; pos++) out.push([...rest.slice(0, pos), n - 1, ...rest.slice(pos)]);
  }
  return out;
}
const PERMS_OF_SIZE = Array.from({ length: 8 }, (_, n) => allPerms(n));

/**
 * What a server looks like with every server id erased: relabelling cannot change it, so
 * sorting servers by it narrows the relabellings worth trying to those that order servers
 * by it (all orderings within ties).
 */
const signatures = new WeakMap<object, string>();

function memoSignature<T extends object>(obj: T, compute: (obj: T) => string): string {
  let sig = signatures.get(obj);
  if (sig === undefined) signatures.set(obj, (sig = compute(obj)));
  return sig;
}

const diskSignature = (d: PersistentState): string => `${d.currentTerm}|${d.votedFor === null ? '-' : '+'}|${logKey(d.log)}`;

function stateSignature(st: RaftState): string {
  let votes = 0;
  for (const g of st.votesGranted) if (g) votes++;
  const match = st.matchIndex.slice().sort((a, b) => a - b).join(',');
  return `${st.role[0]}|${st.currentTerm}|${st.votedFor === null ? '-' : '+'}|${logKey(st.log)}|${st.commitIndex}|${st.lastApplied}|${votes}|${match}`;
}

function signature(slot: ServerSlot): string {
  return (slot.state ? memoSignature(slot.state, stateSignature) : 'down') + '/' + memoSignature(slot.persisted, diskSignature);
}

/** The relabellings that put servers in signature order (every ordering within a tie). */
export function candidatePerms(s: SystemState): Perm[] {
  const n = s.servers.length;
  const sigs = s.servers.map(signature);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (sigs[a]! < sigs[b]! ? -1 : sigs[a]! > sigs[b]! ? 1 : a - b));
  let orders: number[][] = [[]];
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && sigs[order[end]!] === sigs[order[start]!]) end++;
    if (end - start === 1) {
      for (const o of orders) o.push(order[start]!);
    } else {
      const group = order.slice(start, end);
      const arrangements = PERMS_OF_SIZE[group.length]!.map((q) => q.map((i) => group[i]!));
      orders = orders.flatMap((o) => arrangements.map((g) => [...o, ...g]));
    }
    start = end;
  }
  return orders.map((o) => {
    const perm = new Array<number>(n);
    for (let newId = 0; newId < n; newId++) perm[o[newId]!] = newId;
    return perm;
  });
}

/**
 * The least key over the relabellings that can matter: one representative per symmetry class.
 * With `symmetry` off, the key with ids as they are.
 */
export function canonicalKey(s: SystemState, symmetry: boolean): string {
  if (!symmetry) return systemKey(s, IDENTITY);
  let best: string | null = null;
  for (const p of candidatePerms(s)) {
    const k = systemKey(s, p);
    if (best === null || k < best) best = k;
  }
  return best!;
}

/** The key of a message with ids as they are. */
export const plainMessageKey = (m: Message): string => messageKey(m, IDENTITY);

/** The key of one server's state with ids as they are. */
export const plainRaftStateKey = (s: RaftState): string => raftStateKey(s, IDENTITY);
