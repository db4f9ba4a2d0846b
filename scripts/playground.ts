#!/usr/bin/env node
/**
 * `npm run playground [-- --port N --host H --servers 3|5 --seed S --snapshot-every N --voters K]`: serves the Raft playground
 * (web/playground) on localhost until Ctrl-C: one self-contained page, its script the 'playground'
 * bundle (dist/browser/playground.js, built first when missing or older than its sources).
 * --servers, --seed, --snapshot-every (the service's snapshot interval in applied entries, 0
 * off) and --voters (s0..s(K-1) start as voters, the others outside the cluster, waiting to be
 * added) go into the printed URL, where the page reads them (as it does paused=1 and speed=0..8);
 * without --seed every load draws a fresh one.
 * Exit codes: 0 stopped by Ctrl-C; 2 bad arguments or an address it cannot listen on (one line).
 */
import { MAX_SNAPSHOT_EVERY } from '../web/playground/sim.js';
import { playgroundHtml, webBundleCode } from './build-web.js';
import {
  CommandError, HTML, type ListenOptions, type LocalServer, parseServeArgs, runIfMain, runServeCommand, type ServeArgs, serveLocal,
} from './local-server.js';

export interface PlaygroundServerOptions extends ListenOptions {
  /** Told when the page bundle has to be built first. */
  readonly onBuild?: (reason: string) => void;
}

/** Starts the playground server: GET / (and /index.html, /playground.html) is the page. */
export async function startPlayground(options: PlaygroundServerOptions = {}): Promise<LocalServer> {
  const html = playgroundHtml(await webBundleCode('playground', options.onBuild));
  const page = { type: HTML, body: () => html };
  return serveLocal({ '/': page, '/index.html': page, '/playground.html': page }, options);
}

const USAGE = `usage: npm run playground -- [--port N (default 4181; 0 picks a free one)] [--host H (default 127.0.0.1)] [--servers 3|5] [--seed S (0..4294967295)] [--snapshot-every N (0..${MAX_SNAPSHOT_EVERY}, 0 off; default 5)] [--voters K (1..servers: s0..s(K-1) start as voters, the others outside; default all)]`;

interface PlaygroundArgs extends ServeArgs {
  readonly servers: 3 | 5 | null;
  readonly seed: number | null;
  readonly snapshotEvery: number | null;
  readonly voters: number | null;
}

/** The page's cluster size when --servers is not given. */
const DEFAULT_SERVERS = 3;

function parseArgs(argv: readonly string[]): PlaygroundArgs | 'help' {
  let servers: 3 | 5 | null = null;
  let seed: number | null = null;
  let snapshotEvery: number | null = null;
  let voters: number | null = null;
  const flags = parseServeArgs(argv, 4181, (a, value) => {
    if (a === '--servers') {
      const v = value();
      if (v !== '3' && v !== '5') throw new CommandError(`--servers must be 3 or 5, got ${v}`);
      servers = v === '3' ? 3 : 5;
    } else if (a === '--seed') {
      const v = value();
      if (!/^\d+$/.test(v) || Number(v) > 0xffffffff) throw new CommandError(`--seed must be an integer in 0..4294967295, got ${v}`);
      seed = Number(v);
    } else if (a === '--snapshot-every') {
      const v = value();
      if (!/^\d+$/.test(v) || Number(v) > MAX_SNAPSHOT_EVERY) throw new CommandError(`--snapshot-every must be an integer in 0..${MAX_SNAPSHOT_EVERY}, got ${v}`);
      snapshotEvery = Number(v);
    } else if (a === '--voters') {
      const v = value();
      if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 5) throw new CommandError(`--voters must be an integer in 1..5, got ${v}`);
      voters = Number(v);
    } else return false;
    return true;
  });
  if (flags === 'help') return 'help';
  const size: number = servers ?? DEFAULT_SERVERS;
  if (voters !== null && voters > size) throw new CommandError(`--voters must be at most the number of servers (${size}), got ${voters}`);
  return { ...flags, servers, seed, snapshotEvery, voters };
}

/** The address to open: the server's, with the settings the page reads from its query. */
export function playgroundUrl(base: string, args: Pick<PlaygroundArgs, 'servers' | 'seed'> & Partial<Pick<PlaygroundArgs, 'snapshotEvery' | 'voters'>>): string {
  const q = new URLSearchParams();
  if (args.servers !== null) q.set('servers', String(args.servers));
  if (args.seed !== null) q.set('seed', String(args.seed));
  if (args.snapshotEvery !== undefined && args.snapshotEvery !== null) q.set('snapshot-every', String(args.snapshotEvery));
  if (args.voters !== undefined && args.voters !== null) q.set('voters', String(args.voters));
  const query = q.toString();
  return query === '' ? base : `${base}?${query}`;
}

export const main = (argv: readonly string[]): Promise<number> => runServeCommand<PlaygroundArgs>({
  name: 'playground',
  usage: USAGE,
  parse: parseArgs,
  start: (args, onBuild) => startPlayground({ ...args, onBuild }),
  banner: (args, url) => `${playgroundUrl(url, args)}  (keys: space run/pause, n next event, r client request; Ctrl-C to stop)`,
}, argv);

runIfMain(import.meta.url, 'playground', main);
