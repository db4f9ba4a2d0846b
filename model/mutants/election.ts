import { operations, step } from '../../src/core/index.js';
import type { Mutant } from './mutant.js';

/** RequestVote granted without the §5.4.1 up-to-date check. */
export const noUpToDateCheck: Mutant = {
  name: 'no-up-to-date-check',
  description: 'Vote granting skips the "candidate log at least as up-to-date" check (§5.4.1).',
  breaks: 'LeaderCompleteness',
  reducer: {
    operations,
    step: (state, input) =>
      input.type === 'Receive' && input.message.type === 'RequestVote'
        ? step(state, { type: 'Receive', message: { ...input.message, lastLogTerm: Number.MAX_SAFE_INTEGER } })
        : step(state, input),
  },
};
