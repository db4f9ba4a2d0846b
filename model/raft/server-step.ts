import type { Input, Operation, RaftState, StepResult } from '../../src/core/index.js';
import type { Finding } from './finding.js';
import type { SystemState } from './system.js';

/** What a step property judges, and its shape (the properties: step-properties.ts, option-properties.ts). */

/** One server step as the transition carried it out. */
export interface ServerStep {
  /** The system before the step (its ghosts: who was elected, what committed and applied). */
  readonly system: SystemState;
  readonly server: number;
  readonly input: Input;
  readonly before: RaftState;
  /** What the reducer returned: the state after, the messages and the effects. */
  readonly result: StepResult;
  /** The step's operations, of which the first `carried` were carried out (fewer on a crash mid-step). */
  readonly operations: readonly Operation[];
  readonly carried: number;
  /** The applied ghost after the operations carried out. */
  readonly applied: readonly unknown[];
}

export interface StepProperty {
  readonly name: string;
  /** The invariant a finding of this property breaks. */
  readonly invariant: string;
  readonly check: (step: ServerStep) => Finding | null;
}
