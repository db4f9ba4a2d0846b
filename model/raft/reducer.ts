import { operations, step, type Operation, type RaftState, type Input, type StepResult } from '../../src/core/index.js';

/**
 * What the model runs for each server: the core's `step` and its effect order. The production
 * pair is the default; mutants (model/mutants) substitute a broken variant of one piece.
 */
export interface Reducer {
  readonly step: (state: RaftState, input: Input) => StepResult;
  readonly operations: (result: StepResult) => readonly Operation[];
}

export const PRODUCTION: Reducer = { step, operations };
