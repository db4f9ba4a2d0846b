import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker, type TransferListItem } from 'node:worker_threads';

/** The sibling module `name` of the module at `here`, in the same language: `.ts` from sources, `.js` from the build. */
export function sibling(name: string, here: string): URL {
  return new URL(`${name}${here.endsWith('.ts') ? '.ts' : '.js'}`, here);
}

/**
 * Starts a worker thread running a module: a compiled `.js` one directly, a TypeScript one
 * through tsx. On Node 20 neither a .ts worker entry nor
 * `execArgv: ['--import', 'tsx']` works (the worker's entry is loaded before those hooks apply),
 * so the worker starts from a tiny JS bootstrap that registers tsx's ESM hooks in the worker and
 * then imports the module. This works alike under `npx tsx` and under vitest. Throws if tsx
 * cannot be found; the caller falls back to searching in-thread.
 */
export function spawnTsWorker(entry: URL, workerData: unknown, transferList: readonly TransferListItem[] = []): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, { workerData, transferList: [...transferList] });
  const require = createRequire(import.meta.url);
  // `require` resolves the CJS build of tsx's API; the ESM build sits next to it.
  const api = pathToFileURL(require.resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const bootstrap = `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData, transferList: [...transferList] });
}
