/** pure-raft runtime: the core's step driven live by timers, a transport and a persister. */
export { realClock, type Clock, type TimerHandle } from './clock.js';
export { VirtualClock } from './sim/virtualClock.js';
export { seededRandom, freshSeed, splitmix32, type RandomSource } from './random.js';
export { timesOutOnElectionTimer, electionTimeoutMs } from './timerRule.js';
export type { Persister } from './persister.js';
export { MemoryPersister } from './memoryPersister.js';
export { isRequest, type Transport, type Receiver, type RequestMessage, type ReplyMessage } from './transport.js';
export { SimNetwork, type SimNetworkOptions } from './sim/network.js';
export { allConnected, isCut, withLink, withBothWays, isIsolated, noneCut, MAX_LINKED_SERVERS, type Links } from './sim/links.js';
export { simWorld, type SimWorld } from './sim/world.js';
export { messageSize } from './messageSize.js';
export { DEFAULT_TIMING, type Timing } from './timing.js';
export { ReadyQueue, type ReadyAction } from './ready.js';
export { RaftNode, make, RUNTIME_STEP_CONFIG, type ApplyCallback, type NodeEnvironment } from './node.js';
export { DiskPersister, DiskPersisterError, CommandEncodingError, nodeDiskFs, LOG_FILE, MARKER_FILE, type DiskErrorKind, type DiskPersisterOptions, type DiskPersisterStats, type DiskFs, type DiskFileHandle } from './diskPersister.js';
export { DataDirLock, DataDirLockError, LOCK_FILE, processStartTime, type LockOwner, type LockOptions } from './dataDirLock.js';
export { claimDataDir, DataDirIdentityError, IDENTITY_FILE, type DataDirIdentity } from './dataDirIdentity.js';
export * from './net/index.js';
