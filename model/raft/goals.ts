import type { Property } from '../engine/model.js';
import type { SystemState } from './system.js';

/** Sometimes-properties: a run that reaches none of them checked nothing of interest. */
export const GOALS: readonly Property<SystemState>[] = [
  { name: 'LeaderElected', holds: (s) => s.servers.some((x) => x.state?.role === 'leader') },
  { name: 'EntryCommitted', holds: (s) => s.committed.length > 0 },
  { name: 'CommitAfterCrashRestart', holds: (s) => s.committedAfterRestart },
  { name: 'LaterTermLeaderCommits', holds: (s) => s.committed.some((c) => c.commitTerm >= 2) },
];
