import { formatAddress } from '../runtime/net/index.js';
import { CLIENT_USAGE, parseClientArgs, type ClientConfig, type ClientVerb } from './clientArgs.js';
import { READ_LIMIT, type NodeStatus, type ReadReply } from './clientApi.js';
import { readLine, statusLine, submitLine, type ServerReport } from './clientOutput.js';
import { defaultClusterId } from './clusterIdentity.js';
import { readCommandLine } from './commandLine.js';
import { ClusterClient } from './clusterClient.js';

/** The longest one server is waited for per attempt, so that a dead one leaves time for the others. */
const ATTEMPT_TIMEOUT_MS = 2_000;

/**
 * `pure-raft status|submit|read [flags]`: a client of a running cluster over its authenticated
 * TCP client protocol (ClusterClient). One line per result on stdout; exit 0 success, 1 the
 * operation failed, 2 bad flags (one line on stderr).
 */
export async function runClient(verb: ClientVerb, argv: readonly string[]): Promise<number> {
  const line = readCommandLine(verb, () => parseClientArgs(verb, argv), CLIENT_USAGE[verb]);
  if (typeof line === 'number') return line;
  const { config, secret } = line;
  const client = new ClusterClient(config.peers.map(formatAddress), secret, {
    requestTimeoutMs: Math.min(config.timeoutMs, ATTEMPT_TIMEOUT_MS),
    coalesce: false,
    clusterId: config.clusterId ?? defaultClusterId(config.peers, secret),
  });
  const until = Date.now() + config.timeoutMs;
  const print = (line: string): void => { process.stdout.write(`${line}\n`); };
  try {
    switch (config.verb) {
      case 'status': {
        const reports = await survey(client, config, until);
        for (const r of reports) print(statusLine(r, config.json));
        return leaderOf(reports) === null ? 1 : 0;
      }
      case 'submit': {
        const outcome = await client.submit(config.command, config.timeoutMs);
        print(submitLine(outcome, config.json));
        return outcome.committed ? 0 : 1;
      }
      case 'read':
        return await read(client, config, until, print);
    }
  } finally {
    client.close();
  }
}

/** Every server's status, asked side by side, each within what is left of the timeout. */
function survey(client: ClusterClient, config: ClientConfig, until: number): Promise<ServerReport[]> {
  return Promise.all(config.peers.map(async (peer, id): Promise<ServerReport> => {
    const address = formatAddress(peer);
    try {
      return { id, address, status: await client.status(id, Math.max(1, until - Date.now())) };
    } catch (error) {
      return { id, address, unreachable: (error as Error).message };
    }
  }));
}

/** The server that says it leads, in the highest term if several do (a deposed one may not know yet). */
function leaderOf(reports: readonly ServerReport[]): { readonly id: number; readonly status: NodeStatus } | null {
  let best: { readonly id: number; readonly status: NodeStatus } | null = null;
  for (const r of reports) {
    if ('status' in r && r.status.role === 'leader' && (best === null || r.status.currentTerm > best.status.currentTerm)) best = { id: r.id, status: r.status };
  }
  return best;
}

/** `read`: waits for a leader until the timeout, then pages through what it has applied. */
async function read(client: ClusterClient, config: ClientConfig & { readonly verb: 'read' }, until: number, print: (line: string) => void): Promise<number> {
  let leader = leaderOf(await survey(client, config, until));
  while (leader === null && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(100, Math.max(1, until - Date.now()))));
    leader = leaderOf(await survey(client, config, until));
  }
  if (leader === null) {
    process.stderr.write(`pure-raft read: no leader answered within ${config.timeoutMs / 1000} s\n`);
    return 1;
  }
  let from = config.from;
  let left = config.limit ?? Infinity;
  while (left > 0) {
    let page: ReadReply;
    try {
      page = (await client.request(leader.id, { op: 'read', from, limit: Math.min(READ_LIMIT, left) }, Math.max(1, until - Date.now()))) as ReadReply;
    } catch (error) {
      process.stderr.write(`pure-raft read: server ${leader.id} stopped answering at position ${from}: ${(error as Error).message}\n`);
      return 1;
    }
    if (!page.ok || !Array.isArray(page.commands)) {
      process.stderr.write(`pure-raft read: server ${leader.id} refused the read: ${JSON.stringify(page)}\n`);
      return 1;
    }
    if (page.commands.length === 0) break;
    for (const command of page.commands) print(readLine(from++, command, config.json));
    left -= page.commands.length;
  }
  return 0;
}
