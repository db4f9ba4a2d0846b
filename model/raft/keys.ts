import type { LogEntry, Message, PersistentState, RaftState } from '../../src/core/index.js';
import { fmix32 as engineFmix32 } from '../engine/fingerprint.js';
import type { CommittedEntry, ServerSlot, SystemState } from './system.js';

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

const plainMessageKeys = new WeakMap<Message, string>();

/** The key of a message with ids as they are (on the network's hot path: one cache lookup). */
export function plainMessageKey(m: Message): string {
  let k = plainMessageKeys.get(m);
  if (k === undefined) plainMessageKeys.set(m, (k = computeMessageKey(m, IDENTITY)));
  return k;
}

/** The key of one server's state with ids as they are. */
export const plainRaftStateKey = (s: RaftState): string => raftStateKey(s, IDENTITY);

// ---- Numeric fingerprints ------------------------------------------------------------------
//
// The engine's hot path needs only a 64-bit fingerprint of the canonical form, not the string
// above. `canonicalFingerprint` hashes exactly the information `systemKey` spells out (every
// field, relabelled the same way), so two states share a fingerprint exactly when they are
// relabellings of each other, as with `canonicalKey`, up to hash collisions: the same states
// count as one and every state count is unchanged. (Which relabellings are tried does not change
// that: any relabelling-invariant server signature gives one canonical form per symmetry class.)
//
// How: each immutable object (log, server state, disk, message, committed and applied lists)
// gets a 64-bit hash of its relabelling-independent fields, cached per object; per relabelling
// only the server ids inside are mixed in (p[votedFor], p[from], p[to], the per-server arrays
// read in relabelled order, the ghosts' ids). The network is a multiset: its hash is the count
// and the lane-wise sums of its messages' hashes, so no sort is needed. The least fingerprint
// over the candidate relabellings is the canonical one.
//
// Collision risk: a fingerprint is two 32-bit lanes built by different round functions
// (murmur3's and xxHash32's), each finished with fmix32, so it behaves as a 64-bit hash: with N
// distinct states the chance that any two collide (so that one is wrongly taken as seen) is
// about N^2 / 2^65: 3e-8 at 1M states, 3e-6 at 10M, the order of TLC's 64-bit fingerprints.
// Cached sub-hashes are 64-bit too, and the least over k relabellings multiplies the risk by at
// most k (3! = 6 for 3 servers). The string canonicalKey stays exact, for tests and graphs.

/** Two 32-bit lanes fed the same words by different round functions. Reused: begin() resets it. */
class Hasher {
  a = 0;
  b = 0;

  begin(seed: number): this {
    this.a = seed ^ 0x2f0b3c1d;
    this.b = Math.imul(seed, 0x9e3779b1) ^ 0x6a09e667;
    return this;
  }

  word(w: number): void {
    let k = Math.imul(w, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    let a = this.a ^ Math.imul(k, 0x1b873593);
    a = (a << 13) | (a >>> 19);
    this.a = (Math.imul(a, 5) + 0xe6546b64) | 0;
    let b = (this.b + Math.imul(w, 0x85ebca77)) | 0;
    b = (b << 13) | (b >>> 19);
    this.b = Math.imul(b, 0x9e3779b1);
  }

  /** A string, as its length and UTF-16 code units. */
  text(s: string): void {
    this.word(s.length);
    for (let i = 0; i < s.length; i++) this.word(s.charCodeAt(i));
  }

  /** Finishes both lanes; begin() makes the hasher ready again. */
  finish(): void {
    this.a = fmix32(this.a);
    this.b = fmix32(this.b);
  }
}

/** The engine's finaliser, as a signed 32-bit lane. */
const fmix32 = (h: number): number => engineFmix32(h) | 0;

/** A cached 64-bit hash (two lanes). */
interface Hash64 {
  readonly a: number;
  readonly b: number;
}

/**
 * A server state's hash plus its signature (what it looks like with every server id erased),
 * and, for up to 4 servers, its relabelled hash per relabelling (by rank) once computed: server
 * states are shared by many system states, so each relabels once.
 */
interface StateHash extends Hash64 {
  readonly sig: number;
  relabelled: Int32Array | null;
  /** Bit r set: relabelled[2r], relabelled[2r + 1] hold the hash under the relabelling of rank r. */
  done: number;
}

const SEED_LOG = 1;
const SEED_MESSAGE = 2;
const SEED_STATE = 4;
const SEED_DISK = 5;
const SEED_HISTORY = 6;
const SEED_SYSTEM = 7;
const SEED_SIGNATURE = 8;
const SEED_LIST = 9;
const SEED_STATE_RELABELLED = 10;
const NONE = -1;
const DOWN = 0x0d0d;
const UP = 0x0707;

/** One scratch hasher for cache misses; nothing it computes calls back into another miss midway. */
const scratch = new Hasher();
/** The system-level hasher, and one for a server state's relabelled hash (computed midway). */
const sys = new Hasher();
const stateSys = new Hasher();

const finished = (h: Hasher): Hash64 => {
  h.finish();
  return { a: h.a, b: h.b };
};

const logHashes = new WeakMap<readonly LogEntry[], Hash64>();

/** As logKey: each entry's term and String(command). */
function logHash(log: readonly LogEntry[]): Hash64 {
  let r = logHashes.get(log);
  if (r === undefined) {
    const h = scratch.begin(SEED_LOG);
    h.word(log.length);
    for (const e of log) {
      h.word(e.term);
      h.text(String(e.command));
    }
    logHashes.set(log, (r = finished(h)));
  }
  return r;
}

const MESSAGE_TYPES: Record<Message['type'], number> = { RequestVote: 1, RequestVoteReply: 2, AppendEntries: 3, AppendEntriesReply: 4 };
const messageHashes = new WeakMap<Message, Hash64>();

/** As computeMessageKey, without the ids (from, to), which are relabelled per candidate. */
function messageHash(m: Message): Hash64 {
  let r = messageHashes.get(m);
  if (r !== undefined) return r;
  let entries: Hash64 | null = null;
  if (m.type === 'AppendEntries') entries = logHash(m.entries);
  const h = scratch.begin(SEED_MESSAGE);
  h.word(MESSAGE_TYPES[m.type]);
  h.word(m.term);
  switch (m.type) {
    case 'RequestVote':
      h.word(m.lastLogIndex);
      h.word(m.lastLogTerm);
      break;
    case 'RequestVoteReply':
      h.word(m.voteGranted ? 1 : 0);
      break;
    case 'AppendEntries':
      h.word(m.prevLogIndex);
      h.word(m.prevLogTerm);
      h.word(m.leaderCommit);
      h.word(entries!.a);
      h.word(entries!.b);
      break;
    case 'AppendEntriesReply':
      h.word(m.success ? 1 : 0);
      h.word(m.matchIndex);
      h.word(m.conflictTerm);
      h.word(m.conflictIndex);
      break;
  }
  messageHashes.set(m, (r = finished(h)));
  return r;
}

const diskHashes = new WeakMap<PersistentState, Hash64>();

/** As computePersistedKey, with votedFor only as set or not (relabelled per candidate). */
function diskHash(d: PersistentState): Hash64 {
  let r = diskHashes.get(d);
  if (r === undefined) {
    const log = logHash(d.log);
    const h = scratch.begin(SEED_DISK);
    h.word(d.currentTerm);
    h.word(d.votedFor === null ? 0 : 1);
    h.word(log.a);
    h.word(log.b);
    diskHashes.set(d, (r = finished(h)));
  }
  return r;
}

const stateHashes = new WeakMap<RaftState, StateHash>();

/** As computeRaftStateKey without the ids (votedFor, the per-server arrays' order); plus the signature. */
function stateHash(st: RaftState): StateHash {
  let r = stateHashes.get(st);
  if (r !== undefined) return r;
  const log = logHash(st.log);
  const h = scratch.begin(SEED_STATE);
  h.word(st.role.charCodeAt(0));
  h.word(st.currentTerm);
  h.word(st.votedFor === null ? 0 : 1);
  h.word(log.a);
  h.word(log.b);
  h.word(st.commitIndex);
  h.word(st.lastApplied);
  h.word(st.votesGranted.length);
  h.word(st.nextIndex.length);
  h.word(st.matchIndex.length);
  h.finish();
  const a = h.a;
  const b = h.b;
  // The signature adds what relabelling cannot change: the number of votes, the sorted indices.
  h.begin(SEED_SIGNATURE);
  h.word(a);
  h.word(b);
  let votes = 0;
  for (const g of st.votesGranted) if (g) votes++;
  h.word(votes);
  for (const x of st.matchIndex.slice().sort((p, q) => p - q)) h.word(x);
  for (const x of st.nextIndex.slice().sort((p, q) => p - q)) h.word(x);
  h.finish();
  r = { a, b, sig: h.a, relabelled: null, done: 0 };
  stateHashes.set(st, r);
  return r;
}

const listHashes = new WeakMap<readonly unknown[], Hash64>();

/** The committed entries (term, String(command), commitTerm) or applied commands (String), cached per array. */
function committedHash(list: readonly CommittedEntry[]): Hash64 {
  let r = listHashes.get(list);
  if (r === undefined) {
    const h = scratch.begin(SEED_LIST);
    h.word(list.length);
    for (const c of list) {
      h.word(c.term);
      h.text(String(c.command));
      h.word(c.commitTerm);
    }
    listHashes.set(list, (r = finished(h)));
  }
  return r;
}

function appliedHash(list: readonly unknown[]): Hash64 {
  let r = listHashes.get(list);
  if (r === undefined) {
    const h = scratch.begin(SEED_LIST + 1);
    h.word(list.length);
    for (const c of list) h.text(String(c));
    listHashes.set(list, (r = finished(h)));
  }
  return r;
}

// Per-state scratch, filled once before the relabellings are tried (servers <= 7).
const MAX_SERVERS = 8;
const stH: (StateHash | null)[] = new Array<StateHash | null>(MAX_SERVERS).fill(null);
const dkH: Hash64[] = new Array<Hash64>(MAX_SERVERS).fill({ a: 0, b: 0 });
const SIG = new Int32Array(MAX_SERVERS);
const ORD = new Int32Array(MAX_SERVERS);
const PERM = new Int32Array(MAX_SERVERS);
const PINV = new Int32Array(MAX_SERVERS);
const GROUP_START = new Int32Array(MAX_SERVERS);
const GROUP_SIZE = new Int32Array(MAX_SERVERS);
const GROUP_AT = new Int32Array(MAX_SERVERS);
let msgA = new Int32Array(64);
let msgB = new Int32Array(64);

/** Where the fingerprint is written: two unsigned 32-bit words. */
export interface FingerprintOut {
  hi: number;
  lo: number;
}

let bestHi = 0;
let bestLo = 0;
let haveBest = false;

/**
 * The 64-bit fingerprint of the state's canonical form, into `out`: the least, over the
 * relabellings that put servers in signature order, of the relabelled state's hash. With
 * `symmetry` off, the hash with ids as they are. See the comment above on collisions.
 */
export function canonicalFingerprint(s: SystemState, symmetry: boolean, out: FingerprintOut): void {
  const n = s.servers.length;
  const servers = s.servers;
  for (let i = 0; i < n; i++) {
    const slot = servers[i]!;
    const st = slot.state;
    const sh = st === null ? null : stateHash(st);
    const dh = diskHash(slot.persisted);
    stH[i] = sh;
    dkH[i] = dh;
    if (symmetry) {
      // Relabelling-invariant: the state's signature, the disk, and whether each vote is for itself.
      let g = sh === null ? DOWN : sh.sig;
      g = Math.imul(g ^ (st !== null && st.votedFor === i ? 0x3c6ef372 : 0x1f83d9ab), 0x9e3779b1);
      g = Math.imul(g ^ dh.a, 0x85ebca6b);
      g ^= slot.persisted.votedFor === i ? 0x5be0cd19 : 0x510e527f;
      SIG[i] = fmix32(g);
    }
  }
  const net = s.network;
  const m = net.length;
  if (msgA.length < m) {
    msgA = new Int32Array(2 * m);
    msgB = new Int32Array(2 * m);
  }
  for (let k = 0; k < m; k++) {
    const h = messageHash(net[k]!);
    msgA[k] = h.a;
    msgB[k] = h.b;
  }
  // The ghosts and budgets that no relabelling changes.
  const committed = committedHash(s.committed);
  const applied = appliedHash(s.applied);
  const h = scratch.begin(SEED_HISTORY);
  h.word(s.commandsIssued);
  h.word(s.crashes);
  h.word(s.restarts);
  h.word(committed.a);
  h.word(committed.b);
  h.word(applied.a);
  h.word(applied.b);
  h.word(s.committedAfterRestart ? 1 : 0);
  if (s.breach === null) h.word(0);
  else h.text(s.breach.invariant);
  h.finish();
  const histA = h.a;
  const histB = h.b;

  haveBest = false;
  if (!symmetry) {
    for (let i = 0; i < n; i++) PERM[i] = PINV[i] = i;
    relabelledHash(s, n, m, histA, histB);
  } else {
    // Servers in signature order (stable insertion sort), then every ordering within each tie.
    for (let i = 0; i < n; i++) {
      const sig = SIG[i]!;
      let j = i;
      while (j > 0 && SIG[ORD[j - 1]!]! > sig) {
        ORD[j] = ORD[j - 1]!;
        j--;
      }
      ORD[j] = i;
    }
    let groups = 0;
    for (let start = 0; start < n; ) {
      let end = start + 1;
      while (end < n && SIG[ORD[end]!] === SIG[ORD[start]!]) end++;
      if (end - start > 1) {
        GROUP_START[groups] = start;
        GROUP_SIZE[groups] = end - start;
        GROUP_AT[groups] = 0;
        groups++;
      }
      start = end;
    }
    for (let i = 0; i < n; i++) PINV[i] = ORD[i]!;
    for (;;) {
      for (let g = 0; g < groups; g++) {
        const start = GROUP_START[g]!;
        const q = PERMS_OF_SIZE[GROUP_SIZE[g]!]![GROUP_AT[g]!]!;
        for (let t = 0; t < q.length; t++) PINV[start + t] = ORD[start + q[t]!]!;
      }
      for (let j = 0; j < n; j++) PERM[PINV[j]!] = j;
      relabelledHash(s, n, m, histA, histB);
      // Odometer over the ties' orderings.
      let g = 0;
      while (g < groups) {
        const next = GROUP_AT[g]! + 1;
        if (next < PERMS_OF_SIZE[GROUP_SIZE[g]!]!.length) {
          GROUP_AT[g] = next;
          break;
        }
        GROUP_AT[g] = 0;
        g++;
      }
      if (g === groups) break;
    }
  }
  out.hi = bestHi;
  out.lo = bestLo;
}

const relabelId = (x: number | null): number => (x === null ? NONE : PERM[x]!);

/** One server state's words under PERM: its hash, then its server ids relabelled. */
function relabelledState(h: Hasher, st: RaftState, sh: StateHash, n: number): void {
  h.word(sh.a);
  h.word(sh.b);
  h.word(relabelId(st.votedFor));
  hashPermuted(h, st.votesGranted, n);
  hashPermuted(h, st.nextIndex, n);
  hashPermuted(h, st.matchIndex, n);
}

/** The rank of PERM among the permutations of n (Lehmer code), or -1 past 4 servers (no cache). */
function permRank(n: number): number {
  if (n > 4) return -1;
  let rank = 0;
  for (let i = 0; i < n; i++) {
    let smaller = 0;
    for (let j = i + 1; j < n; j++) if (PERM[j]! < PERM[i]!) smaller++;
    rank = rank * (n - i) + smaller;
  }
  return rank;
}

/** The hash of the state relabelled by PERM (PINV its inverse); kept in best* when least. */
function relabelledHash(s: SystemState, n: number, m: number, histA: number, histB: number): void {
  const rank = permRank(n);
  const h = sys.begin(SEED_SYSTEM);
  for (let j = 0; j < n; j++) {
    const i = PINV[j]!;
    const slot = s.servers[i]!;
    const st = slot.state;
    const sh = stH[i]!;
    if (st === null || sh === null) h.word(DOWN);
    else if (rank < 0) {
      h.word(UP);
      relabelledState(h, st, sh, n);
    } else {
      // The same words, hashed once per (state object, relabelling) and fed in as two.
      let cache = sh.relabelled;
      if (cache === null) sh.relabelled = cache = new Int32Array(2 * PERMS_OF_SIZE[n]!.length);
      if ((sh.done & (1 << rank)) === 0) {
        const q = stateSys.begin(SEED_STATE_RELABELLED);
        relabelledState(q, st, sh, n);
        q.finish();
        cache[2 * rank] = q.a;
        cache[2 * rank + 1] = q.b;
        sh.done |= 1 << rank;
      }
      h.word(UP);
      h.word(cache[2 * rank]!);
      h.word(cache[2 * rank + 1]!);
    }
    const dh = dkH[i]!;
    h.word(dh.a);
    h.word(dh.b);
    h.word(relabelId(slot.persisted.votedFor));
  }
  // Each message's hash with its relabelled (from, to) mixed in: a bijection of the cached hash
  // per (from, to) pair on each lane, then fmix32, so distinct (message, pair)s stay distinct.
  let sumA = 0;
  let sumB = 0;
  const net = s.network;
  for (let k = 0; k < m; k++) {
    const x = net[k]!;
    const pair = PERM[x.from]! * MAX_SERVERS + PERM[x.to]! + 1;
    sumA = (sumA + fmix32(msgA[k]! ^ Math.imul(pair, 0x27d4eb2f))) | 0;
    sumB = (sumB + fmix32((msgB[k]! + Math.imul(pair, 0x165667b1)) | 0)) | 0;
  }
  h.word(m);
  h.word(sumA);
  h.word(sumB);
  h.word(histA);
  h.word(histB);
  const candidates = s.candidates;
  h.word(candidates.length);
  for (let t = 0; t < candidates.length; t++) {
    const mask = candidates[t]!;
    let relabelled = 0;
    for (let i = 0; i < n; i++) if (mask & (1 << i)) relabelled |= 1 << PERM[i]!;
    h.word(relabelled | (mask & ~((1 << n) - 1)));
  }
  const elected = s.elected;
  h.word(elected.length);
  for (let t = 0; t < elected.length; t++) {
    const e = elected[t]!;
    h.word(e < 0 ? NONE : PERM[e]!);
  }
  h.finish();
  const hi = h.a >>> 0;
  const lo = h.b >>> 0;
  if (!haveBest || hi < bestHi || (hi === bestHi && lo < bestLo)) {
    bestHi = hi;
    bestLo = lo;
    haveBest = true;
  }
}

/** A per-server array (votes, nextIndex, matchIndex) in relabelled order; its length is in the state's hash. */
function hashPermuted(h: Hasher, a: readonly (number | boolean)[], n: number): void {
  const len = a.length;
  if (len === 0) return;
  if (len === n) {
    for (let j = 0; j < n; j++) {
      const x = a[PINV[j]!]!;
      h.word(typeof x === 'boolean' ? (x ? 1 : 0) : x);
    }
    return;
  }
  // Never in practice (these arrays are empty or one slot per server): hash what permuted() spells.
  const p: number[] = [];
  for (let i = 0; i < n; i++) p.push(PERM[i]!);
  h.text(permuted(p, a).map((x) => (typeof x === 'boolean' ? (x ? '1' : '0') : String(x))).join(','));
}
