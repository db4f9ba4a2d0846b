import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';

const BIN = fileURLToPath(new URL('../../bin/pure-raft.mjs', import.meta.url));

export interface LocalClusterOptions {
  readonly size: number;
  /** A directory of its own: holds the secret file and node-<id>/ data directories. */
  readonly dir: string;
  /** Every line a node prints (stdout and stderr), with its id. */
  readonly onLine?: (id: number, line: string, stream: 'stdout' | 'stderr') => void;
  /** More `pure-raft node` flags for every node (e.g. `--snapshot-entries 20`). */
  readonly nodeFlags?: readonly string[];
  /** Give every node an HTTP API (`--http 127.0.0.1:PORT`, a free port each): see httpAddresses. */
  readonly http?: boolean;
  /**
   * Membership: the id space (`--max-servers M`, M > size). Nodes 0..size-1 found the cluster;
   * nodes size..M-1 start outside it (`--address`) and wait to be added (pure-raft add-server).
   */
  readonly maxServers?: number;
}

export interface NodeExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/**
 * Real `pure-raft node` processes on loopback, for the cluster demo, the durability test and the
 * benchmark: free ports picked once (a restarted node keeps its address), one shared secret,
 * one fresh cluster id, a data directory per node, start/kill/stop per node.
 */
export class LocalCluster {
  /** Every id's address, by id (the founders first; with maxServers, the servers to add after them). */
  readonly addresses: string[] = [];
  /** The founding servers' addresses (every node's --peers). */
  readonly founders: string[];
  /** Each node's HTTP API, host:port (empty unless the `http` option). */
  readonly httpAddresses: string[] = [];
  readonly secret = randomBytes(24).toString('hex');
  /** Fresh for every local cluster, so that no two ever take in each other's nodes or directories. */
  readonly clusterId = `local-${randomBytes(8).toString('hex')}`;
  readonly secretFile: string;
  private readonly processes: (ChildProcess | null)[];
  private readonly exits: (Promise<NodeExit> | null)[];

  private constructor(private readonly options: LocalClusterOptions, ports: number[], httpPorts: number[]) {
    mkdirSync(options.dir, { recursive: true });
    this.secretFile = join(options.dir, 'secret');
    writeFileSync(this.secretFile, this.secret + '\n', { mode: 0o600 });
    this.addresses = ports.map((p) => `127.0.0.1:${p}`);
    this.founders = this.addresses.slice(0, options.size);
    this.httpAddresses = httpPorts.map((p) => `127.0.0.1:${p}`);
    this.processes = ports.map(() => null);
    this.exits = ports.map(() => null);
  }

  static async create(options: LocalClusterOptions): Promise<LocalCluster> {
    const servers = options.maxServers ?? options.size;
    if (servers < options.size) throw new RangeError(`maxServers ${servers} < size ${options.size}`);
    const ports: number[] = [];
    for (let i = 0; i < servers * (options.http ? 2 : 1); i++) ports.push(await freePort());
    return new LocalCluster(options, ports.slice(0, servers), ports.slice(servers));
  }

  dataDir(id: number): string {
    return join(this.options.dir, `node-${id}`);
  }

  /** The `pure-raft node` arguments for server `id`. */
  nodeArgs(id: number): string[] {
    const membership = this.options.maxServers === undefined ? []
      : ['--max-servers', String(this.options.maxServers), ...(id >= this.options.size ? ['--address', this.addresses[id]!] : [])];
    return [
      'node', '--id', String(id), '--peers', this.founders.join(','), ...membership, '--data-dir', this.dataDir(id), '--secret-file', this.secretFile,
      '--cluster-id', this.clusterId, ...(this.options.http ? ['--http', this.httpAddresses[id]!] : []), ...(this.options.nodeFlags ?? []),
    ];
  }

  /**
   * The arguments of a server past the founders that joins through running servers (`--join`),
   * reading the cluster's definition from them (from its data directory's CLUSTER record once it has one).
   */
  joinArgs(id: number, via: readonly number[]): string[] {
    return [
      'node', '--id', String(id), '--address', this.addresses[id]!, '--join', via.map((v) => this.addresses[v]!).join(','),
      '--data-dir', this.dataDir(id), '--secret-file', this.secretFile, '--cluster-id', this.clusterId,
      ...(this.options.http ? ['--http', this.httpAddresses[id]!] : []), ...(this.options.nodeFlags ?? []),
    ];
  }

  /** The process id of server `id`, while it runs. */
  pid(id: number): number | undefined {
    return this.processes[id]?.pid;
  }

  isRunning(id: number): boolean {
    return this.processes[id] !== null;
  }

  /**
   * Starts server `id`; resolves once it listens (its 'listening' line), rejects if it exits
   * first or is not listening within `timeoutMs`. `entry`: a script to run instead of the
   * `pure-raft` command, taking the same arguments (tests' deliberately broken nodes). `args`:
   * other `pure-raft` arguments than nodeArgs(id) (e.g. joinArgs).
   */
  start(id: number, options: { readonly entry?: string; readonly timeoutMs?: number; readonly args?: readonly string[] } = {}): Promise<void> {
    if (this.processes[id]) return Promise.reject(new Error(`node ${id} is already running`));
    const nodeArgs = options.args ?? this.nodeArgs(id);
    const args = options.entry === undefined ? [BIN, ...nodeArgs] : ['--import', 'tsx', options.entry, ...nodeArgs];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.processes[id] = child;
    const exit = new Promise<NodeExit>((resolve) => {
      child.once('exit', (code, signal) => {
        if (this.processes[id] === child) this.processes[id] = null;
        resolve({ code, signal });
      });
    });
    this.exits[id] = exit;
    return new Promise<void>((resolve, reject) => {
      let started = false;
      const timer = setTimeout(() => {
        if (!started) reject(new Error(`node ${id} not listening after ${options.timeoutMs ?? 30_000} ms`));
      }, options.timeoutMs ?? 30_000);
      void exit.then(() => clearTimeout(timer));
      const lines = (stream: 'stdout' | 'stderr') => (line: string) => {
        this.options.onLine?.(id, line, stream);
        if (!started && stream === 'stdout' && line.includes(`node ${id}: listening`)) {
          started = true;
          clearTimeout(timer);
          resolve();
        }
      };
      createInterface({ input: child.stdout! }).on('line', lines('stdout'));
      createInterface({ input: child.stderr! }).on('line', lines('stderr'));
      void exit.then((e) => {
        if (!started) reject(new Error(`node ${id} exited before it listened (code ${e.code}, signal ${e.signal})`));
      });
    });
  }

  /** SIGKILL: no goodbye, no flush; resolves when the process is gone. */
  kill(id: number): Promise<NodeExit | null> {
    return this.signal(id, 'SIGKILL');
  }

  /** SIGTERM: a clean stop. */
  stop(id: number): Promise<NodeExit | null> {
    return this.signal(id, 'SIGTERM');
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.processes.map((_, id) => this.stop(id)));
  }

  async killAll(): Promise<void> {
    await Promise.all(this.processes.map((_, id) => this.kill(id)));
  }

  private async signal(id: number, signal: NodeJS.Signals): Promise<NodeExit | null> {
    const child = this.processes[id];
    if (!child) return null;
    child.kill(signal);
    return this.exits[id]!;
  }
}

/** A port the OS just gave out and took back: free at the moment, on loopback. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
