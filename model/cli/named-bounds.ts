/**
 * Named bounds: a flag that stands for a set of bound flags, each the smallest bound (measured)
 * at which one feature's goals are reached. They expand in place, so a run's replay line and
 * summary show the flags themselves; another bound flag given with one of them adds to it (the
 * same flag twice is refused, as always).
 */
export interface NamedBounds {
  readonly flags: readonly string[];
  readonly why: string;
}

const NO_FAULTS = ['--max-crashes', '0', '--max-snapshots', '0', '--no-crash-mid-step'];

export const NAMED_BOUNDS: Readonly<Record<string, NamedBounds>> = {
  '--membership': {
    flags: ['--servers', '3', '--max-term', '2', '--max-log', '3', '--max-commands', '0', ...NO_FAULTS, '--max-messages', '2',
      '--max-config-changes', '2', '--config-changes', 'RemoveServer', '--no-prevote', '--no-check-quorum'],
    // No client command: the entries are the changes and the leaders' no-ops (a successor holding
    // the uncommitted removal appends one when asked for a change, and that commits both).
    // 375,142 states, 7-18 s (quiet to loaded).
    why: '3 voters, RemoveServer only, 2 changes: a leader removes itself and its successor commits',
  },
  '--membership-join': {
    flags: ['--servers', '3', '--initial-voters', '2', '--max-term', '3', '--max-log', '3', '--max-commands', '0', ...NO_FAULTS, '--max-messages', '2',
      '--max-config-changes', '2', '--no-prevote', '--no-check-quorum'],
    // Symmetry is off (a server starts outside): 519,062 states, 10-24 s (quiet to loaded).
    why: 's2 starts outside {s0, s1}: it is added as a learner, catches up, is promoted and votes; a leader removes itself',
  },
};

/** argv with every named bound replaced by its flags. */
export const expandNamedBounds = (argv: readonly string[]): string[] => argv.flatMap((a) => NAMED_BOUNDS[a]?.flags ?? [a]);
