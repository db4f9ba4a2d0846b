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
  return b;
}
