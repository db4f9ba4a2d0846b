#!/usr/bin/env node
/**
 * `npm run explore -- reports/<run>/trace.json [--port N] [--host H]`: serves the interactive
 * counterexample explorer for one trace on localhost until Ctrl-C. The page replays the trace
 * through the core in the browser. The trace (and the trace.svg beside it) is read again on every
 * page load, so a reload shows the file as it is now.
 * Exit codes: 0 stopped by Ctrl-C; 2 bad arguments or an unreadable trace (one line, no stack).
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TraceFile } from '../model/report/trace-file.js';
import { traceProblem } from '../web/explorer/trace-check.js';
import { explorerHtml, webBundleCode } from './build-web.js';

export class ExploreError extends Error {}

/** Reads and shape-checks a trace file; an ExploreError says what is wrong in one line. */
export function readTraceFile(path: string): TraceFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ExploreError(code === 'ENOENT' ? `no such file: ${path}` : code === 'EISDIR' ? `${path} is a directory, not a trace.json` : `cannot read ${path}: ${(e as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new ExploreError(`${path} is not JSON: ${(e as Error).message}`);
  }
  const problem = traceProblem(data);
  if (problem) throw new ExploreError(`${path} is not a pure-raft trace (${problem})`);
  return data as TraceFile;
}

function readSvgBeside(tracePath: string): string | null {
  try {
    return readFileSync(join(dirname(tracePath), 'trace.svg'), 'utf8');
  } catch {
    return null;
  }
}

export interface ExplorerServer {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

export interface ExplorerServerOptions {
  readonly tracePath: string;
  /** 0 picks a free port. */
  readonly port?: number;
  readonly host?: string;
  /** Told when the page bundle has to be built first. */
  readonly onBuild?: (reason: string) => void;
}

/** Starts the explorer server: GET / is the page (self-contained), GET /trace.json the trace. */
export async function startExplorer(options: ExplorerServerOptions): Promise<ExplorerServer> {
  const tracePath = options.tracePath; // as given: messages name it the way the user wrote it
  readTraceFile(tracePath); // fail before listening
  const script = await webBundleCode('explorer', options.onBuild);
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    try {
      if (path === '/' || path === '/index.html') {
        const body = explorerHtml(readTraceFile(tracePath), script, readSvgBeside(tracePath));
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(req.method === 'HEAD' ? undefined : body);
      } else if (path === '/trace.json') {
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(req.method === 'HEAD' ? undefined : readFileSync(tracePath));
      } else if (path === '/favicon.ico') {
        res.writeHead(204).end();
      } else {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`not found: ${path}\n`);
      }
    } catch (e) {
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`${e instanceof Error ? e.message : String(e)}\n`);
    }
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', fail);
      ok();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/`,
    server,
    close: () => new Promise<void>((ok) => {
      server.close(() => ok());
      server.closeAllConnections();
    }),
  };
}

const USAGE = 'usage: npm run explore -- <trace.json> [--port N (default 4180; 0 picks a free one)] [--host H (default 127.0.0.1)]';

interface ExploreArgs {
  readonly tracePath: string;
  readonly port: number;
  readonly host: string;
}

function parseArgs(argv: readonly string[]): ExploreArgs | 'help' {
  let tracePath: string | undefined;
  let port = 4180;
  let host = '127.0.0.1';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new ExploreError(`${a} needs a value`);
      return v;
    };
    if (a === '--help' || a === '-h') return 'help';
    else if (a === '--port') {
      const v = value();
      port = Number(v);
      if (!/^\d+$/.test(v) || port > 65535) throw new ExploreError(`--port must be an integer in 0..65535, got ${v}`);
    } else if (a === '--host') host = value();
    else if (a.startsWith('-')) throw new ExploreError(`unknown flag ${a}`);
    else if (tracePath !== undefined) throw new ExploreError(`one trace at a time (got ${tracePath} and ${a})`);
    else tracePath = a;
  }
  if (tracePath === undefined) throw new ExploreError('which trace? give the path of a trace.json (e.g. reports/mutants/no-up-to-date-check/exhaustive/trace.json)');
  return { tracePath, port, host };
}

export async function main(argv: readonly string[]): Promise<number> {
  let args: ExploreArgs | 'help';
  let explorer: ExplorerServer;
  try {
    args = parseArgs(argv);
    if (args === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    explorer = await startExplorer({ ...args, onBuild: (reason) => process.stderr.write(`explore: ${reason}\n`) });
  } catch (e) {
    if (e instanceof ExploreError) {
      process.stderr.write(`explore: ${e.message}\n`);
      return 2;
    }
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      process.stderr.write(`explore: cannot listen: ${(e as Error).message} (try --port 0)\n`);
      return 2;
    }
    throw e;
  }
  process.stdout.write(`explore: ${explorer.url}  (${args.tracePath}; Ctrl-C to stop)\n`);
  await new Promise<void>((ok) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void explorer.close().then(ok);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`explore: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(70);
    },
  );
}
