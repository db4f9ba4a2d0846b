import type { Property } from '../engine/model.js';
import type { Bounds } from './bounds.js';
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
 * The goals a run within `b` aims for: the snapshot goals only when servers may snapshot (so
 * `--max-snapshots 0` checks what the model checked before snapshots, with the same verdict).
 */
export function goalsFor(b: Bounds): readonly Property<SystemState>[] {
  return (b.maxSnapshots ?? 0) > 0 ? GOALS : GOALS.filter((g) => !SNAPSHOT_GOALS.has(g.name));
}
