import { configurationInEffect, isVoter, lastLogIndex, majority, type Configuration, type Input, type LogIndex, type PersistentState, type RaftState } from '../../src/core/index.js';
import type { Invariant } from '../engine/model.js';
import { configText, holdsConfig } from './configs.js';
import { entryText, type Finding, finding, serverName as sn } from './finding.js';
import type { StepProperty } from './server-step.js';
import { knownEntry } from './snapshot-data.js';
import type { SystemState } from './system.js';

/**
 * The rules of membership change (Raft thesis chapter 4, single-server changes), as the model
 * checks them: step properties (judged as step-properties.ts judges the others) and state
 * invariants. With membership off every server's configuration is everyone, no log holds a
 * configuration entry, and each of them holds trivially (its fast path returns at once).
 */

/** A server's configuration in effect, or null when it is everyone (no configuration anywhere: membership off). */
export function configOf(st: RaftState): Configuration | null {
  if (st.bootstrapConfig === undefined && st.lastIncludedConfig === undefined && !holdsConfig(st.log)) return null;
  return configurationInEffect(st);
}

/** The index of the configuration entry in effect in `st`'s log (0: none after the snapshot). */
function configIndex(st: RaftState): LogIndex {
  for (let k = st.log.length - 1; k >= 0; k--) if (st.log[k]!.config !== undefined) return st.lastIncludedIndex + k + 1;
  return 0;
}

/**
 * Thesis §4.1 and Ongaro's 2015 fix: a leader appends a configuration entry of its term T only
 * once an entry of T has committed (by its commitIndex before the step). A change appended
 * earlier may follow an uncommitted change of a previous leader that a later leader never saw, and
 * two configurations that differ by two servers then elect two leaders, or lose a committed entry.
 */
export const ChangeAfterCommitInTerm: StepProperty = {
  name: 'ChangeAfterCommitInTerm',
  invariant: 'ChangeAfterCommitInTerm',
  check: ({ server, before, result }) => {
    const after = result.state;
    if (before.role !== 'leader' || after.currentTerm !== before.currentTerm || after.log === before.log) return null;
    const term = after.currentTerm;
    const last = lastLogIndex(after);
    for (let i = lastLogIndex(before) + 1; i <= last; i++) {
      const e = knownEntry(after, i);
      if (e?.config === undefined || e.term !== term) continue;
      if (knownEntry(before, before.commitIndex)?.term === term) return null;
      return finding('ChangeAfterCommitInTerm', [{ server, field: 'log', index: i }, { server, field: 'commitIndex' }], [term],
        `leader ${sn(server)} of term ${term} appended the configuration entry ${entryText(e)} at index ${i} with commitIndex ${before.commitIndex}, before any entry of term ${term} committed`);
    }
    return null;
  },
};

/** The leader's matchIndex after the step: its own, or (when it stepped down in the step) the one before with the reply it took. */
function matchAfter(before: RaftState, after: RaftState, input: Input): readonly number[] {
  if (after.matchIndex.length > 0) return after.matchIndex;
  const m = input.type === 'Receive' ? input.message : null;
  if (m === null || m.term !== before.currentTerm || !((m.type === 'AppendEntriesReply' && m.success) || m.type === 'InstallSnapshotReply')) return before.matchIndex;
  const out = before.matchIndex.slice();
  out[m.from] = Math.max(out[m.from] ?? 0, m.matchIndex);
  return out;
}

/**
 * Thesis §4.1: a leader's commitIndex rises only to an entry that a majority of the voters of its
 * configuration in effect (the latest in its log, committed or not) hold by its matchIndex, the
 * leader counting itself only while it is one of them. LeaderMatchIndexIsSound says the
 * matchIndex is a fact; this says the right servers were counted.
 */
export const CommitOnQuorumOfConfiguration: StepProperty = {
  name: 'CommitOnQuorumOfConfiguration',
  invariant: 'CommitOnQuorumOfConfiguration',
  check: ({ server, input, before, result }) => {
    const after = result.state;
    if (before.role !== 'leader' || after.currentTerm !== before.currentTerm || after.commitIndex <= before.commitIndex) return null;
    const config = configOf(after);
    const voters = config === null ? null : config.voters;
    const n = voters === null ? after.clusterSize : voters.length;
    const match = matchAfter(before, after, input);
    const c = after.commitIndex;
    let holding = 0;
    for (let k = 0; k < n; k++) {
      const v = voters === null ? k : voters[k]!;
      if (v === server ? lastLogIndex(after) >= c : (match[v] ?? 0) >= c) holding++;
    }
    if (holding >= majority(n)) return null;
    return finding('CommitOnQuorumOfConfiguration', [{ server, field: 'commitIndex' }, { server, field: 'matchIndex' }], [after.currentTerm],
      `leader ${sn(server)} of term ${after.currentTerm} raised its commitIndex to ${c} with ${holding} of the ${n} voters of ${config === null ? 'the cluster' : `its configuration ${configText(config)}`} holding it (a majority is ${majority(n)})`);
  },
};

export const MEMBERSHIP_STEP_PROPERTIES: readonly StepProperty[] = [ChangeAfterCommitInTerm, CommitOnQuorumOfConfiguration];

/**
 * Thesis §4.1, one change at a time: no log (memory or disk) holds two configuration entries past
 * the highest index committed so far. A leader appends one only when its log holds none past its
 * commitIndex, which never exceeds that index; followers take leaders' entries.
 */
export const OneChangeAtATime: Invariant<SystemState, Finding> = {
  name: 'OneChangeAtATime',
  check: (s) => {
    const committed = s.committed.length;
    for (let server = 0; server < s.servers.length; server++) {
      const { state, persisted } = s.servers[server]!;
      const f = (state !== null ? changesPast(s, server, 'log', state, committed) : null) ?? changesPast(s, server, 'disk', persisted, committed);
      if (f !== null) return f;
    }
    return null;
  },
};

function changesPast(s: SystemState, server: number, field: 'log' | 'disk', v: PersistentState, committed: number): Finding | null {
  if (!holdsConfig(v.log)) return null;
  const past: number[] = [];
  for (let k = 0; k < v.log.length; k++) {
    const i = v.lastIncludedIndex + k + 1;
    if (i > committed && v.log[k]!.config !== undefined) past.push(i);
  }
  if (past.length < 2) return null;
  return finding('OneChangeAtATime', past.slice(0, 2).map((index) => ({ server, field, index })), [],
    `${sn(server)}'s ${field} holds configuration entries at indices ${past.join(' and ')}, past index ${committed}, the highest committed`);
}

/** Thesis §4.2.1 (learners) and §4.2.2: a candidate or preCandidate is a voter of its configuration in effect. */
export const OnlyVotersStand: Invariant<SystemState, Finding> = {
  name: 'OnlyVotersStand',
  check: (s) => {
    for (let server = 0; server < s.servers.length; server++) {
      const st = s.servers[server]!.state;
      if (st === null || (st.role !== 'candidate' && st.role !== 'preCandidate')) continue;
      const config = configOf(st);
      if (config === null || isVoter(config, server)) continue;
      return finding('OnlyVotersStand', [{ server, field: 'role' }], [st.currentTerm],
        `${sn(server)} is a ${st.role} of term ${st.currentTerm}, but not a voter of its configuration ${configText(config)}`);
    }
    return null;
  },
};

/**
 * Thesis §4.2.2: a leader that removed itself leads on only until the entry that removes it
 * commits, and then steps down; so no leader is outside the voters of a configuration it has
 * committed (the one in effect, at or below its commitIndex, or from its snapshot or bootstrap).
 */
export const RemovedLeaderStepsDown: Invariant<SystemState, Finding> = {
  name: 'RemovedLeaderStepsDown',
  check: (s) => {
    for (let server = 0; server < s.servers.length; server++) {
      const st = s.servers[server]!.state;
      if (st?.role !== 'leader') continue;
      const config = configOf(st);
      if (config === null || isVoter(config, server)) continue;
      const index = configIndex(st);
      if (index > st.commitIndex) continue;
      return finding('RemovedLeaderStepsDown', [{ server, field: 'role' }, ...(index > 0 ? [{ server, field: 'log' as const, index }] : [])], [st.currentTerm],
        `${sn(server)} still leads term ${st.currentTerm} with commitIndex ${st.commitIndex}, though its configuration ${configText(config)}${index > 0 ? ` (index ${index})` : ''} removed it`);
    }
    return null;
  },
};

/** The finding a transition recorded for the step property of that name. */
const recordedBy = (p: StepProperty): Invariant<SystemState, Finding> => ({
  name: p.invariant,
  check: (s) => (s.breach !== null && s.breach.invariant === p.invariant ? s.breach : null),
});

export const MEMBERSHIP_INVARIANTS: readonly Invariant<SystemState, Finding>[] = [
  ...MEMBERSHIP_STEP_PROPERTIES.map(recordedBy), OneChangeAtATime, OnlyVotersStand, RemovedLeaderStepsDown,
];
