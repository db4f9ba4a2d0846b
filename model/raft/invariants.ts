import { majority, type LogEntry } from '../../src/core/index.js';
import type { Property } from '../engine/model.js';
import type { SystemState } from './system.js';

/**
 * The safety properties of Raft (§5.2-5.4, Figure 3) plus persistence, each a small named
 * predicate checked on every reachable state. Rules that only a transition can break
 * (a second leader in a term after the first crashed, a leader rewriting its log, two different
 * values applied at one index) are recorded by the transition as `breach` and read here.
 */

const sameEntry = (a: LogEntry | undefined, b: LogEntry | undefined): boolean =>
  a !== undefined && b !== undefined && (a === b || (a.term === b.term && a.command === b.command));

const noBreach = (s: SystemState, name: string): boolean => s.breach?.invariant !== name;

/** At most one leader can be elected in a given term. */
export const ElectionSafety: Property<SystemState> = {
  name: 'ElectionSafety',
  holds: (s) => {
    if (!noBreach(s, 'ElectionSafety')) return false;
    const leaderTerms = new Set<number>();
    for (const { state } of s.servers) {
      if (state?.role !== 'leader') continue;
      if (leaderTerms.has(state.currentTerm)) return false;
      leaderTerms.add(state.currentTerm);
    }
    return true;
  },
};

/** If two logs hold an entry with the same index and term, they are identical up to it. */
export const LogMatching: Property<SystemState> = {
  name: 'LogMatching',
  holds: (s) => {
    const logs: (readonly LogEntry[])[] = [];
    for (const slot of s.servers) {
      logs.push(slot.persisted.log);
      if (slot.state) logs.push(slot.state.log);
    }
    for (let a = 0; a < logs.length; a++) {
      for (let b = a + 1; b < logs.length; b++) {
        const x = logs[a]!;
        const y = logs[b]!;
        if (x === y) continue;
        // Find the highest index where the terms agree; everything up to it must match.
        for (let i = Math.min(x.length, y.length); i >= 1; i--) {
          if (x[i - 1]!.term !== y[i - 1]!.term) continue;
          for (let j = 1; j <= i; j++) if (!sameEntry(x[j - 1], y[j - 1])) return false;
          break;
        }
      }
    }
    return true;
  },
};

/** A leader never overwrites or deletes entries in its log; it only appends. */
export const LeaderAppendOnly: Property<SystemState> = {
  name: 'LeaderAppendOnly',
  holds: (s) => noBreach(s, 'LeaderAppendOnly'),
};

/** An entry committed in a term is present in the logs of the leaders of every later term. */
export const LeaderCompleteness: Property<SystemState> = {
  name: 'LeaderCompleteness',
  holds: (s) => {
    for (const { state } of s.servers) {
      if (state?.role !== 'leader') continue;
      for (let i = 0; i < s.committed.length; i++) {
        const c = s.committed[i]!;
        if (c.commitTerm < state.currentTerm && !sameEntry(state.log[i], c)) return false;
      }
    }
    return true;
  },
};

/** No two servers apply different commands at the same index. */
export const StateMachineSafety: Property<SystemState> = {
  name: 'StateMachineSafety',
  holds: (s) => noBreach(s, 'StateMachineSafety'),
};

/** A live server's currentTerm, votedFor and log equal what it last persisted. */
export const PersistedMatchesMemory: Property<SystemState> = {
  name: 'PersistedMatchesMemory',
  holds: (s) => {
    for (const { state, persisted } of s.servers) {
      if (!state) continue;
      if (state.currentTerm !== persisted.currentTerm || state.votedFor !== persisted.votedFor) return false;
      if (state.log !== persisted.log) {
        if (state.log.length !== persisted.log.length) return false;
        for (let i = 0; i < state.log.length; i++) if (!sameEntry(state.log[i], persisted.log[i])) return false;
      }
    }
    return true;
  },
};

/** Every entry ever applied is on the disks of a majority, so no crash pattern can lose it. */
export const CommittedSurvivesCrash: Property<SystemState> = {
  name: 'CommittedSurvivesCrash',
  holds: (s) => {
    const needed = majority(s.servers.length);
    for (let i = 0; i < s.applied.length; i++) {
      let copies = 0;
      for (const { persisted } of s.servers) if (persisted.log[i]?.command === s.applied[i]) copies++;
      if (copies < needed) return false;
    }
    return true;
  },
};

const stood = (s: SystemState, term: number, server: number): boolean => ((s.candidates[term] ?? 0) & (1 << server)) !== 0;

/**
 * Votes are per term (Figure 2: votedFor is "candidateId that received vote in current term"):
 * a vote, in memory or on disk, names a server that stood for election in that term.
 */
export const VotesOnlyForCandidatesOfTheTerm: Property<SystemState> = {
  name: 'VotesOnlyForCandidatesOfTheTerm',
  holds: (s) => {
    for (const { state, persisted } of s.servers) {
      if (state && state.votedFor !== null && !stood(s, state.currentTerm, state.votedFor)) return false;
      if (persisted.votedFor !== null && !stood(s, persisted.currentTerm, persisted.votedFor)) return false;
    }
    return true;
  },
};

/** Figure 2, all servers: a request or reply with term T > currentTerm sets currentTerm = T. */
export const HigherTermAdopted: Property<SystemState> = {
  name: 'HigherTermAdopted',
  holds: (s) => noBreach(s, 'HigherTermAdopted'),
};

/**
 * A leader's matchIndex[f] is a fact, not a hope: while f is in the leader's term, f's log
 * (on disk, and in memory when it is up) agrees with the leader's up to matchIndex[f]. Only the
 * leader of that term writes to f's log then, and it never rewrites an agreeing prefix; f
 * persisted before it acknowledged. (When f moves to a later term the leader is stale and the
 * claim lapses.)
 */
function agreesUpTo(mine: readonly LogEntry[], theirs: readonly LogEntry[], upTo: number): boolean {
  if (upTo > mine.length || upTo > theirs.length) return false;
  for (let i = 0; i < upTo; i++) if (!sameEntry(mine[i], theirs[i])) return false;
  return true;
}

export const LeaderMatchIndexIsSound: Property<SystemState> = {
  name: 'LeaderMatchIndexIsSound',
  holds: (s) => {
    for (const { state: leader } of s.servers) {
      if (leader?.role !== 'leader') continue;
      for (let f = 0; f < s.servers.length; f++) {
        const m = leader.matchIndex[f] ?? 0;
        if (f === leader.id || m === 0) continue;
        const peer = s.servers[f]!;
        if (peer.persisted.currentTerm === leader.currentTerm && !agreesUpTo(leader.log, peer.persisted.log, m)) return false;
        if (peer.state && peer.state.currentTerm === leader.currentTerm && !agreesUpTo(leader.log, peer.state.log, m)) return false;
      }
    }
    return true;
  },
};

/**
 * A reply answers a request of the term it carries: one from an older term is news about a
 * leadership or candidacy that is over, and changes nothing (no state, no message). With up to
 * four servers acting on it happens to be harmless (what the follower acknowledged is on a
 * majority); with five it can make a leader count an entry as replicated on a follower whose
 * log differs, so the rule is checked directly.
 */
export const StaleRepliesIgnored: Property<SystemState> = {
  name: 'StaleRepliesIgnored',
  holds: (s) => noBreach(s, 'StaleRepliesIgnored'),
};

export const INVARIANTS: readonly Property<SystemState>[] = [
  ElectionSafety, LogMatching, LeaderAppendOnly, LeaderCompleteness, StateMachineSafety,
  PersistedMatchesMemory, CommittedSurvivesCrash, VotesOnlyForCandidatesOfTheTerm, HigherTermAdopted,
  LeaderMatchIndexIsSound, StaleRepliesIgnored,
];
