#!/usr/bin/env node
/**
 * `npm run explore -- reports/<run>/trace.json [--port N] [--host H]`: serves the interactive
 * counterexample explorer for one trace on localhost until Ctrl-C. The page replays the trace
 * through the core in the browser. The trace (and the trace.svg beside it) is read again on every
 * page load, so a reload shows the file as it is now.
 * Exit codes: 0 stopped by Ctrl-C; 2 bad arguments or an unreadable trace (one line, no stack).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { TraceFile } from '../model/report/trace-file.js';
import { traceProblem } from '../web/explorer/trace-check.js';
import { explorerHtml, webBundleCode } from './build-web.js';
import {
  CommandError, HTML, JSON_TYPE, type ListenOptions, type LocalServer, parseServeArgs, runIfMain, runServeCommand, type ServeArgs, serveLocal,
} from './local-server.js';

/** Reads and shape-checks a trace file; a CommandError says what is wrong in one line. */
export function readTraceFile(path: string): TraceFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CommandError(code === 'ENOENT' ? `no such file: ${path}` : code === 'EISDIR' ? `${path} is a directory, not a trace.json` : `cannot read ${path}: ${(e as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new CommandError(`${path} is not JSON: ${(e as Error).message}`);
  }
  const problem = traceProblem(data);
  if (problem) throw new CommandError(`${path} is not a pure-raft trace (${problem})`);
  return data as TraceFile;
}

function readSvgBeside(tracePath: string): string | null {
  try {
    return readFileSync(join(dirname(tracePath), 'trace.svg'), 'utf8');
  } catch {
    return null;
  }
}

export type ExplorerServer = LocalServer;

export interface ExplorerServerOptions extends ListenOptions {
  readonly tracePath: string;
  /** Told when the page bundle has to be built first. */
  readonly onBuild?: (reason: string) => void;
}

/** Starts the explorer server: GET / is the page (self-contained), GET /trace.json the trace. */
export async function startExplorer(options: ExplorerServerOptions): Promise<ExplorerServer> {
  const tracePath = options.tracePath; // as given: messages name it the way the user wrote it
  readTraceFile(tracePath); // fail before listening
  const script = await webBundleCode('explorer', options.onBuild);
  const page = { type: HTML, body: () => explorerHtml(readTraceFile(tracePath), script, readSvgBeside(tracePath)) };
  return serveLocal({ '/': page, '/index.html': page, '/trace.json': { type: JSON_TYPE, body: () => readFileSync(tracePath) } }, options);
}

const USAGE = 'usage: npm run explore -- <trace.json> [--port N (default 4180; 0 picks a free one)] [--host H (default 127.0.0.1)]';

interface ExploreArgs extends ServeArgs {
  readonly tracePath: string;
}

function parseArgs(argv: readonly string[]): ExploreArgs | 'help' {
  let tracePath: string | undefined;
  const flags = parseServeArgs(argv, 4180, (a) => {
    if (a.startsWith('-')) return false;
    if (tracePath !== undefined) throw new CommandError(`one trace at a time (got ${tracePath} and ${a})`);
    tracePath = a;
    return true;
  });
  if (flags === 'help') return 'help';
  if (tracePath === undefined) throw new CommandError('which trace? give the path of a trace.json (e.g. reports/mutants/no-up-to-date-check/exhaustive/trace.json)');
  return { ...flags, tracePath };
}

export const main = (argv: readonly string[]): Promise<number> => runServeCommand<ExploreArgs>({
  name: 'explore',
  usage: USAGE,
  parse: parseArgs,
  start: (args, onBuild) => startExplorer({ ...args, onBuild }),
  banner: (args, url) => `${url}  (${args.tracePath}; Ctrl-C to stop)`,
}, argv);

runIfMain(import.meta.url, 'explore', main);
