/**
 * `pure-raft/model`: the checker as a library. The protocol-agnostic engine, the Raft system
 * model over the real core (bounds, actions, invariants, goals, mutants), trace replay and the
 * trace's lane diagram in DOT. Node only where the engine starts worker threads; the Raft model,
 * replay and DOT parts also run in browsers (the explorer page bundles them).
 */
export * from './engine/index.js';
export { createModel, type RaftModel, type RaftModelOptions } from './raft/model.js';
export { PRODUCTION, productionReducer, type Reducer, type ReducerVariant } from './raft/reducer.js';
export { DEFAULT_BOUNDS, formatBounds, validateBounds, type Bounds } from './raft/bounds.js';
export { actionKey, formatAction, formatMessage, type RaftAction, type ServerStepAction } from './raft/actions.js';
export { firstViolation, INVARIANTS, type RaftInvariant } from './raft/invariants.js';
export type { Finding, FindingField, FindingPlace } from './raft/finding.js';
export { STEP_PROPERTIES, stepFinding, type ServerStep, type StepProperty } from './raft/step-properties.js';
export { GOALS, goalsFor } from './raft/goals.js';
export { initialSystem, type CommittedEntry, type ServerSlot, type SystemState } from './raft/system.js';
export { replayTrace, type RecordedTrace, type ReplayOutcome } from './raft/replay-trace.js';
export { MUTANTS, mutantOptions, mutantVariant, type Mutant } from './mutants/index.js';
export { traceSentence, upgradeTrace, type TraceFile, type TraceStepRecord } from './report/trace-file.js';
export { messageFlows, traceToDot, type FlowEnd, type MessageFlow } from './report/dot.js';
