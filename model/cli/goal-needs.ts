import { type Bounds, type ConfigChangeKind, configChangeKinds, membershipOn } from '../raft/bounds.js';

/**
 * What each goal needs of the bounds. A goal that needs a feature the run turned off (crashes,
 * snapshots, PreVote, CheckQuorum) cannot be reached, so it is dropped with a note instead of
 * making the run vacuous; a goal left unreached names the bound to raise: one below what the
 * goal needs at the least, else the bounds it depends on most.
 */

interface Feature {
  readonly on: (b: Bounds) => boolean;
  readonly off: string;
}

const CRASHES: Feature = { on: (b) => b.maxCrashes > 0, off: 'it needs a crash and --max-crashes is 0' };
const SNAPSHOTS: Feature = { on: (b) => (b.maxSnapshots ?? 0) > 0, off: 'it needs a snapshot and --max-snapshots is 0' };
const PREVOTE: Feature = { on: (b) => b.preVote === true, off: 'PreVote is off (--no-prevote)' };
const CHECK_QUORUM: Feature = { on: (b) => b.checkQuorum === true, off: 'CheckQuorum is off (--no-check-quorum)' };
const OUTSIDE: Feature = {
  on: (b) => b.initialVoters !== undefined && b.initialVoters < b.servers,
  off: 'it needs a server that starts outside the configuration and every server starts a voter (--initial-voters)',
};
const changeKind = (kind: ConfigChangeKind): Feature => ({ on: (b) => configChangeKinds(b).includes(kind), off: `it needs ${kind} and --config-changes leaves it out` });

type NumericBound = 'servers' | 'maxTerm' | 'maxLog' | 'maxCommands' | 'maxCrashes' | 'maxMessages' | 'maxSnapshots' | 'maxConfigChanges';

const FLAG: Record<NumericBound, string> = {
  servers: '--servers', maxTerm: '--max-term', maxLog: '--max-log', maxCommands: '--max-commands',
  maxCrashes: '--max-crashes', maxMessages: '--max-messages', maxSnapshots: '--max-snapshots', maxConfigChanges: '--max-config-changes',
};

/** A bound and the least value at which the goal can be reached (a function of the bounds: a vote request goes to every peer at once). */
interface Need {
  readonly bound: NumericBound;
  readonly min: (b: Bounds) => number;
}

const ELECTION: Need[] = [{ bound: 'maxTerm', min: () => 1 }, { bound: 'maxMessages', min: (b) => b.servers - 1 }];
const COMMIT: Need[] = [...ELECTION, { bound: 'maxCommands', min: () => 1 }, { bound: 'maxLog', min: () => 1 }];

interface GoalNeeds {
  readonly features: readonly Feature[];
  readonly needs: readonly Need[];
  /** The bounds to raise when every need is met and the goal is still unreached, likeliest first. */
  readonly raise: readonly NumericBound[];
  /** The goal exists only in such runs (membership's: with --max-config-changes); else it is not dropped, just absent. */
  readonly onlyWith?: (b: Bounds) => boolean;
}

export const GOAL_NEEDS: Readonly<Record<string, GoalNeeds>> = {
  LeaderElected: { features: [], needs: ELECTION, raise: ['maxMessages', 'maxTerm'] },
  EntryCommitted: { features: [], needs: COMMIT, raise: ['maxMessages', 'maxCommands', 'maxLog'] },
  CommitAfterCrashRestart: { features: [CRASHES], needs: COMMIT, raise: ['maxCommands', 'maxTerm', 'maxMessages'] },
  LaterTermLeaderCommits: { features: [], needs: [...COMMIT, { bound: 'maxTerm', min: () => 2 }], raise: ['maxTerm', 'maxCommands', 'maxMessages'] },
  FollowerCaughtUpByInstallSnapshot: { features: [SNAPSHOTS], needs: COMMIT, raise: ['maxMessages', 'maxCommands', 'maxLog'] },
  CommitAfterRestartFromSnapshot: { features: [SNAPSHOTS, CRASHES], needs: COMMIT, raise: ['maxCommands', 'maxLog', 'maxMessages'] },
  LeaderStepsDownOnLostQuorum: { features: [CHECK_QUORUM], needs: ELECTION, raise: ['maxMessages', 'maxTerm'] },
  PreVoteRoundFailsWithoutNewTerm: { features: [PREVOTE], needs: ELECTION, raise: ['maxMessages', 'maxTerm'] },
  // A no-op, AddLearner and PromoteLearner entries (three), then a vote in a later term.
  ServerAddedCatchesUpAndVotes: {
    features: [OUTSIDE, changeKind('AddLearner'), changeKind('PromoteLearner')], onlyWith: membershipOn,
    needs: [...ELECTION, { bound: 'maxConfigChanges', min: () => 2 }, { bound: 'maxLog', min: () => 3 }, { bound: 'maxTerm', min: () => 2 }],
    raise: ['maxMessages', 'maxLog', 'maxTerm'],
  },
  // A no-op and the removal (two entries), then the successor's no-op or command in a later term.
  LeaderRemovesItselfSuccessorCommits: {
    features: [changeKind('RemoveServer')], onlyWith: membershipOn,
    needs: [...ELECTION, { bound: 'maxConfigChanges', min: () => 1 }, { bound: 'maxLog', min: () => 3 }, { bound: 'maxTerm', min: () => 2 }],
    raise: ['maxMessages', 'maxLog', 'maxTerm'],
  },
};

/** Why `goal` cannot be reached within `b` for a feature turned off, or null when it can. */
export function missingFeature(goal: string, b: Bounds): string | null {
  return GOAL_NEEDS[goal]?.features.find((f) => !f.on(b))?.off ?? null;
}

/** The goals the run drops (a feature off), each with its note; the model leaves some out itself (snapshots, the options). */
export function droppedGoals(b: Bounds): { readonly name: string; readonly note: string }[] {
  return Object.keys(GOAL_NEEDS).flatMap((name) => {
    if (GOAL_NEEDS[name]!.onlyWith?.(b) === false) return [];
    const why = missingFeature(name, b);
    return why === null ? [] : [{ name, note: `goal ${name} dropped: ${why}` }];
  });
}

/** For an unreached goal: which bound to raise, in words ("raise --max-term (now 1)"). */
export function unreachedHint(goal: string, b: Bounds): string {
  const g = GOAL_NEEDS[goal];
  if (!g) return 'no hint for this goal';
  const short = g.needs.filter((n) => (b[n.bound] ?? 0) < n.min(b));
  if (short.length > 0) {
    const seen = new Set<NumericBound>();
    const parts = short.filter((n) => !seen.has(n.bound) && seen.add(n.bound)).map((n) => `${FLAG[n.bound]} (now ${b[n.bound]}, needs at least ${Math.max(...short.filter((m) => m.bound === n.bound).map((m) => m.min(b)))})`);
    return `raise ${parts.join(' and ')}`;
  }
  return `raise ${g.raise.map((k) => `${FLAG[k]} (now ${b[k] ?? 0})`).join(', ')}`;
}
