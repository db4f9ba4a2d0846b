import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeDiskFs, TcpClient, type Secret } from '../runtime/index.js';
import { replaceDurably } from '../runtime/diskPersister.js';
import type { ClusterReply } from './clientApi.js';
import { MAX_SERVERS } from './args.js';

/**
 * `pure-raft node --join`: the cluster's definition (its id, id space and founding servers) as a
 * running server gives it, recorded in the data directory at the first start (`CLUSTER`, written
 * whole: temp, fsync, rename, directory fsync) and read from there at every later one, so a
 * joined server restarts without any other server up (a cluster whose founders were all
 * replaced restarts whole).
 */
export const CLUSTER_FILE = 'CLUSTER';

export interface ClusterDefinition {
  readonly clusterId: string;
  readonly maxServers: number;
  readonly peers: readonly string[];
}

/** A join that cannot go on: one line, the node refuses to start. */
export class JoinError extends Error {}

function parseDefinition(value: unknown, source: string): ClusterDefinition {
  const o = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const { clusterId, maxServers, peers } = o;
  if (typeof clusterId !== 'string' || clusterId === '' || !Number.isSafeInteger(maxServers) || (maxServers as number) < 1 || (maxServers as number) > MAX_SERVERS
    || !Array.isArray(peers) || peers.length > (maxServers as number) || !peers.every((p) => typeof p === 'string')) {
    throw new JoinError(`${source} is not a cluster definition ({clusterId, maxServers, peers})`);
  }
  return { clusterId, maxServers: maxServers as number, peers: peers as string[] };
}

/** The definition recorded in `dataDir`, or null at the first start. */
export function readClusterRecord(dataDir: string): ClusterDefinition | null {
  const path = join(dataDir, CLUSTER_FILE);
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new JoinError(`cannot read ${path}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new JoinError(`${path} is not JSON`);
  }
  return parseDefinition(value, path);
}

export async function writeClusterRecord(dataDir: string, definition: ClusterDefinition): Promise<void> {
  await replaceDurably(nodeDiskFs, join(dataDir, CLUSTER_FILE), [Buffer.from(`${JSON.stringify(definition)}\n`)]);
}

/** Asks each server in turn for the cluster's definition (`{op:'cluster'}`); the first answer wins. */
export async function fetchClusterDefinition(servers: readonly string[], secret: Secret, clusterId: string | undefined, timeoutMs = 3_000): Promise<ClusterDefinition> {
  const why: string[] = [];
  for (const server of servers) {
    let client: TcpClient | null = null;
    try {
      client = await TcpClient.connect(server, secret, { requestTimeoutMs: timeoutMs, ...(clusterId !== undefined ? { clusterId } : {}) });
      const reply = (await client.request({ op: 'cluster' })) as Partial<ClusterReply> & { reason?: unknown };
      if (reply.ok !== true) throw new Error(`refused: ${String(reply.reason ?? JSON.stringify(reply))}`);
      return parseDefinition(reply, `the answer of ${server}`);
    } catch (error) {
      if (error instanceof JoinError) throw error;
      why.push(`${server}: ${(error as Error).message}`);
    } finally {
      client?.close();
    }
  }
  throw new JoinError(`no --join server told how to join (${why.join('; ')})`);
}
