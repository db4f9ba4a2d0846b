import { pathToFileURL } from 'node:url';
import type { Model, ModelSource } from './model.js';

/** Imports a ModelSource's module and builds its model (in this thread or a worker). */
export async function loadModel(source: ModelSource): Promise<Model<unknown, unknown>> {
  const url = source.module.startsWith('file:') ? source.module : pathToFileURL(source.module).href;
  const mod: unknown = await import(url);
  const create = (mod as { createModel?: unknown }).createModel;
  if (typeof create !== 'function') throw new TypeError(`${source.module} does not export createModel(options)`);
  return (create as (options: unknown) => Model<unknown, unknown>)(source.options);
}
