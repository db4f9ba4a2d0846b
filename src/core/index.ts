/** pure-raft core: Raft (Figure 2) as one pure reducer. Depends on immer only. */
export * from './types.js';
export { MAX_TERM } from './limits.js';
export { step } from './step.js';
export { restore, initialState, persistentPart, EMPTY_PERSISTENT_STATE } from './restore.js';
export { operations, runOperations, type Operation, type OperationSink } from './effects.js';
export { lastLogIndex, lastLogTerm, termAt, entryAt, isAtLeastAsUpToDate } from './log.js';
export { majority, peersOf } from './cluster.js';
export {
  configurationInEffect, isVoter, isLearner, isMember, membersOf, applyChange, everyoneVotes, voterQuorum, configurationProblem, changeRefusal,
  type ConfigurationSource,
} from './configuration.js';
