import { commitPreviousTermByCounting } from './commit.js';
import { noUpToDateCheck } from './election.js';
import type { Mutant } from './mutant.js';
import { votedForNotPersisted } from './persistence.js';

export type { Mutant } from './mutant.js';

/** The catalog of classic Raft bugs the checker must catch. */
export const MUTANTS: readonly Mutant[] = [noUpToDateCheck, votedForNotPersisted, commitPreviousTermByCounting];
