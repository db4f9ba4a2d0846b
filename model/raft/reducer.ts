import { operations, step, type Operation, type RaftState, type Input, type StepResult } from '../../src/core/index.js';

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
}

export const PRODUCTION: Reducer = { step, operations };

/** The production core with StepConfig.maxEntriesPerAppend (absent: the core's default, no cap). */
export function productionReducer(maxEntriesPerAppend?: number): Reducer {
  if (maxEntriesPerAppend === undefined) return PRODUCTION;
  const config = { maxEntriesPerAppend };
  return { step: (state, input) => step(state, input, config), operations };
}
