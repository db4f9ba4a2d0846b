import { lastLogIndex, majority, type Configuration, type LogEntry, type PersistentState } from '../../src/core/index.js';
import type { Invariant } from '../engine/model.js';
import { formatCommand } from './describe.js';
import { entryAt, entryText, type Finding, type FindingField, type FindingPlace, finding, knownEntryText, sameEntry, serverName as sn } from './finding.js';
import { knownEntry, snapshotEntries } from './snapshot-data.js';
import { OPTION_INVARIANTS } from './option-properties.js';
import { appliedValue, configText, entryOf, sameConfig } from './configs.js';
import { MEMBERSHIP_INVARIANTS } from './membership-properties.js';
import type { SystemState } from './system.js';

/**
 * The safety properties of Raft (§5.2-5.4, Figure 3) plus persistence, each a small named
 * predicate checked on every reachable state: null while it holds, else a Finding that says
 * where and why. Rules that only a transition can break (a second leader in a term after the
 * first crashed, a leader rewriting its log, two different values applied at one index) are
 * step properties (./step-properties.ts); the transition records their finding as `breach`, and
 * the invariant of that rule reports it here.
 */
export type RaftInvariant = Invariant<SystemState, Finding>;

/** The finding a transition recorded for `invariant`, if that is the rule it broke. */
const recorded = (s: SystemState, invariant: string): Finding | null => (s.breach !== null && s.breach.invariant === invariant ? s.breach : null);

/** At most one leader can be elected in a given term. */
export const ElectionSafety: RaftInvariant = {
  name: 'ElectionSafety',
  check: (s) => {
    const r = recorded(s, 'ElectionSafety');
    if (r !== null) return r;
    // Pairs of at most 8 servers: no table to allocate on every state.
    for (let id = 1; id < s.servers.length; id++) {
      const state = s.servers[id]!.state;
      if (state?.role !== 'leader') continue;
      for (let other = 0; other < id; other++) {
        const o = s.servers[other]!.state;
        if (o?.role !== 'leader' || o.currentTerm !== state.currentTerm) continue;
        return finding('ElectionSafety', [{ server: other, field: 'role' }, { server: id, field: 'role' }], [state.currentTerm],
          `${sn(other)} and ${sn(id)} are both leaders of term ${state.currentTerm}`);
      }
    }
    return null;
  },
};

/** Every log of the system, in memory and on disk, with whose it is (the order LogMatching compares them in). */
function allLogs(s: SystemState): { server: number; field: 'log' | 'disk'; log: PersistentState }[] {
  return s.servers.flatMap((slot, server) => [
    { server, field: 'disk' as const, log: slot.persisted },
    ...(slot.state ? [{ server, field: 'log' as const, log: slot.state as PersistentState }] : []),
  ]);
}

function logMismatch(s: SystemState, a: number, b: number, agreeAt: number, differAt: number): Finding {
  const logs = allLogs(s);
  const x = logs[a]!;
  const y = logs[b]!;
  const name = (l: typeof x): string => `${sn(l.server)}'s ${l.field}`;
  return finding('LogMatching', [{ server: x.server, field: x.field, index: differAt }, { server: y.server, field: y.field, index: differAt }],
    [knownEntry(x.log, agreeAt)!.term],
    `${name(x)} and ${name(y)} agree on the term at index ${agreeAt} but differ at index ${differAt} (${knownEntryText(x.log, differAt)} vs ${knownEntryText(y.log, differAt)})`);
}

/** The same whole log: the same log array after the same snapshot. */
const sameLog = (x: PersistentState, y: PersistentState): boolean =>
  x.log === y.log && x.lastIncludedIndex === y.lastIncludedIndex && x.snapshot === y.snapshot;

/**
 * If two logs hold an entry with the same index and term, they are identical up to it. Whole
 * logs: the entries a snapshot holds are compared as the log's.
 */
export const LogMatching: RaftInvariant = {
  name: 'LogMatching',
  check: (s) => {
    const logs: PersistentState[] = [];
    for (const slot of s.servers) {
      logs.push(slot.persisted);
      if (slot.state) logs.push(slot.state);
    }
    for (let a = 0; a < logs.length; a++) {
      for (let b = a + 1; b < logs.length; b++) {
        const x = logs[a]!;
        const y = logs[b]!;
        if (sameLog(x, y)) continue;
        // Find the highest index where the terms agree; everything up to it must match.
        for (let i = Math.min(lastLogIndex(x), lastLogIndex(y)); i >= 1; i--) {
          if (knownEntry(x, i)?.term !== knownEntry(y, i)?.term) continue;
          for (let j = 1; j <= i; j++) if (!sameEntry(knownEntry(x, j), knownEntry(y, j))) return logMismatch(s, a, b, i, j);
          break;
        }
      }
    }
    return null;
  },
};

/** A leader never overwrites or deletes entries in its log; it only appends. */
export const LeaderAppendOnly: RaftInvariant = {
  name: 'LeaderAppendOnly',
  check: (s) => recorded(s, 'LeaderAppendOnly'),
};

/** An entry committed in a term is present in the logs of the leaders of every later term. */
export const LeaderCompleteness: RaftInvariant = {
  name: 'LeaderCompleteness',
  check: (s) => {
    for (let id = 0; id < s.servers.length; id++) {
      const state = s.servers[id]!.state;
      if (state?.role !== 'leader') continue;
      for (let i = 0; i < s.committed.length; i++) {
        const c = s.committed[i]!;
        if (c.commitTerm >= state.currentTerm || sameEntry(knownEntry(state, i + 1), c)) continue;
        const expected: LogEntry = entryOf(c);
        return finding('LeaderCompleteness', [{ server: id, field: 'log', index: i + 1, expected }], [state.currentTerm, c.commitTerm],
          `${sn(id)}, leader of term ${state.currentTerm}, holds ${knownEntryText(state, i + 1)} at index ${i + 1}, where ${entryText(expected)} was committed in term ${c.commitTerm}`);
      }
    }
    return null;
  },
};

/**
 * No two servers apply different commands at the same index. A snapshot is applied state (the
 * service's, in memory or on disk, from which it restarts), so every entry it holds is one some
 * server applied there.
 */
export const StateMachineSafety: RaftInvariant = {
  name: 'StateMachineSafety',
  check: (s) => {
    const r = recorded(s, 'StateMachineSafety');
    if (r !== null) return r;
    for (let server = 0; server < s.servers.length; server++) {
      const { state, persisted } = s.servers[server]!;
      const f = snapshotDisagrees(s, server, 'disk', persisted) ?? (state ? snapshotDisagrees(s, server, 'log', state) : null);
      if (f !== null) return f;
    }
    return null;
  },
};

function snapshotDisagrees(s: SystemState, server: number, field: 'log' | 'disk', v: PersistentState): Finding | null {
  if (v.lastIncludedIndex === 0) return null;
  const data = snapshotEntries(v);
  for (let i = 0; i < data.length; i++) {
    if (i < s.applied.length && appliedValue(data[i]!) === s.applied[i]) continue;
    const where = field === 'disk' ? `${sn(server)}'s snapshot on disk` : `${sn(server)}'s snapshot`;
    return finding('StateMachineSafety', [{ server, field, index: i + 1 }], [],
      i < s.applied.length
        ? `${where} holds ${entryText(data[i]!)} at index ${i + 1}, where ${formatCommand(s.applied[i])} was applied`
        : `${where} holds ${entryText(data[i]!)} at index ${i + 1}, which no server applied`);
  }
  return null;
}

const memoryAndDisk = (server: number, field: FindingField): FindingPlace[] => [{ server, field }, { server, field: 'disk' }];

/** The same snapshot data (the same object, or the same entries). */
function sameSnapshot(x: PersistentState, y: PersistentState): boolean {
  if (x.snapshot === y.snapshot) return true;
  if (x.snapshot === null || y.snapshot === null) return false;
  const a = snapshotEntries(x);
  const b = snapshotEntries(y);
  return a.length === b.length && a.every((e, i) => sameEntry(e, b[i]));
}

/** A live server's currentTerm, votedFor, snapshot (with lastIncludedIndex, lastIncludedTerm and lastIncludedConfig) and log equal what it last persisted. */
export const PersistedMatchesMemory: RaftInvariant = {
  name: 'PersistedMatchesMemory',
  check: (s) => {
    for (let server = 0; server < s.servers.length; server++) {
      const { state, persisted } = s.servers[server]!;
      if (!state) continue;
      if (state.currentTerm !== persisted.currentTerm) {
        return finding('PersistedMatchesMemory', memoryAndDisk(server, 'currentTerm'), [state.currentTerm, persisted.currentTerm],
          `${sn(server)} is in term ${state.currentTerm}, its disk says ${persisted.currentTerm}`);
      }
      if (state.votedFor !== persisted.votedFor) {
        const v = (x: number | null): string => (x === null ? 'nobody' : sn(x));
        return finding('PersistedMatchesMemory', memoryAndDisk(server, 'votedFor'), [state.currentTerm],
          `${sn(server)} voted for ${v(state.votedFor)}, its disk says ${v(persisted.votedFor)}`);
      }
      if (state.lastIncludedIndex !== persisted.lastIncludedIndex || state.lastIncludedTerm !== persisted.lastIncludedTerm || !sameSnapshot(state, persisted) ||
        !sameConfig(state.lastIncludedConfig, persisted.lastIncludedConfig)) {
        return finding('PersistedMatchesMemory', memoryAndDisk(server, 'log'), [],
          `${sn(server)}'s snapshot runs through index ${state.lastIncludedIndex} (term ${state.lastIncludedTerm}) in memory, ${persisted.lastIncludedIndex} (term ${persisted.lastIncludedTerm}) on disk` +
            (state.lastIncludedIndex === persisted.lastIncludedIndex && state.lastIncludedTerm === persisted.lastIncludedTerm ? ', with other data' : ''));
      }
      if (state.log === persisted.log) continue;
      const n = Math.max(lastLogIndex(state), lastLogIndex(persisted));
      for (let i = state.lastIncludedIndex + 1; i <= n; i++) {
        const inMemory = knownEntry(state, i);
        if (sameEntry(inMemory, knownEntry(persisted, i))) continue;
        return finding('PersistedMatchesMemory',
          [{ server, field: 'log', index: i }, { server, field: 'disk', index: i, ...(inMemory ? { expected: inMemory } : {}) }], [],
          `${sn(server)} holds ${knownEntryText(state, i)} at index ${i} in memory, ${knownEntryText(persisted, i)} on disk`);
      }
    }
    return null;
  },
};

/**
 * The configuration of the latest configuration entry committed (the committed ghost), else the
 * bootstrap one; null when neither exists: every server a voter, the model without membership.
 */
export function latestCommittedConfig(s: SystemState): Configuration | null {
  for (let i = s.committed.length - 1; i >= 0; i--) {
    const c = s.committed[i]!.config;
    if (c !== undefined) return c;
  }
  return s.bootstrapConfig ?? null;
}

/**
 * The configurations of the configuration entries on some disk past every index committed so
 * far: a leader takes one into effect as soon as it appends it (thesis §4.1) and commits on its
 * voters' majority, before the entry itself commits. One change at a time makes each differ from
 * the latest committed configuration by one server, so their majorities overlap with its own.
 */
function pendingConfigs(s: SystemState): Configuration[] {
  const found: Configuration[] = [];
  const committed = s.committed.length;
  for (const slot of s.servers) {
    const d = slot.persisted;
    for (let k = Math.max(0, committed - d.lastIncludedIndex); k < d.log.length; k++) {
      const c = d.log[k]!.config;
      if (c !== undefined && !found.some((f) => sameConfig(f, c))) found.push(c);
    }
  }
  return found;
}

/** How many of `voters` hold on disk what was applied at index `i`. */
function diskCopies(s: SystemState, voters: readonly number[], i: number): number {
  let copies = 0;
  for (const v of voters) if (holdsApplied(s.servers[v]!.persisted, i, s.applied[i - 1])) copies++;
  return copies;
}

/** Whether `d` holds at index `i` what was applied there (a command, a configuration or a no-op: appliedValue). */
const holdsApplied = (d: PersistentState, i: number, applied: unknown): boolean => {
  const e = knownEntry(d, i);
  return e !== undefined && appliedValue(e) === applied;
};

/**
 * Every entry ever applied is on the disks of a majority (in the log or in the snapshot) of the
 * voters of the latest committed configuration, so no crash pattern can lose it (without
 * membership: a majority of all servers); or of the voters of a configuration some disk holds
 * past the committed index (pendingConfigs: a leader commits on the configuration in effect,
 * the one it appended, whose majorities overlap the committed one's).
 */
export const CommittedSurvivesCrash: RaftInvariant = {
  name: 'CommittedSurvivesCrash',
  check: (s) => {
    const config = latestCommittedConfig(s);
    const n = config === null ? s.servers.length : config.voters.length;
    const needed = majority(n);
    for (let i = 0; i < s.applied.length; i++) {
      let copies = 0;
      for (let k = 0; k < n; k++) if (holdsApplied(s.servers[config === null ? k : config.voters[k]!]!.persisted, i + 1, s.applied[i])) copies++;
      if (copies >= needed) continue;
      // Committed by a leader on the voters of a configuration it has appended and not yet committed.
      if (pendingConfigs(s).some((c) => diskCopies(s, c.voters, i + 1) >= majority(c.voters.length))) continue;
      const voters = config === null ? s.servers.map((_, id) => id) : config.voters;
      const missing = voters.filter((v) => !holdsApplied(s.servers[v]!.persisted, i + 1, s.applied[i]));
      const of = config === null ? `${s.servers.length} disks` : `the disks of the ${n} voters of ${configText(config)}`;
      return finding('CommittedSurvivesCrash', missing.map((server) => ({ server, field: 'disk' as const, index: i + 1 })), [],
        `command ${formatCommand(s.applied[i])} was applied at index ${i + 1} but is on ${copies} of ${of} (a majority is ${needed}): missing on ${missing.map(sn).join(', ')}`);
    }
    return null;
  },
};

const stood = (s: SystemState, term: number, server: number): boolean => ((s.candidates[term] ?? 0) & (1 << server)) !== 0;

/**
 * Votes are per term (Figure 2: votedFor is "candidateId that received vote in current term"):
 * a vote, in memory or on disk, names a server that stood for election in that term.
 */
export const VotesOnlyForCandidatesOfTheTerm: RaftInvariant = {
  name: 'VotesOnlyForCandidatesOfTheTerm',
  check: (s) => {
    for (let server = 0; server < s.servers.length; server++) {
      const { state, persisted } = s.servers[server]!;
      if (state && state.votedFor !== null && !stood(s, state.currentTerm, state.votedFor)) {
        return finding('VotesOnlyForCandidatesOfTheTerm', [{ server, field: 'votedFor' }], [state.currentTerm],
          `${sn(server)} in term ${state.currentTerm} holds a vote for ${sn(state.votedFor)}, who did not stand in term ${state.currentTerm}`, [server, state.votedFor]);
      }
      if (persisted.votedFor !== null && !stood(s, persisted.currentTerm, persisted.votedFor)) {
        return finding('VotesOnlyForCandidatesOfTheTerm', [{ server, field: 'disk' }], [persisted.currentTerm],
          `${sn(server)}'s disk holds a vote in term ${persisted.currentTerm} for ${sn(persisted.votedFor)}, who did not stand in that term`, [server, persisted.votedFor]);
      }
    }
    return null;
  },
};

/** Figure 2, all servers: a request or reply with term T > currentTerm sets currentTerm = T. */
export const HigherTermAdopted: RaftInvariant = {
  name: 'HigherTermAdopted',
  check: (s) => recorded(s, 'HigherTermAdopted'),
};

/**
 * A leader's matchIndex[f] is a fact, not a hope: while f is in the leader's term, f's log
 * (on disk, and in memory when it is up) agrees with the leader's up to matchIndex[f]. Only the
 * leader of that term writes to f's log then, and it never rewrites an agreeing prefix; f
 * persisted before it acknowledged. (When f moves to a later term the leader is stale and the
 * claim lapses.)
 */
function agreesUpTo(mine: PersistentState, theirs: PersistentState, upTo: number): boolean {
  if (upTo > lastLogIndex(mine) || upTo > lastLogIndex(theirs)) return false;
  for (let i = 1; i <= upTo; i++) if (!sameEntry(knownEntry(mine, i), knownEntry(theirs, i))) return false;
  return true;
}

export const LeaderMatchIndexIsSound: RaftInvariant = {
  name: 'LeaderMatchIndexIsSound',
  check: (s) => {
    for (let id = 0; id < s.servers.length; id++) {
      const leader = s.servers[id]!.state;
      if (leader?.role !== 'leader') continue;
      for (let f = 0; f < s.servers.length; f++) {
        const m = leader.matchIndex[f] ?? 0;
        if (f === leader.id || m === 0) continue;
        const peer = s.servers[f]!;
        const diskWrong = peer.persisted.currentTerm === leader.currentTerm && !agreesUpTo(leader, peer.persisted, m);
        const memWrong = peer.state !== null && peer.state.currentTerm === leader.currentTerm && !agreesUpTo(leader, peer.state, m);
        if (!diskWrong && !memWrong) continue;
        return finding('LeaderMatchIndexIsSound', [
          { server: id, field: 'matchIndex', peer: f },
          ...(memWrong ? [{ server: f, field: 'log' as const }] : []),
          ...(diskWrong ? [{ server: f, field: 'disk' as const }] : []),
        ], [leader.currentTerm],
        `leader ${sn(id)} of term ${leader.currentTerm} has matchIndex[${sn(f)}] = ${m}, but ${sn(f)}'s ${memWrong ? 'log' : 'disk'} does not match its first ${m} entr${m === 1 ? 'y' : 'ies'}`);
      }
    }
    return null;
  },
};

/**
 * A reply answers a request of the term it carries: one from an older term is news about a
 * leadership or candidacy that is over, and changes nothing (no state, no message). With up to
 * four servers acting on it happens to be harmless (what the follower acknowledged is on a
 * majority); with five it can make a leader count an entry as replicated on a follower whose
 * log differs, so the rule is checked directly.
 */
export const StaleRepliesIgnored: RaftInvariant = {
  name: 'StaleRepliesIgnored',
  check: (s) => recorded(s, 'StaleRepliesIgnored'),
};

/**
 * The terms along a log never fall: a leader appends only entries of its own term, the highest it
 * has seen, and a follower takes a leader's entries only after a matching prefix, dropping what
 * follows. So each log's terms, after its snapshot's lastIncludedTerm, are non-decreasing, in
 * memory and on disk (a standard invariant of the TLA+ specifications of Raft). A follower that
 * overwrites entries in place and keeps a stale tail breaks it before anything else does.
 */
export const LogTermsNonDecreasing: RaftInvariant = {
  name: 'LogTermsNonDecreasing',
  check: (s) => {
    for (const { server, field, log } of allLogs(s)) {
      let previous = log.lastIncludedTerm;
      for (let k = 0; k < log.log.length; k++) {
        const term = log.log[k]!.term;
        if (term < previous) {
          const index = log.lastIncludedIndex + k + 1;
          return finding('LogTermsNonDecreasing', [{ server, field, index: index - 1 }, { server, field, index }], [previous, term],
            `${sn(server)}'s ${field} holds an entry of term ${term} at index ${index}, after one of term ${previous}`);
        }
        previous = term;
      }
    }
    return null;
  },
};

/** No server lowers its commitIndex in a step (the step property of that name records it). */
export const CommitIndexNeverDecreases: RaftInvariant = {
  name: 'CommitIndexNeverDecreases',
  check: (s) => recorded(s, 'CommitIndexNeverDecreases'),
};

/** A leader raises commitIndex only to an entry of its currentTerm (the step property of that name records it). */
export const CommitByCountingOnlyCurrentTerm: RaftInvariant = {
  name: 'CommitByCountingOnlyCurrentTerm',
  check: (s) => recorded(s, 'CommitByCountingOnlyCurrentTerm'),
};

export const INVARIANTS: readonly RaftInvariant[] = [
  ElectionSafety, LogMatching, LeaderAppendOnly, LeaderCompleteness, StateMachineSafety,
  PersistedMatchesMemory, CommittedSurvivesCrash, VotesOnlyForCandidatesOfTheTerm, HigherTermAdopted,
  LeaderMatchIndexIsSound, StaleRepliesIgnored, LogTermsNonDecreasing, CommitIndexNeverDecreases, CommitByCountingOnlyCurrentTerm,
  ...OPTION_INVARIANTS, // PreVote and CheckQuorum
  ...MEMBERSHIP_INVARIANTS, // membership change
];

/** The first invariant `s` breaks, with its finding; null when all hold. */
export function firstViolation(s: SystemState): Finding | null {
  for (const inv of INVARIANTS) {
    const f = inv.check(s);
    if (f !== null) return f;
  }
  return null;
}
