/** pure-raft runtime: the core's step driven live by timers, a transport and a persister. */
export { realClock, type Clock, type TimerHandle } from './clock.js';
export { VirtualClock } from './virtualClock.js';
export { SimFs, type SimFsOptions, type SimFsStats } from './sim/fs.js';
export { seededRandom, freshSeed, type RandomSource } from './random.js';
export type { Persister } from './persister.js';
export { MemoryPersister } from './memoryPersister.js';
export { isRequest, type Transport, type RpcHandler, type RequestMessage, type ReplyMessage, type ReplyCallback } from './transport.js';
export { MemoryNetwork, type End } from './memoryNetwork.js';
export { messageSize } from './messageSize.js';
export { DEFAULT_TIMING, type Timing } from './timing.js';
export { RaftNode, make, RUNTIME_STEP_CONFIG, type ApplyCallback, type NodeEnvironment } from './node.js';
export { DiskPersister, DiskPersisterError, CommandEncodingError, nodeDiskFs, LOG_FILE, MARKER_FILE, SEAL_FILE, type DiskErrorKind, type Discard, type DiskPersisterOptions, type DiskPersisterStats, type DiskFs, type DiskFileHandle } from './diskPersister.js';
export * from './net/index.js';
