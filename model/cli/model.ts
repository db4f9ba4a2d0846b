import { fileURLToPath } from 'node:url';
import { sibling } from '../engine/spawn-worker.js';
import { createModel as createRaftModel, type RaftModel, type RaftModelOptions } from '../raft/model.js';
import { mutantOptions } from '../mutants/index.js';
import { missingFeature } from './goal-needs.js';

/**
 * The Raft model as the command line names it: the options name a mutant rather than carry its
 * reducer, so they are plain data a worker thread can receive. Parallel BFS loads this module
 * in each worker (MODEL_MODULE); model/raft itself knows no mutants.
 */
export interface CheckModelOptions extends Omit<RaftModelOptions, 'variant'> {
  readonly mutant?: string;
}

export function createModel(options: CheckModelOptions): RaftModel {
  const { mutant, ...rest } = options;
  const model = createRaftModel({ ...rest, ...mutantOptions(mutant) });
  // A goal that needs a feature these bounds turn off is dropped (goal-needs.ts), not left unreached.
  return { ...model, goals: model.goals.filter((g) => missingFeature(g.name, model.bounds) === null) };
}

/** This module's path (the .ts from sources, the .js from the build), for ModelSource. */
export const MODEL_MODULE = fileURLToPath(sibling('./model', import.meta.url));
