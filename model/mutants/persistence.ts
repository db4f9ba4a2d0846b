import { lastLogIndex, operations, step, type StepResult } from '../../src/core/index.js';
import type { Mutant } from './mutant.js';
import { withStep } from './wrap.js';

export const votedForNotPersisted: Mutant = {
  name: 'votedFor-not-persisted',
  description: 'The persisted state leaves votedFor out (it is written as null), so a restart forgets the vote.',
  breaks: 'PersistedMatchesMemory',
  reducer: withStep((state, input) => {
    const r = step(state, input);
    return r.persist ? { ...r, persist: { ...r.persist, votedFor: null } } : r;
  }),
};

export const currentTermNotPersisted: Mutant = {
  name: 'currentTerm-not-persisted',
  description: 'The persist effect writes the term the server had before the step, never the new one.',
  breaks: 'PersistedMatchesMemory',
  reducer: withStep((state, input) => {
    const r = step(state, input);
    return r.persist ? { ...r, persist: { ...r.persist, currentTerm: state.currentTerm } } : r;
  }),
};

export const logNotPersisted: Mutant = {
  name: 'log-not-persisted',
  description: 'The persist effect carries currentTerm and votedFor but not the log\'s changes.',
  breaks: 'PersistedMatchesMemory',
  reducer: withStep((state, input) => {
    const r = step(state, input);
    return r.persist ? { ...r, persist: { ...r.persist, log: state.log, logChangedFrom: lastLogIndex(state) + 1 } } : r;
  }),
};

export const persistFromWrongIndex: Mutant = {
  name: 'persist-from-wrong-index',
  description: 'logChangedFrom is one too high, so an incremental persister keeps a stale entry where the log changed.',
  breaks: 'PersistedMatchesMemory',
  reducer: withStep((state, input) => {
    const r = step(state, input);
    return r.persist && r.persist.logChangedFrom <= lastLogIndex(r.persist)
      ? { ...r, persist: { ...r.persist, logChangedFrom: r.persist.logChangedFrom + 1 } }
      : r;
  }),
};

export const replyBeforePersist: Mutant = {
  name: 'reply-before-persist',
  description: 'Effects run as send, then persist: a crash in between leaves a vote or an ack out that the disk never saw.',
  breaks: 'CommittedSurvivesCrash',
  reducer: {
    step,
    operations: (r: StepResult) => {
      const ops = operations(r);
      return [...ops.filter((o) => o.kind === 'send'), ...ops.filter((o) => o.kind !== 'send')];
    },
  },
};
