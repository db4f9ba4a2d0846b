import type { Configuration, MembershipChange } from '../../src/core/index.js';

/** The kinds of membership change (thesis §4.2), in the order the model tries them. */
export type ConfigChangeKind = MembershipChange['kind'];
export const CONFIG_CHANGE_KINDS: readonly ConfigChangeKind[] = ['AddLearner', 'PromoteLearner', 'RemoveServer'];

/** The explicit bounds of a Raft model run; every run prints them. */
export interface Bounds {
  readonly servers: number;
  /** No server's currentTerm exceeds this (election timeouts are disabled at it). */
  readonly maxTerm: number;
  /** No leader's log grows past this index (lastLogIndex: compacted entries count). */
  readonly maxLog: number;
  /** Client commands issued over the whole run (commands are the values 1, 2, ...). */
  readonly maxCommands: number;
  /** Crashes over the whole run; each crashed server may restart. */
  readonly maxCrashes: number;
  /** Messages in flight at once (a multiset); states that would exceed it are not explored. */
  readonly maxMessages: number;
  /**
   * Snapshots the servers take (the service's Snapshot input) over the whole run. Absent: none
   * (bounds written before snapshots, e.g. older traces and the playground's, mean no snapshots).
   */
  readonly maxSnapshots?: number;
  readonly drop: boolean;
  readonly duplicate: boolean;
  /** Let a crash fall in the middle of a step, after its first group of effects. */
  readonly crashMidStep: boolean;
  /**
   * The core's StepConfig.maxEntriesPerAppend for every server (absent: no cap, the core's
   * default). Not a bound on the search but part of what is checked, so traces record it.
   */
  readonly maxEntriesPerAppend?: number;
  /**
   * The core's StepConfig.preVote and .checkQuorum for every server (absent: off, the plain
   * algorithm, as in traces written before they existed). Like the cap, part of what is checked.
   * With checkQuorum a leader's election timeout is enabled (it is the quorum check).
   */
  readonly preVote?: boolean;
  readonly checkQuorum?: boolean;
  /**
   * Invariants (and the step properties that report through them) not checked: to watch what a
   * bug does after the rule that names it, e.g. Figure 8's LeaderCompleteness once
   * CommitByCountingOnlyCurrentTerm is skipped. Absent: every invariant. Traces record it, so a
   * replay checks the same set.
   */
  readonly skipInvariants?: readonly string[];
  /**
   * Membership changes (ChangeMembership accepted by a leader) over the whole run. Absent or 0:
   * none, and the model is exactly the model before membership (the same states, the same counts).
   */
  readonly maxConfigChanges?: number;
  /** The kinds of change the host asks for (absent: all three). */
  readonly configChanges?: readonly ConfigChangeKind[];
  /**
   * The servers of the bootstrap configuration, s0..s(k-1) as voters (absent: every server, no
   * bootstrap configuration at all); the others start outside and can only be added.
   */
  readonly initialVoters?: number;
}

export const DEFAULT_BOUNDS: Bounds = {
  servers: 3,
  maxTerm: 2,
  maxLog: 2,
  maxCommands: 2,
  maxCrashes: 1,
  maxMessages: 2,
  maxSnapshots: 1,
  drop: true,
  // Off by default: one snapshot over the run with duplication on gives 7.1M states (about 2
  // minutes) without PreVote and CheckQuorum, and those two on double the plain run again (3.1 to
  // 6.2 million states with duplication). `--dup` turns it on; the random checker duplicates;
  // `--dup --max-snapshots 0 --no-prevote --no-check-quorum` is the default of before (1,504,204 states).
  duplicate: false,
  crashMidStep: true,
  preVote: true,
  checkQuorum: true,
};

export function formatBounds(b: Bounds): string {
  return [
    `servers=${b.servers}`, `max-term=${b.maxTerm}`, `max-log=${b.maxLog}`, `max-commands=${b.maxCommands}`,
    `max-crashes=${b.maxCrashes}`, `max-messages=${b.maxMessages}`,
    `max-snapshots=${b.maxSnapshots ?? 0}`, `drop=${b.drop ? 'on' : 'off'}`,
    `dup=${b.duplicate ? 'on' : 'off'}`, `crash-mid-step=${b.crashMidStep ? 'on' : 'off'}`,
    ...(b.maxEntriesPerAppend !== undefined ? [`max-entries-per-append=${b.maxEntriesPerAppend}`] : []),
    `prevote=${b.preVote === true ? 'on' : 'off'}`, `check-quorum=${b.checkQuorum === true ? 'on' : 'off'}`,
    ...(b.skipInvariants !== undefined && b.skipInvariants.length > 0 ? [`skip=${b.skipInvariants.join(',')}`] : []),
    ...(b.maxConfigChanges !== undefined ? [`max-config-changes=${b.maxConfigChanges}`] : []),
    ...(b.configChanges !== undefined ? [`config-changes=${b.configChanges.join(',')}`] : []),
    ...(b.initialVoters !== undefined ? [`initial-voters=${b.initialVoters}`] : []),
  ].join(' ');
}

/** Throws a RangeError naming the bad bound; the CLI turns it into one line and exit 2. */
export function validateBounds(b: Bounds): Bounds {
  const check = (name: string, v: number, min: number, max: number): void => {
    if (!Number.isInteger(v) || v < min || v > max) throw new RangeError(`--${name} must be an integer in ${min}..${max}, got ${v}`);
  };
  check('servers', b.servers, 1, 7);
  check('max-term', b.maxTerm, 0, 50);
  check('max-log', b.maxLog, 0, 50);
  check('max-commands', b.maxCommands, 0, 50);
  check('max-crashes', b.maxCrashes, 0, 20);
  check('max-messages', b.maxMessages, 0, 64);
  if (b.maxSnapshots !== undefined) check('max-snapshots', b.maxSnapshots, 0, 20);
  if (b.maxEntriesPerAppend !== undefined) check('max-entries-per-append', b.maxEntriesPerAppend, 1, 50);
  if (b.maxConfigChanges !== undefined) check('max-config-changes', b.maxConfigChanges, 0, 20);
  if (b.initialVoters !== undefined) check('initial-voters', b.initialVoters, 1, b.servers);
  if (b.configChanges !== undefined) {
    const unknown = b.configChanges.find((k) => !CONFIG_CHANGE_KINDS.includes(k));
    if (unknown !== undefined) throw new RangeError(`--config-changes: no change is named '${String(unknown)}' (they are ${CONFIG_CHANGE_KINDS.join(', ')})`);
    if (b.configChanges.length === 0 || new Set(b.configChanges).size !== b.configChanges.length) throw new RangeError(`--config-changes must name each kind at most once and at least one, got '${b.configChanges.join(',')}'`);
  }
  return b;
}

/** Whether the run changes membership at all (the model of before otherwise). */
export const membershipOn = (b: Bounds): boolean => (b.maxConfigChanges ?? 0) > 0;

/** The kinds of change a run asks for. */
export const configChangeKinds = (b: Bounds): readonly ConfigChangeKind[] => b.configChanges ?? CONFIG_CHANGE_KINDS;

/** The bootstrap configuration of a run: s0..s(k-1) voters; undefined when every server starts a voter. */
export function bootstrapConfigOf(b: Bounds): Configuration | undefined {
  const k = b.initialVoters;
  if (k === undefined || k >= b.servers) return undefined;
  // One object per k: every server's state, and every state of the run, shares it.
  let c = bootstraps[k];
  if (c === undefined) bootstraps[k] = c = Object.freeze({ voters: Object.freeze(Array.from({ length: k }, (_, i) => i)), learners: Object.freeze([]) });
  return c;
}
const bootstraps: Configuration[] = [];
