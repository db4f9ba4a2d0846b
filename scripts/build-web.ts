import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Rollup } from 'vite';
import type { TraceFile } from '../model/report/trace-file.js';
import { SVG_DATA_ID, TRACE_DATA_ID } from '../web/explorer/trace-check.js';
import { BROWSER_OUT, ROOT, WEB_BUNDLES, type WebBundleName, webBundleConfig } from '../vite.web.config.js';

/**
 * The browser bundles (vite.web.config.ts) and self-contained pages built on them: Node-side
 * helpers for `npm run build`, `npm run explore`, `npm run playground`, the checker's index.html,
 * and tests.
 */

export interface BuiltBundle {
  readonly name: WebBundleName;
  readonly code: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  /** Where it was written (dist/browser/<name>.js), relative to the root. */
  readonly file: string;
  readonly ms: number;
}

/** Parallel builders (tests run side by side) never see half a file. */
function writeAtomically(abs: string, text: string): void {
  const tmp = `${abs}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, abs);
}

export const bundleFile = (name: WebBundleName): string => join(BROWSER_OUT, `${name}.js`);

const sizes = (code: string): { bytes: number; gzipBytes: number } => ({
  bytes: Buffer.byteLength(code),
  gzipBytes: gzipSync(code, { level: 9 }).length,
});

/** Builds one bundle with Vite and writes it to dist/browser/<name>.js (atomically). */
export async function buildWebBundle(name: WebBundleName): Promise<BuiltBundle> {
  const { build } = await import('vite');
  const started = performance.now();
  const config = webBundleConfig(name, { write: false });
  // The entry as an absolute path: Rollup resolves a relative one against the working directory,
  // not Vite's root, so `npm run check` from another directory could not build the page.
  const absolute = { ...config, build: { ...config.build, rollupOptions: { ...config.build?.rollupOptions, input: { [name]: join(ROOT, WEB_BUNDLES[name].entry) } } } };
  const out = (await build(absolute)) as Rollup.RollupOutput | Rollup.RollupOutput[];
  const outputs = (Array.isArray(out) ? out : [out]).flatMap((o) => o.output);
  const chunks = outputs.filter((o): o is Rollup.OutputChunk => o.type === 'chunk');
  if (chunks.length !== 1 || outputs.length !== 1) {
    throw new Error(`bundle ${name}: expected one self-contained JS file, got ${outputs.map((o) => o.fileName).join(', ')}`);
  }
  const code = chunks[0]!.code;
  const file = bundleFile(name);
  const abs = join(ROOT, file);
  mkdirSync(join(ROOT, BROWSER_OUT), { recursive: true });
  writeAtomically(abs, code);
  return { name, code, ...sizes(code), file, ms: performance.now() - started };
}

/**
 * What would stop a bundle from running in a browser (or a worker, Deno, Bun) as it is: any import
 * left in it (a bundle must be self-contained, and a bare or node: specifier does not resolve in a
 * browser), require(), Node's globals (process, Buffer, __dirname, __filename), or a node: module name
 * in quotes. Empty for a clean bundle.
 */
export function browserBundleProblems(code: string): string[] {
  const problems: string[] = [];
  const report = (what: string, re: RegExp): void => {
    const found = new Set([...code.matchAll(re)].map((m) => m[0].slice(0, 60)));
    if (found.size > 0) problems.push(`${what}: ${[...found].slice(0, 5).join(' | ')}`);
  };
  report('a static import', /\bimport\s*(?:[\w$*{][^;]*?\bfrom\s*)?["'][^"']+["']/g);
  report('an export from another module', /\bexport\s*(?:\*|\{[^}]*\})\s*from\s*["'][^"']+["']/g);
  report('a dynamic import', /\bimport\s*\(/g);
  report('require()', /\brequire\s*\(/g);
  report('process', /\bprocess\s*(?:\.|\[)/g);
  report('Buffer', /\bBuffer\s*\.\s*\w/g);
  report('__dirname/__filename', /\b__(?:dirname|filename)\b/g);
  report('a node:-prefixed module name', /["'`]node:[\w/]+["'`]/g);
  // A bare built-in name (fs, path, ...) can only be loaded through one of the above, which show the name.
  return problems;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** A built bundle is fresh when it is newer than every file it is built from (and the config). */
function freshBundle(name: WebBundleName): string | null {
  const abs = join(ROOT, bundleFile(name));
  let built: number;
  try {
    built = statSync(abs).mtimeMs;
  } catch {
    return null;
  }
  const inputs = [statSync(join(ROOT, 'vite.web.config.ts')).mtimeMs, ...WEB_BUNDLES[name].sources.map((d) => newestMtime(join(ROOT, d)))];
  return inputs.every((t) => t < built) ? readFileSync(abs, 'utf8') : null;
}

/** The bundle's code: dist/browser/<name>.js when it is up to date, else built now (about a second). */
export async function webBundleCode(name: WebBundleName, onBuild?: (reason: string) => void): Promise<string> {
  const fresh = freshBundle(name);
  if (fresh !== null) return fresh;
  onBuild?.(`${bundleFile(name)} is missing or older than its sources; building it`);
  return (await buildWebBundle(name)).code;
}

// ---- self-contained pages ----------------------------------------------------------------------

const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** JSON safe inside <script type="application/json">: no "<" can close the element or open a comment. */
const jsonForScript = (value: unknown): string =>
  JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

/** JS safe inside <script>: "</script" cannot occur ("<\/script" means the same to JS, in strings and regular expressions alike). */
const jsForScript = (code: string): string => code.replace(/<\/(script)/gi, '<\\/$1');

export interface PageOptions {
  readonly title: string;
  /** The bundle's code, inlined as the page's script. */
  readonly script: string;
  /** Data blocks: id -> any JSON value, as <script type="application/json" id="...">. */
  readonly data?: Readonly<Record<string, unknown>>;
}

/** One HTML file holding everything: data blocks, then the script (which mounts into #app). Opens from file:// too. */
export function webPageHtml(options: PageOptions): string {
  const blocks = Object.entries(options.data ?? {}).map(([id, v]) => `<script type="application/json" id="${escapeHtml(id)}">${jsonForScript(v)}</script>`);
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(options.title)}</title>`,
    '</head>',
    '<body>',
    '<div id="app"></div>',
    ...blocks,
    `<script>${jsForScript(options.script)}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** The explorer page of one trace (with the Graphviz SVG folded under it when given). */
export function explorerHtml(trace: TraceFile, script: string, svg?: string | null): string {
  const what = trace.invariant === null ? 'trace' : `${trace.invariant} counterexample`;
  return webPageHtml({
    title: `${what} (${trace.steps.length} steps) · pure-raft explorer`,
    script,
    data: { [TRACE_DATA_ID]: trace, ...(svg ? { [SVG_DATA_ID]: svg } : {}) },
  });
}

/** The playground page (web/playground): it takes its settings from the URL (servers, seed, paused, speed). */
export const playgroundHtml = (script: string): string => webPageHtml({ title: 'Raft playground · pure-raft', script });

/** Where `npm run build` writes the playground page: one file, opens from file://. */
export const PLAYGROUND_PAGE = join(BROWSER_OUT, 'playground.html');

/** Writes dist/browser/playground.html around the playground bundle's code; returns its size. */
export function writePlaygroundPage(script: string): { readonly file: string; readonly bytes: number; readonly gzipBytes: number } {
  const html = playgroundHtml(script);
  mkdirSync(join(ROOT, BROWSER_OUT), { recursive: true });
  writeAtomically(join(ROOT, PLAYGROUND_PAGE), html);
  return { file: PLAYGROUND_PAGE, ...sizes(html) };
}

/** Size figures for people: "17.0 KiB (6.5 KiB gzip)". */
export function formatSize(bytes: number, gzipBytes: number): string {
  const kib = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;
  return `${kib(bytes)} (${kib(gzipBytes)} gzip)`;
}

export { sizes as bundleSizes };
