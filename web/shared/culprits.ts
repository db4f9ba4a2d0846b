import { majority, type LogEntry, type RaftState } from '../../src/core/index.js';
import type { SystemState } from '../../model/raft/system.js';
import { commandText, entryText, serverName } from './format.js';

/**
 * Which servers, and which of their fields, a broken invariant is about: what a view outlines
 * in red, with a sentence per finding. The invariants (model/raft/invariants.ts) answer only yes
 * or no; this reads the same state again and names the parts that make the answer no. Rules that
 * only a transition can break are recorded in the state's `breach`, whose detail names the server
 * (model/raft/transitions.ts writes "server N ...", "leader N ...", "servers A and B ..."); those
 * are read from it.
 */

export type CulpritField =
  | 'server' // the server as a whole (no one field)
  | 'role'
  | 'currentTerm'
  | 'votedFor'
  | 'log'
  | 'commitIndex'
  | 'matchIndex'
  | 'disk';

export interface Culprit {
  readonly server: number;
  readonly field: CulpritField;
  /** For 'log' and 'disk': the log index (1-based) the rule is about, when it is one entry. */
  readonly index?: number;
  /** For 'matchIndex': the follower whose slot is wrong. */
  readonly peer?: number;
  /** For 'log' and 'disk' at an index: the entry that should be there (a view can draw it as missing). */
  readonly expected?: LogEntry;
}

/** What breaks an invariant: the culprits, and a sentence per finding for people. */
export interface Explanation {
  readonly culprits: readonly Culprit[];
  readonly notes: readonly string[];
}

const sameEntry = (a: LogEntry | undefined, b: LogEntry | undefined): boolean =>
  a !== undefined && b !== undefined && (a === b || (a.term === b.term && a.command === b.command));

const entryAt = (log: readonly LogEntry[], index: number): string => {
  const e = log[index - 1];
  return e ? entryText(e) : 'nothing';
};

/** Server ids named in a breach's detail: "servers 0 and 2 ...", else "server 2 ..." / "leader 1 ...". */
function serversInDetail(detail: string): number[] {
  const pair = /\bservers (\d+) and (\d+)\b/.exec(detail);
  if (pair) return [Number(pair[1]), Number(pair[2])];
  const one = /\b(?:server|leader) (\d+)\b/.exec(detail);
  return one ? [Number(one[1])] : [];
}

const indexInDetail = (detail: string): number | undefined => {
  const m = /\bindex (\d+)\b/.exec(detail);
  return m ? Number(m[1]) : undefined;
};

function fromBreach(s: SystemState, invariant: string): Explanation | null {
  if (s.breach?.invariant !== invariant) return null;
  const detail = s.breach.detail;
  const ids = serversInDetail(detail);
  const index = indexInDetail(detail);
  let culprits: Culprit[];
  switch (invariant) {
    case 'ElectionSafety':
      culprits = ids.map((server) => ({ server, field: 'role' }));
      break;
    case 'LeaderAppendOnly':
      culprits = ids.map((server) => ({ server, field: 'log' }));
      break;
    case 'StateMachineSafety':
      culprits = ids.flatMap((server): Culprit[] => [{ server, field: 'commitIndex' }, { server, field: 'log', ...(index !== undefined ? { index } : {}) }]);
      break;
    case 'HigherTermAdopted':
      culprits = ids.map((server) => ({ server, field: 'currentTerm' }));
      break;
    default:
      culprits = ids.map((server) => ({ server, field: 'server' }));
  }
  return { culprits, notes: [detail] };
}

const live = (s: SystemState): { id: number; st: RaftState }[] =>
  s.servers.flatMap((slot, id) => (slot.state ? [{ id, st: slot.state }] : []));

type Finder = (s: SystemState) => Explanation;

const electionSafety: Finder = (s) => {
  const byTerm = new Map<number, number[]>();
  for (const { id, st } of live(s)) if (st.role === 'leader') byTerm.set(st.currentTerm, [...(byTerm.get(st.currentTerm) ?? []), id]);
  const clashes = [...byTerm.entries()].filter(([, ids]) => ids.length > 1);
  return {
    culprits: clashes.flatMap(([, ids]) => ids.map((server): Culprit => ({ server, field: 'role' }))),
    notes: clashes.map(([term, ids]) => `${ids.map(serverName).join(' and ')} are both leaders of term ${term}`),
  };
};

const logMatching: Finder = (s) => {
  const logs: { server: number; field: 'log' | 'disk'; log: readonly LogEntry[] }[] = [];
  s.servers.forEach((slot, server) => {
    logs.push({ server, field: 'disk', log: slot.persisted.log });
    if (slot.state) logs.push({ server, field: 'log', log: slot.state.log });
  });
  const name = (x: (typeof logs)[number]): string => `${serverName(x.server)}'s ${x.field === 'disk' ? 'disk' : 'log'}`;
  const culprits: Culprit[] = [];
  const notes: string[] = [];
  for (let a = 0; a < logs.length; a++) {
    for (let b = a + 1; b < logs.length; b++) {
      const x = logs[a]!;
      const y = logs[b]!;
      for (let i = Math.min(x.log.length, y.log.length); i >= 1; i--) {
        if (x.log[i - 1]!.term !== y.log[i - 1]!.term) continue;
        for (let j = 1; j <= i; j++) {
          if (sameEntry(x.log[j - 1], y.log[j - 1])) continue;
          culprits.push({ server: x.server, field: x.field, index: j }, { server: y.server, field: y.field, index: j });
          notes.push(`${name(x)} and ${name(y)} agree on the term at index ${i} but differ at index ${j} (${entryAt(x.log, j)} vs ${entryAt(y.log, j)})`);
          break;
        }
        break;
      }
    }
  }
  return { culprits, notes };
};

const leaderCompleteness: Finder = (s) => {
  const culprits: Culprit[] = [];
  const notes: string[] = [];
  for (const { id, st } of live(s)) {
    if (st.role !== 'leader') continue;
    s.committed.forEach((c, i) => {
      if (c.commitTerm >= st.currentTerm || sameEntry(st.log[i], c)) return;
      const expected: LogEntry = { term: c.term, command: c.command };
      culprits.push({ server: id, field: 'log', index: i + 1, expected });
      notes.push(`${serverName(id)}, leader of term ${st.currentTerm}, holds ${entryAt(st.log, i + 1)} at index ${i + 1}, where ${entryText(expected)} was committed in term ${c.commitTerm}`);
    });
  }
  return { culprits, notes };
};

const persistedMatchesMemory: Finder = (s) => {
  const culprits: Culprit[] = [];
  const notes: string[] = [];
  s.servers.forEach(({ state, persisted }, server) => {
    if (!state) return;
    const who = serverName(server);
    if (state.currentTerm !== persisted.currentTerm) {
      culprits.push({ server, field: 'currentTerm' }, { server, field: 'disk' });
      notes.push(`${who} is in term ${state.currentTerm}, its disk says ${persisted.currentTerm}`);
    }
    if (state.votedFor !== persisted.votedFor) {
      culprits.push({ server, field: 'votedFor' }, { server, field: 'disk' });
      const v = (x: number | null): string => (x === null ? 'nobody' : serverName(x));
      notes.push(`${who} voted for ${v(state.votedFor)}, its disk says ${v(persisted.votedFor)}`);
    }
    const n = Math.max(state.log.length, persisted.log.length);
    for (let i = 0; i < n; i++) {
      if (sameEntry(state.log[i], persisted.log[i])) continue;
      culprits.push({ server, field: 'log', index: i + 1 }, { server, field: 'disk', index: i + 1, ...(state.log[i] ? { expected: state.log[i] } : {}) });
      notes.push(`${who} holds ${entryAt(state.log, i + 1)} at index ${i + 1} in memory, ${entryAt(persisted.log, i + 1)} on disk`);
      break;
    }
  });
  return { culprits, notes };
};

const committedSurvivesCrash: Finder = (s) => {
  const needed = majority(s.servers.length);
  const culprits: Culprit[] = [];
  const notes: string[] = [];
  s.applied.forEach((command, i) => {
    const missing = s.servers.flatMap((slot, server) => (slot.persisted.log[i]?.command === command ? [] : [server]));
    const copies = s.servers.length - missing.length;
    if (copies >= needed) return;
    for (const server of missing) culprits.push({ server, field: 'disk', index: i + 1 });
    notes.push(`command ${commandText(command)} was applied at index ${i + 1} but is on ${copies} of ${s.servers.length} disks (a majority is ${needed}): missing on ${missing.map(serverName).join(', ')}`);
  });
  return { culprits, notes };
};

const votesOnlyForCandidates: Finder = (s) => {
  const stood = (term: number, server: number): boolean => ((s.candidates[term] ?? 0) & (1 << server)) !== 0;
  const culprits: Culprit[] = [];
  const notes: string[] = [];
  s.servers.forEach(({ state, persisted }, server) => {
    if (state && state.votedFor !== null && !stood(state.currentTerm, state.votedFor)) {
      culprits.push({ server, field: 'votedFor' });
      notes.push(`${serverName(server)} in term ${state.currentTerm} holds a vote for ${serverName(state.votedFor)}, who did not stand in term ${state.currentTerm}`);
    }
    if (persisted.votedFor !== null && !stood(persisted.currentTerm, persisted.votedFor)) {
      culprits.push({ server, field: 'disk' });
      notes.push(`${serverName(server)}'s disk holds a vote in term ${persisted.currentTerm} for ${serverName(persisted.votedFor)}, who did not stand in that term`);
    }
  });
  return { culprits, notes };
};

const leaderMatchIndexIsSound: Finder = (s) => {
  const agrees = (mine: readonly LogEntry[], theirs: readonly LogEntry[], upTo: number): boolean =>
    upTo <= mine.length && upTo <= theirs.length && mine.slice(0, upTo).every((e, i) => sameEntry(e, theirs[i]));
  const culprits: Culprit[] = [];
  const notes: string[] = [];
  for (const { id, st: leader } of live(s)) {
    if (leader.role !== 'leader') continue;
    s.servers.forEach((peer, f) => {
      const m = leader.matchIndex[f] ?? 0;
      if (f === id || m === 0) return;
      const diskWrong = peer.persisted.currentTerm === leader.currentTerm && !agrees(leader.log, peer.persisted.log, m);
      const memWrong = peer.state !== null && peer.state.currentTerm === leader.currentTerm && !agrees(leader.log, peer.state.log, m);
      if (!diskWrong && !memWrong) return;
      culprits.push({ server: id, field: 'matchIndex', peer: f });
      if (memWrong) culprits.push({ server: f, field: 'log' });
      if (diskWrong) culprits.push({ server: f, field: 'disk' });
      notes.push(`leader ${serverName(id)} of term ${leader.currentTerm} has matchIndex[${serverName(f)}] = ${m}, but ${serverName(f)}'s ${memWrong ? 'log' : 'disk'} does not match its first ${m} entr${m === 1 ? 'y' : 'ies'}`);
    });
  }
  return { culprits, notes };
};

const FROM_STATE: Readonly<Record<string, Finder>> = {
  ElectionSafety: electionSafety,
  LogMatching: logMatching,
  LeaderCompleteness: leaderCompleteness,
  PersistedMatchesMemory: persistedMatchesMemory,
  CommittedSurvivesCrash: committedSurvivesCrash,
  VotesOnlyForCandidatesOfTheTerm: votesOnlyForCandidates,
  LeaderMatchIndexIsSound: leaderMatchIndexIsSound,
};

/**
 * The parts of `s` that break `invariant`, and why in words (both empty when nothing can be
 * named, e.g. the invariant holds). A transition-recorded breach of that invariant is read first.
 */
export function explainViolation(s: SystemState, invariant: string): Explanation {
  const fromDetail = fromBreach(s, invariant);
  if (fromDetail && fromDetail.culprits.length > 0) return fromDetail;
  return FROM_STATE[invariant]?.(s) ?? { culprits: [], notes: fromDetail?.notes ?? [] };
}

export const culprits = (s: SystemState, invariant: string): readonly Culprit[] => explainViolation(s, invariant).culprits;

/** The culprits of one server, for a view of that server. */
export function culpritsOf(all: readonly Culprit[], server: number): Culprit[] {
  return all.filter((c) => c.server === server);
}
