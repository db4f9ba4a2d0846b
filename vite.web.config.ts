import { fileURLToPath } from 'node:url';
import type { InlineConfig } from 'vite';

/**
 * The browser bundles, each one self-contained file in dist/browser/ (no shared chunks, CSS
 * inlined into the JS through `?inline` imports), so a page can inline a bundle whole and work
 * from file:// with nothing else. `npm run build` builds them all (scripts/build-web.ts).
 *
 * - core: the pure Raft core (and immer) as an ES module, for embedding in browsers and workers.
 * - explorer: the counterexample explorer page's script (core, model replay and UI; runs on load).
 * - playground: the Raft playground page's script (web/playground).
 *
 * To add a page: add an entry here (format 'iife' for a script that runs on load), then
 * `buildWebBundle(name)` / `webBundleCode(name)` / `webPageHtml(...)` from scripts/build-web.ts.
 */
export interface WebBundle {
  /** The entry module, relative to the repository root. */
  readonly entry: string;
  /** 'es' keeps the entry's exports (a library); 'iife' runs on load (a page's script). */
  readonly format: 'es' | 'iife';
  /** Folders (relative to the root) whose files the bundle is built from; a newer file there makes a cached bundle stale. */
  readonly sources: readonly string[];
}

export const WEB_BUNDLES = {
  core: { entry: 'src/core/index.ts', format: 'es', sources: ['src/core'] },
  explorer: { entry: 'web/explorer/main.ts', format: 'iife', sources: ['src/core', 'model/raft', 'model/mutants', 'model/engine', 'model/report', 'web/explorer', 'web/shared'] },
  playground: { entry: 'web/playground/main.ts', format: 'iife', sources: ['src/core', 'model/raft', 'model/mutants', 'model/engine', 'model/report', 'web/playground', 'web/shared'] },
} as const satisfies Record<string, WebBundle>;

export type WebBundleName = keyof typeof WEB_BUNDLES;

export const ROOT = fileURLToPath(new URL('.', import.meta.url));
export const BROWSER_OUT = 'dist/browser';

/**
 * The Vite build of one bundle. An application build (not library mode), so an ES bundle is
 * minified too (library mode keeps an ES bundle's whitespace); `preserveEntrySignatures` keeps
 * the entry's exports.
 */
export function webBundleConfig(name: WebBundleName, options: { readonly write?: boolean } = {}): InlineConfig {
  const b: WebBundle = WEB_BUNDLES[name];
  return {
    configFile: false,
    root: ROOT,
    logLevel: 'warn',
    publicDir: false,
    build: {
      outDir: BROWSER_OUT,
      emptyOutDir: false,
      write: options.write ?? true,
      target: 'es2022',
      minify: 'esbuild',
      sourcemap: false,
      modulePreload: false,
      copyPublicDir: false,
      reportCompressedSize: false,
      rollupOptions: {
        input: { [name]: b.entry },
        preserveEntrySignatures: b.format === 'es' ? 'strict' : false,
        output: {
          format: b.format,
          entryFileNames: '[name].js',
          inlineDynamicImports: true,
        },
      },
    },
  };
}

