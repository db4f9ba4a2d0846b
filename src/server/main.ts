import { DirectoryError, ensureDirectory } from '../fs/ensureDirectory.js';
import { claimDataDir, DataDirIdentityError, DataDirLock, DataDirLockError, DiskPersister, DiskPersisterError, freshSeed, make, realClock, RUNTIME_STEP_CONFIG, seededRandom, type Persister, type RaftNode } from '../runtime/index.js';
import { TcpTransport } from '../runtime/net/index.js';
import { formatAddress, isLoopbackHost, NODE_USAGE, parseNodeArgs, UsageError, type NodeConfig } from './args.js';
import { defaultClusterId, readSecret } from './clusterIdentity.js';
import { answerClient } from './clientApi.js';
import { LeaderHint } from './leaderHint.js';
import { httpListeningLine, startHttpApi, type HttpApi } from './httpApi.js';
import { ReplicatedLog, termOfEntry } from './replicatedLog.js';
import { roleChangeLine } from './roleLog.js';

/** One line on stdout, time-stamped: the process's whole user interface. */
function log(line: string): void {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`);
}

/**
 * `pure-raft node`: one Raft server process. The core's step, the DiskPersister for its
 * persistent state, the TCP transport for peers and clients, and a replicated log of commands
 * as the application. Runs until SIGTERM/SIGINT (exit 0) or a failed save (exit 1).
 */
/** For tests that run a deliberately broken node (test/cluster/fixtures): never set in production. */
export interface NodeHooks {
  /** Replaces the persister the node runs on (the DiskPersister is still opened and closed). */
  readonly wrapPersister?: (disk: DiskPersister) => Persister;
  /** A line logged at start, naming the fault. */
  readonly announce?: string;
}

export async function runNode(argv: readonly string[], hooks: NodeHooks = {}): Promise<number> {
  let config: NodeConfig;
  let secret: string;
  try {
    const parsed = parseNodeArgs(argv);
    if (parsed === 'help') {
      process.stdout.write(`${NODE_USAGE}\n`);
      return 0;
    }
    config = parsed;
    secret = readSecret(config.secretFile);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`pure-raft node: ${error.message} (pure-raft node --help)\n`);
    return 2;
  }
  const me = config.id;

  const refuse = (why: string): number => {
    process.stderr.write(`pure-raft node ${me}: refusing to start: ${why}\n`);
    return 1;
  };
  try {
    // Made here, one component at a time: DiskPersister's recursive mkdir would spin on /proc.
    ensureDirectory(config.dataDir, '--data-dir');
  } catch (error) {
    if (!(error instanceof DirectoryError)) throw error;
    return refuse(error.message);
  }
  // Before anything in the directory is read or written: a second process on it is refused.
  let lock: DataDirLock;
  try {
    lock = DataDirLock.acquire(config.dataDir);
  } catch (error) {
    if (!(error instanceof DataDirLockError)) throw error;
    const held = error.held !== null;
    return refuse(held ? `--data-dir ${config.dataDir} is ${error.message} (one process per data directory)` : error.message);
  }
  try {
    return await runLocked(config, secret, hooks, refuse);
  } finally {
    lock.release();
  }
}

async function runLocked(config: NodeConfig, secret: string, hooks: NodeHooks, refuse: (why: string) => number): Promise<number> {
  const me = config.id;
  const clusterId = config.clusterId ?? defaultClusterId(config.peers, secret);
  try {
    // Before the persister reads it: another cluster's (or server's) state is never taken in.
    claimDataDir(config.dataDir, { clusterId, nodeId: me }, { clusterIdDerived: config.clusterId === undefined });
  } catch (error) {
    if (!(error instanceof DataDirIdentityError)) throw error;
    return refuse(error.message);
  }

  let persister: DiskPersister;
  try {
    persister = await DiskPersister.open(config.dataDir);
  } catch (error) {
    return refuse(error instanceof DiskPersisterError || error instanceof RangeError ? error.message : String(error));
  }
  if (hooks.announce !== undefined) log(`node ${me}: ${hooks.announce}`);
  const nodePersister: Persister = hooks.wrapPersister ? hooks.wrapPersister(persister) : persister;
  const restored = nodePersister.load();
  const dropped = persister.stats.discarded;
  if (dropped) log(`node ${me}: dropped ${dropped.bytes} bytes of an unacknowledged torn write at offset ${dropped.offset} of ${persister.logPath} (${dropped.detail})`);
  const snapshotNote = restored !== null && restored.lastIncludedIndex > 0 ? `, a snapshot through index ${restored.lastIncludedIndex}` : '';
  log(`node ${me}: starting at ${formatAddress(config.peers[me]!)} in cluster ${clusterId}, ${restored ? `currentTerm ${restored.currentTerm}, votedFor ${restored.votedFor ?? '-'}${snapshotNote}, log ${restored.log.length} entries` : 'no saved state'} (${config.dataDir})`);

  // eslint-disable-next-line prefer-const -- the app and the node refer to each other
  let node: RaftNode;
  const app = new ReplicatedLog((command) => node.start(command), (index) => termOfEntry(node.raftState, index), undefined, {
    policy: config.snapshots,
    snapshot: (index, snapshot) => node.snapshot(index, snapshot),
  });
  const hint = new LeaderHint();
  const transport = new TcpTransport({
    me,
    addresses: config.peers.map(formatAddress),
    secret,
    clusterId,
    log: (line: string) => log(`node ${me}: ${line}`),
  });
  node = make(transport, me, nodePersister, (msg) => app.apply(msg), {
    clock: realClock,
    random: seededRandom(freshSeed()),
    stepConfig: { ...RUNTIME_STEP_CONFIG, preVote: config.preVote, checkQuorum: config.checkQuorum },
    observe: (before, after) => {
      const line = roleChangeLine(before, after);
      if (line) log(line);
    },
  });
  try {
    // Each arriving message is seen by the leader hint, then stepped by the node.
    await transport.listen({ onReceive: (message) => { hint.observe(message); node.onReceive(message); } }, (payload, respond) => {
      // A reply that cannot be encoded is answered with an error, never thrown into the socket.
      const answer = (reply: unknown): void => {
        try {
          respond(reply);
        } catch (error) {
          log(`node ${me}: client reply not sent: ${(error as Error).message}`);
          respond({ ok: false, error: 'internal', reason: 'the reply could not be encoded' });
        }
      };
      const reply = answerClient(payload, node, app, hint);
      if (reply instanceof Promise) void reply.then(answer);
      else answer(reply);
    });
  } catch (error) {
    node.kill();
    await persister.close().catch(() => undefined);
    process.stderr.write(`pure-raft node ${me}: cannot listen on ${formatAddress(config.peers[me]!)}: ${(error as Error).message}\n`);
    return 1;
  }
  let http: HttpApi | null = null;
  if (config.http !== undefined) {
    try {
      http = await startHttpApi(config.http, (payload) => answerClient(payload, node, app, hint));
    } catch (error) {
      node.kill();
      await transport.close();
      await persister.close().catch(() => undefined);
      process.stderr.write(`pure-raft node ${me}: cannot listen for HTTP on ${formatAddress(config.http)}: ${(error as Error).message}\n`);
      return 1;
    }
    log(`node ${me}: ${httpListeningLine(http.address, isLoopbackHost(config.http.host))}`);
  }
  log(`node ${me}: listening on ${formatAddress(config.peers[me]!)}`);

  const outcome = await new Promise<number>((resolve) => {
    const stop = (signal: string) => () => {
      log(`node ${me}: ${signal}, stopping`);
      resolve(0);
    };
    process.once('SIGTERM', stop('SIGTERM'));
    process.once('SIGINT', stop('SIGINT'));
    const watch = setInterval(() => {
      if (node.failure === undefined) return;
      clearInterval(watch);
      process.stderr.write(`pure-raft node ${me}: stopping: ${(node.failure as Error).message ?? String(node.failure)}\n`);
      resolve(1);
    }, 100);
    watch.unref();
  });
  node.kill();
  await http?.close();
  await transport.close();
  await persister.close().catch(() => undefined);
  return outcome;
}
