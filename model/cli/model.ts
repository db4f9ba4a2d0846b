import { fileURLToPath } from 'node:url';
import { sibling } from '../engine/spawn-worker.js';
import { createModel as createRaftModel, type RaftModel, type RaftModelOptions } from '../raft/model.js';
import { mutantOptions } from '../mutants/index.js';

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
  return createRaftModel({ ...rest, ...mutantOptions(mutant) });
}

/** This module's path (the .ts from sources, the .js from the build), for ModelSource. */
export const MODEL_MODULE = fileURLToPath(sibling('./model', import.meta.url));
