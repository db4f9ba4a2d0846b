import { isVoter } from '../../src/core/index.js';
import type { Property } from '../engine/model.js';
import { type Bounds, membershipOn } from './bounds.js';
import { sameEntry } from './finding.js';
import { configOf } from './membership-properties.js';
import { knownEntry } from './snapshot-data.js';
import type { SystemState } from './system.js';

/** Sometimes-properties: a run that reaches none of them checked nothing of interest. */
export const GOALS: readonly Property<SystemState>[] = [
  { name: 'LeaderElected', holds: (s) => s.servers.some((x) => x.state?.role === 'leader') },
  { name: 'EntryCommitted', holds: (s) => s.committed.length > 0 },
  { name: 'CommitAfterCrashRestart', holds: (s) => s.committedAfterRestart },
  { name: 'LaterTermLeaderCommits', holds: (s) => s.committed.some((c) => c.commitTerm >= 2) },
  // Snapshots (Figure 13): a follower brought up by the leader's snapshot; a server restarted
  // from its own snapshot alone that goes on to raise its commitIndex.
  { name: 'FollowerCaughtUpByInstallSnapshot', holds: (s) => s.installedSnapshot },
  { name: 'CommitAfterRestartFromSnapshot', holds: (s) => s.committedAfterSnapshotRestart },
];

const SNAPSHOT_GOALS = new Set(['FollowerCaughtUpByInstallSnapshot', 'CommitAfterRestartFromSnapshot']);

/**
 * Membership (thesis chapter 4). A server that started outside the bootstrap configuration was
 * added, caught up and promoted: it is a voter of its configuration in effect, holds every entry
 * committed so far, and has granted its vote in its term to another server (who asks only
 * voters). A leader removed itself (it stepped down on committing the configuration without
 * it) and a leader of a later term committed an entry.
 */
export const MEMBERSHIP_GOALS: readonly Property<SystemState>[] = [
  {
    name: 'ServerAddedCatchesUpAndVotes',
    holds: (s) => {
      const bootstrap = s.bootstrapConfig;
      if (bootstrap == null) return false;
      return s.servers.some(({ state: st }, i) => {
        if (st === null || isVoter(bootstrap, i) || st.votedFor === null || st.votedFor === i) return false;
        const config = configOf(st);
        if (config === null || !isVoter(config, i)) return false;
        return s.committed.every((c, k) => sameEntry(knownEntry(st, k + 1), c));
      });
    },
  },
  { name: 'LeaderRemovesItselfSuccessorCommits', holds: (s) => s.removedLeaderTerm > 0 && s.committed.some((c) => c.commitTerm > s.removedLeaderTerm) },
];

/**
 * The goals a run within `b` aims for: the snapshot goals only when servers may snapshot (so
 * `--max-snapshots 0` checks what the model checked before snapshots, with the same verdict),
 * the membership goals only when membership changes.
 */
export function goalsFor(b: Bounds): readonly Property<SystemState>[] {
  const plain = (b.maxSnapshots ?? 0) > 0 ? GOALS : GOALS.filter((g) => !SNAPSHOT_GOALS.has(g.name));
  return membershipOn(b) ? [...plain, ...MEMBERSHIP_GOALS] : plain;
}
