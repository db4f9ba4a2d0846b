import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * What `npm run explore` and `npm run playground` share: a small HTTP server on localhost that
 * answers GET (and HEAD) for a few fixed paths, and the command around it: --port and --host,
 * the URL printed, Ctrl-C (SIGINT) or SIGTERM stops it with exit 0, bad input is one line on
 * stderr and exit 2.
 */

/** Bad input to a command: one line on stderr, exit 2, no stack trace. */
export class CommandError extends Error {}

export interface Resource {
  readonly type: string;
  /** Called on every request, so a resource read from a file shows the file as it is now. */
  readonly body: () => string | Buffer;
}

export const HTML = 'text/html; charset=utf-8';
export const JSON_TYPE = 'application/json; charset=utf-8';

export interface LocalServer {
  /** http://host:port/ */
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

export interface ListenOptions {
  /** 0 picks a free port. */
  readonly port?: number;
  readonly host?: string;
}

/** Serves `routes` (path -> resource; anything else is 404, /favicon.ico an empty 204) until closed. */
export async function serveLocal(routes: Readonly<Record<string, Resource>>, options: ListenOptions): Promise<LocalServer> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    try {
      const resource = Object.hasOwn(routes, path) ? routes[path]! : null;
      if (resource) {
        const body = resource.body();
        res.writeHead(200, { 'content-type': resource.type, 'cache-control': 'no-store' }).end(req.method === 'HEAD' ? undefined : body);
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

// ---- the command ----------------------------------------------------------------------------

export interface ServeArgs {
  readonly port: number;
  readonly host: string;
}

/**
 * Reads --port, --host and --help; every other argument goes to `other` (with `value()` to take
 * the flag's value), which returns false for one it does not know.
 */
export function parseServeArgs(
  argv: readonly string[],
  defaultPort: number,
  other: (arg: string, value: () => string) => boolean,
): ServeArgs | 'help' {
  let port = defaultPort;
  let host = '127.0.0.1';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new CommandError(`${a} needs a value`);
      return v;
    };
    if (a === '--help' || a === '-h') return 'help';
    if (a === '--port') {
      const v = value();
      port = Number(v);
      if (!/^\d+$/.test(v) || port > 65535) throw new CommandError(`--port must be an integer in 0..65535, got ${v}`);
    } else if (a === '--host') host = value();
    else if (!other(a, value)) throw new CommandError(a.startsWith('-') ? `unknown flag ${a}` : `unexpected argument ${a}`);
  }
  return { port, host };
}

export interface ServeCommand<A extends ServeArgs> {
  /** The command's name, the prefix of every line it prints. */
  readonly name: string;
  readonly usage: string;
  parse(argv: readonly string[]): A | 'help';
  /** `onBuild` is told when a page bundle has to be built first. */
  start(args: A, onBuild: (reason: string) => void): Promise<LocalServer>;
  /** The line printed once listening: the address to open and what it serves. */
  banner(args: A, url: string): string;
}

/** Runs a serving command to its exit code: 0 after Ctrl-C, 2 for bad input or an address it cannot listen on. */
export async function runServeCommand<A extends ServeArgs>(cmd: ServeCommand<A>, argv: readonly string[]): Promise<number> {
  let args: A | 'help';
  let served: LocalServer;
  try {
    args = cmd.parse(argv);
    if (args === 'help') {
      process.stdout.write(`${cmd.usage}\n`);
      return 0;
    }
    served = await cmd.start(args, (reason) => process.stderr.write(`${cmd.name}: ${reason}\n`));
  } catch (e) {
    if (e instanceof CommandError) {
      process.stderr.write(`${cmd.name}: ${e.message}\n`);
      return 2;
    }
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      process.stderr.write(`${cmd.name}: cannot listen: ${(e as Error).message} (try --port 0)\n`);
      return 2;
    }
    throw e;
  }
  process.stdout.write(`${cmd.name}: ${cmd.banner(args, served.url)}\n`);
  await new Promise<void>((ok) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void served.close().then(ok);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return 0;
}

/** Runs `main` with the process's arguments when `moduleUrl` is the script node was started with. */
export function runIfMain(moduleUrl: string, name: string, main: (argv: readonly string[]) => Promise<number>): void {
  if (!process.argv[1] || fileURLToPath(moduleUrl) !== resolve(process.argv[1])) return;
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      // Exit codes are only 0..3: an error no input explains is a bug, and the run did not complete (3).
      process.stderr.write(`${name}: internal error: ${e instanceof Error ? e.message : String(e)} (a bug: please report it)\n`);
      process.exit(3);
    },
  );
}
