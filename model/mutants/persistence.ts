import { operations, step } from '../../src/core/index.js';
import type { Mutant } from './mutant.js';

/** The persist effect never carries votedFor: a restarted server may vote twice in one term. */
export const votedForNotPersisted: Mutant = {
  name: 'votedFor-not-persisted',
  description: 'The persisted state leaves votedFor out (it is written as null), so a restart forgets the vote.',
  breaks: 'PersistedMatchesMemory',
  reducer: {
    operations,
    step: (state, input) => {
      const r = step(state, input);
      return r.persist ? { ...r, persist: { ...r.persist, votedFor: null } } : r;
    },
  },
};
