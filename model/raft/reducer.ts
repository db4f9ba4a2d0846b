import { DEFAULT_STEP_CONFIG, operations, step, type Operation, type RaftState, type Input, type StepConfig, type StepResult } from '../../src/core/index.js';

/**
 * What the model runs for each server: the core's `step` and its effect order. The production
 * pair is the default; a user of the model (the CLI, with model/mutants) may hand in a broken
 * variant of one piece instead. The model itself knows no catalog of variants.
 */
export interface Reducer {
  readonly step: (state: RaftState, input: Input) => StepResult;
  readonly operations: (result: StepResult) => readonly Operation[];
}

/** A reducer other than the production one, and the name it goes by (the model is `raft[<name>]`). */
export interface ReducerVariant {
  readonly name: string;
  readonly reducer: Reducer;
  /** The preVote/checkQuorum options the variant's reducer runs with (absent: off); the model's bounds take them. */
  readonly preVote?: boolean;
  readonly checkQuorum?: boolean;
}

export const PRODUCTION: Reducer = { step, operations };

/** The core options a model run checks: absent ones are the core's defaults (no cap, preVote and checkQuorum off). */
export interface CoreOptions {
  readonly maxEntriesPerAppend?: number;
  readonly preVote?: boolean;
  readonly checkQuorum?: boolean;
}

/** The production core with those StepConfig options (none given: PRODUCTION itself). */
export function productionReducer(options: CoreOptions = {}): Reducer {
  const { maxEntriesPerAppend, preVote = false, checkQuorum = false } = options;
  if (maxEntriesPerAppend === undefined && !preVote && !checkQuorum) return PRODUCTION;
  const config: StepConfig = { ...DEFAULT_STEP_CONFIG, ...(maxEntriesPerAppend !== undefined ? { maxEntriesPerAppend } : {}), preVote, checkQuorum };
  return { step: (state, input) => step(state, input, config), operations };
}
