import { configurationInEffect, isMember, type ApplyMsg, type Configuration, type RaftState } from '../core/index.js';
import { DirectoryError, ensureDirectory } from '../fs/ensureDirectory.js';
import { claimDataDir, DataDirIdentityError, DataDirLock, DataDirLockError, DiskPersister, DiskPersisterError, freshSeed, make, realClock, RUNTIME_STEP_CONFIG, seededRandom, type Persister, type RaftNode } from '../runtime/index.js';
import { TcpTransport } from '../runtime/net/index.js';
import { AddressBook } from './addressBook.js';
import { checkMembership, formatAddress, isLoopbackHost, NODE_USAGE, parseAddress, parseNodeArgs, UsageError, type NodeConfig } from './args.js';
import { defaultClusterId, readSecret } from './clusterIdentity.js';
import { answerClient, type ClientContext } from './clientApi.js';
import { LeaderHint } from './leaderHint.js';
import { httpListeningLine, startHttpApi, type HttpApi } from './httpApi.js';
import { fetchClusterDefinition, JoinError, readClusterRecord, writeClusterRecord, type ClusterDefinition } from './joinRecord.js';
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

/** `[0,1,2]` for a configuration line. */
const ids = (list: readonly number[]): string => `[${list.join(',')}]`;
const configurationText = (c: Configuration): string => `voters ${ids(c.voters)}, learners ${ids(c.learners)}`;

async function runLocked(given: NodeConfig, secret: string, hooks: NodeHooks, refuse: (why: string) => number): Promise<number> {
  const me = given.id;
  // --join: the cluster's definition from the data directory's record, else from a running server.
  let config = given;
  let joined: ClusterDefinition | null = null;
  if (given.join !== undefined) {
    try {
      const recorded = readClusterRecord(given.dataDir);
      joined = recorded ?? await fetchClusterDefinition(given.join.map(formatAddress), secret, given.clusterId);
      if (given.clusterId !== undefined && joined.clusterId !== given.clusterId) throw new JoinError(`the cluster is ${joined.clusterId}, not --cluster-id ${given.clusterId}`);
      config = { ...given, ...checkMembership(me, joined.peers.map(parseAddress), joined.maxServers, given.address), clusterId: joined.clusterId };
      if (recorded === null) log(`node ${me}: joining cluster ${joined.clusterId}: ids 0..${joined.maxServers - 1}, founded by ${joined.peers.join(',')}`);
      else joined = null; // nothing new to record
    } catch (error) {
      if (!(error instanceof JoinError || error instanceof UsageError)) throw error;
      return refuse(`--join: ${error.message}`);
    }
  }
  const clusterId = config.clusterId ?? defaultClusterId(config.peers, secret);
  try {
    // Before the persister reads it: another cluster's (or server's) state is never taken in.
    claimDataDir(config.dataDir, { clusterId, nodeId: me }, { clusterIdDerived: config.clusterId === undefined });
  } catch (error) {
    if (!(error instanceof DataDirIdentityError)) throw error;
    return refuse(error.message);
  }
  if (joined !== null) await writeClusterRecord(config.dataDir, joined);
  // Membership (--max-servers): ids 0..M-1, the founders the bootstrap voters; without it every server of --peers votes, as before.
  const clusterSize = config.maxServers ?? config.peers.length;
  const bootstrapConfig: Configuration | undefined = clusterSize > config.peers.length
    ? { voters: config.peers.map((_, id) => id), learners: [] } : undefined;
  const myAddress = formatAddress(config.address ?? config.peers[me]!);

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
  log(`node ${me}: starting at ${myAddress} in cluster ${clusterId}, ${restored ? `currentTerm ${restored.currentTerm}, votedFor ${restored.votedFor ?? '-'}${snapshotNote}, log ${restored.log.length} entries` : 'no saved state'} (${config.dataDir})`);

  // eslint-disable-next-line prefer-const -- the app and the node refer to each other
  let node: RaftNode | undefined;
  const app = new ReplicatedLog((command) => node!.start(command), (index) => termOfEntry(node!.raftState, index), undefined, {
    policy: config.snapshots,
    snapshot: (index, snapshot) => node!.snapshot(index, snapshot),
  });
  const hint = new LeaderHint();
  const founders = config.peers.map(formatAddress);
  const transport = new TcpTransport({
    me,
    addresses: Array.from({ length: clusterSize }, (_, id) => (id === me ? myAddress : founders[id] ?? null)),
    clusterSize,
    secret,
    clusterId,
    log: (line: string) => log(`node ${me}: ${line}`),
  });
  const book = new AddressBook(me, founders, (id, address, source) => {
    if (id >= clusterSize) return;
    transport.setAddress(id, address);
    log(`node ${me}: server ${id} is at ${address} (from ${source})`);
  });
  const everyone: Configuration = { voters: Array.from({ length: clusterSize }, (_, id) => id), learners: [] };
  // A removed server: it was a member of the configuration applied so far, and a committed one leaves it out.
  let member = isMember(restored?.lastIncludedConfig ?? bootstrapConfig ?? everyone, me);
  let removed: string | null = null;
  const watchMembership = (msg: ApplyMsg): void => {
    if ('snapshotValid' in msg) member = isMember((node?.raftState ?? restored)?.lastIncludedConfig ?? bootstrapConfig ?? everyone, me);
    if (!('configValid' in msg) || msg.config === null) return;
    if (isMember(msg.config, me)) member = true;
    else if (member && removed === null) removed = `removed from the cluster by the configuration committed at index ${msg.configIndex} (${configurationText(msg.config)})`;
  };
  let inEffect: Configuration | null = null;
  const noteConfiguration = (state: RaftState): void => {
    const now = configurationInEffect(state);
    if (inEffect !== null && configurationText(now) === configurationText(inEffect)) return;
    inEffect = now;
    log(`node ${me}: configuration in effect: ${configurationText(now)}${isMember(now, me) ? '' : ` (this server is not in it${member ? '' : `: waiting to be added, pure-raft add-server --id ${me} --address ${myAddress}`})`}`);
  };
  node = make(transport, me, nodePersister, (msg) => { app.apply(msg); watchMembership(msg); }, {
    clock: realClock,
    random: seededRandom(freshSeed()),
    stepConfig: { ...RUNTIME_STEP_CONFIG, preVote: config.preVote, checkQuorum: config.checkQuorum },
    ...(bootstrapConfig !== undefined ? { bootstrapConfig } : {}),
    observe: (before, after) => {
      const line = roleChangeLine(before, after);
      if (line) log(line);
      // Before the step's messages leave: a leader reaches the learner it just added.
      if (book.observe(before, after)) noteConfiguration(after);
    },
  });
  const running = node;
  book.observe(null, running.raftState);
  if (clusterSize > config.peers.length || running.raftState.lastIncludedConfig !== undefined) noteConfiguration(running.raftState);
  const clientContext: ClientContext = {
    changeMembership: (change, context) => running.changeMembership(change, context),
    addressOf: (id) => (id === me ? myAddress : book.address(id)),
    cluster: { clusterId, maxServers: clusterSize, peers: founders },
  };
  try {
    // Each arriving message is seen by the leader hint, then stepped by the node.
    await transport.listen({ onReceive: (message) => { hint.observe(message); running.onReceive(message); } }, (payload, respond) => {
      // A reply that cannot be encoded is answered with an error, never thrown into the socket.
      const answer = (reply: unknown): void => {
        try {
          respond(reply);
        } catch (error) {
          log(`node ${me}: client reply not sent: ${(error as Error).message}`);
          respond({ ok: false, error: 'internal', reason: 'the reply could not be encoded' });
        }
      };
      const reply = answerClient(payload, running, app, hint, clientContext);
      if (reply instanceof Promise) void reply.then(answer);
      else answer(reply);
    });
  } catch (error) {
    running.kill();
    await persister.close().catch(() => undefined);
    process.stderr.write(`pure-raft node ${me}: cannot listen on ${myAddress}: ${(error as Error).message}\n`);
    return 1;
  }
  let http: HttpApi | null = null;
  if (config.http !== undefined) {
    try {
      http = await startHttpApi(config.http, (payload) => answerClient(payload, running, app, hint, clientContext));
    } catch (error) {
      running.kill();
      await transport.close();
      await persister.close().catch(() => undefined);
      process.stderr.write(`pure-raft node ${me}: cannot listen for HTTP on ${formatAddress(config.http)}: ${(error as Error).message}\n`);
      return 1;
    }
    log(`node ${me}: ${httpListeningLine(http.address, isLoopbackHost(config.http.host))}`);
  }
  log(`node ${me}: listening on ${myAddress}`);

  const outcome = await new Promise<number>((resolve) => {
    const stop = (signal: string) => () => {
      log(`node ${me}: ${signal}, stopping`);
      resolve(0);
    };
    process.once('SIGTERM', stop('SIGTERM'));
    process.once('SIGINT', stop('SIGINT'));
    const watch = setInterval(() => {
      if (removed !== null) {
        clearInterval(watch);
        log(`node ${me}: ${removed}; stopping`);
        resolve(0);
        return;
      }
      if (running.failure === undefined) return;
      clearInterval(watch);
      process.stderr.write(`pure-raft node ${me}: stopping: ${(running.failure as Error).message ?? String(running.failure)}\n`);
      resolve(1);
    }, 100);
    watch.unref();
  });
  running.kill();
  await http?.close();
  await transport.close();
  await persister.close().catch(() => undefined);
  return outcome;
}
