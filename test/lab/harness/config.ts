import type { ApplyMsg, CommandApplyMsg } from '../../../src/core/index.js';
import { MemoryPersister, make, type RaftNode, type SimNetwork } from '../../../src/runtime/index.js';
import type { LabEnv } from './env.js';

/** The lab's election timeout budget, used by the tests' sleeps. */
export const RaftElectionTimeout = 1000;

/** Part D: the snapshotting applier snapshots after every command at I with (I + 1) % SnapShotInterval == 0. */
export const SnapShotInterval = 10;

/** How a server's applied messages are checked (Go's applier / applierSnap): `(server, message)`. */
export type Applier = (i: number, m: ApplyMsg) => void;

/** A test failure (Go's t.Fatalf). */
export class LabFailure extends Error {
  override readonly name = 'LabFailure';
}

export function fatal(message: string): never {
  throw new LabFailure(message);
}

/**
 * The lab's test harness (config.go, 2023), over the runtime's simulated network (per-direction
 * links, labrpc's fault model) and in-memory persister. Names and failure messages are the lab's. Go's goroutines become concurrent async
 * functions; its mutex is not needed on a single thread.
 *
 * Part D (`snapshot`): every server applies through `applierSnap`, which snapshots every
 * SnapShotInterval commands and installs the snapshots Raft delivers. A restarted server's
 * record is first rebuilt from the snapshot its persister holds, as the lab's start1 does; the
 * node then delivers that same snapshot as its first apply, which applierSnap checks and
 * installs again (the lab's Raft would only send it "ideally"; ours always does).
 */
export class Config {
  readonly n: number;
  readonly net: SimNetwork;
  readonly rafts: (RaftNode | null)[];
  readonly connected: boolean[];
  private readonly saved: (MemoryPersister | null)[];
  /**
   * logs[i]: every value server i applied, by index; never cleared, even across restarts, but
   * replaced whole by the values of a snapshot server i installs (ingestSnap).
   */
  private readonly logs: Map<number, unknown>[];
  private readonly lastApplied: number[];
  private readonly applyErr: string[];
  private finished = false;
  private readonly startTime: number;
  private t0 = 0;
  private rpcs0 = 0;
  private bytes0 = 0;
  private maxIndex = 0;
  private maxIndex0 = 0;

  constructor(readonly env: LabEnv, n: number, unreliable: boolean, snapshot = false) {
    this.n = n;
    this.net = env.network(n);
    this.rafts = Array.from({ length: n }, () => null);
    this.connected = Array.from({ length: n }, () => false);
    this.saved = Array.from({ length: n }, () => null);
    this.logs = Array.from({ length: n }, () => new Map<number, unknown>());
    this.lastApplied = Array.from({ length: n }, () => 0);
    this.applyErr = Array.from({ length: n }, () => '');
    this.startTime = env.clock.now();

    this.setunreliable(unreliable);
    this.net.setLongDelays(true);
    const applier = snapshot ? this.applierSnap : this.applier;
    for (let i = 0; i < n; i++) this.start1(i, applier);
    for (let i = 0; i < n; i++) this.connect(i);
  }

  // ---- time and randomness, from the environment ----

  now(): number {
    return this.env.clock.now();
  }

  /** Sleeps, then fails at once if an applier found an error meanwhile (Go's log.Fatalf). */
  async sleep(ms: number): Promise<void> {
    await this.env.clock.sleep(ms);
    this.checkAsyncFailures();
  }

  /** Uniform integer in [0, n) (Go's rand.Int() % n). */
  randInt(n: number): number {
    return this.env.random.int(n);
  }

  /** A random non-negative value to use as a command (Go's rand.Int()). */
  randCommand(): number {
    return this.env.random.int(2 ** 31);
  }

  /** Go's randstring(n): n characters of base64url. */
  randstring(n: number): string {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[this.env.random.int(64)];
    return s;
  }

  raft(i: number): RaftNode {
    const rf = this.rafts[i];
    if (!rf) throw new Error(`server ${i} is not running`);
    return rf;
  }

  // ---- servers: crash and restart ----

  /** Shut down a Raft server but save its persistent state. */
  crash1(i: number): void {
    this.disconnect(i);
    this.net.detach(i); // nothing it sends from now on leaves, nothing reaches it
    // A fresh persister holding the last saved state: the old instance, if it still writes,
    // writes into the orphaned original, and Make() always gets the last persisted state.
    const saved = this.saved[i];
    if (saved) this.saved[i] = saved.copy();
    const rf = this.rafts[i];
    if (rf) {
      rf.kill();
      this.rafts[i] = null;
    }
  }

  /** Start or re-start a Raft server; if one exists, "kill" it first. */
  start1(i: number, applier: Applier = this.applier): void {
    this.crash1(i);
    this.lastApplied[i] = 0;
    const saved = this.saved[i];
    const persister = saved ? saved.copy() : new MemoryPersister();
    this.saved[i] = persister;
    if (saved) {
      const snapshot = persister.readSnapshot();
      if (snapshot !== null) {
        // mimic KV server and process snapshot now.
        const err = this.ingestSnap(i, snapshot, -1);
        if (err !== '') fatal(err);
      }
    }
    // A new instance on the network (labrpc's fresh ends): the old one can never send again.
    let rf: RaftNode | null = null;
    const transport = this.net.attach(i, { onReceive: (m) => rf?.onReceive(m) });
    rf = make(transport, i, persister, (m) => applier(i, m), this.env);
    this.rafts[i] = rf;
  }

  private checkLogs(i: number, m: CommandApplyMsg): { errMsg: string; prevok: boolean } {
    let errMsg = '';
    const v = m.command;
    for (let j = 0; j < this.logs.length; j++) {
      const logj = this.logs[j]!;
      if (logj.has(m.commandIndex) && logj.get(m.commandIndex) !== v) {
        // some server has already committed a different value for this entry!
        errMsg = `commit index=${m.commandIndex} server=${i} ${String(m.command)} != server=${j} ${String(logj.get(m.commandIndex))}`;
      }
    }
    const logi = this.logs[i]!;
    const prevok = logi.has(m.commandIndex - 1);
    logi.set(m.commandIndex, v);
    if (m.commandIndex > this.maxIndex) this.maxIndex = m.commandIndex;
    return { errMsg, prevok };
  }

  /** Checks each applied command against every server's applied values (other messages are ignored). */
  readonly applier: Applier = (i, m) => {
    if (!('commandValid' in m)) return;
    let { errMsg, prevok } = this.checkLogs(i, m);
    if (m.commandIndex > 1 && !prevok) errMsg = `server ${i} apply out of order ${m.commandIndex}`;
    this.lastApplied[i] = m.commandIndex;
    this.applyError(i, errMsg);
  };

  /**
   * Part D's applier: installs the snapshots Raft delivers, checks that commands come in order
   * after them (and against every server's values), and snapshots periodically.
   */
  readonly applierSnap: Applier = (i, m) => {
    let errMsg = '';
    if ('snapshotValid' in m) {
      errMsg = this.ingestSnap(i, m.snapshot, m.snapshotIndex);
    } else if ('commandValid' in m) {
      if (m.commandIndex !== this.lastApplied[i]! + 1) {
        errMsg = `server ${i} apply out of order, expected index ${this.lastApplied[i]! + 1}, got ${m.commandIndex}`;
      }
      if (errMsg === '') {
        const checked = this.checkLogs(i, m);
        errMsg = checked.errMsg;
        if (m.commandIndex > 1 && !checked.prevok) errMsg = `server ${i} apply out of order ${m.commandIndex}`;
      }
      this.lastApplied[i] = m.commandIndex;
      if ((m.commandIndex + 1) % SnapShotInterval === 0) {
        const xlog: unknown[] = [];
        for (let j = 0; j <= m.commandIndex; j++) xlog.push(this.logs[i]!.get(j) ?? null);
        this.raft(i).snapshot(m.commandIndex, encodeSnapshot(m.commandIndex, xlog));
      }
    }
    this.applyError(i, errMsg);
  };

  /** Go's log.Fatalf in an applier: the test fails at its next sleep or check. */
  private applyError(i: number, errMsg: string): void {
    if (errMsg === '') return;
    this.env.log(`apply error: ${errMsg}`);
    if (this.applyErr[i] === '') this.applyErr[i] = errMsg;
  }

  /**
   * Replaces server i's record of applied values with a snapshot's; `index` is the index the
   * snapshot came with (-1: none to check). Returns an error message, or ''.
   */
  private ingestSnap(i: number, snapshot: unknown, index: number): string {
    if (snapshot === null || snapshot === undefined) return 'nil snapshot';
    const decoded = decodeSnapshot(snapshot);
    if (decoded === null) return 'snapshot Decode() error';
    const { lastIncludedIndex, xlog } = decoded;
    if (index !== -1 && index !== lastIncludedIndex) return `server ${i} snapshot doesn't match m.SnapshotIndex`;
    const logi = new Map<number, unknown>();
    xlog.forEach((v, j) => logi.set(j, v));
    this.logs[i] = logi;
    this.lastApplied[i] = lastIncludedIndex;
    return '';
  }

  /** The largest Raft state (without its snapshot) any server has saved (the lab's LogSize). */
  logSize(): number {
    let logsize = 0;
    for (const saved of this.saved) logsize = Math.max(logsize, saved?.raftStateSize() ?? 0);
    return logsize;
  }

  private checkAsyncFailures(): void {
    for (const err of this.applyErr) if (err !== '') fatal(`apply error: ${err}`);
    const clockFailure = this.env.clockFailure();
    if (clockFailure !== undefined) throw clockFailure;
    for (const rf of this.rafts) if (rf?.failure !== undefined) throw rf.failure;
  }

  private checkTimeout(): void {
    // enforce a two minute limit on each test (virtual time under simulation)
    if (this.now() - this.startTime > 120_000) fatal('test took longer than 120 seconds');
  }

  checkFinished(): boolean {
    return this.finished;
  }

  /** `failed`: the test already failed, so the time limit is not checked on top. */
  cleanup(failed: boolean): void {
    this.finished = true;
    for (const rf of this.rafts) rf?.kill();
    this.net.cleanup();
    if (!failed) {
      this.checkAsyncFailures();
      this.checkTimeout();
    }
  }

  // ---- the network ----

  /** Attach server i to the net: both directions of its links to every connected server. */
  connect(i: number): void {
    this.connected[i] = true;
    for (let j = 0; j < this.n; j++) {
      if (!this.connected[j]) continue;
      this.net.setLink(i, j, true); // outgoing
      this.net.setLink(j, i, true); // incoming
    }
  }

  /** Detach server i from the net: both directions of all its links. */
  disconnect(i: number): void {
    this.connected[i] = false;
    for (let j = 0; j < this.n; j++) {
      this.net.setLink(i, j, false);
      this.net.setLink(j, i, false);
    }
  }

  rpcCount(server: number): number {
    return this.net.getCount(server);
  }

  rpcTotal(): number {
    return this.net.getTotalCount();
  }

  setunreliable(unrel: boolean): void {
    this.net.setReliable(!unrel);
  }

  bytesTotal(): number {
    return this.net.getTotalBytes();
  }

  setlongreordering(longrel: boolean): void {
    this.net.setLongReordering(longrel);
  }

  // ---- checks ----

  /**
   * Check that one of the connected servers thinks it is the leader, and that no other
   * connected server thinks otherwise. Try a few times in case re-elections are needed.
   */
  async checkOneLeader(): Promise<number> {
    for (let iters = 0; iters < 10; iters++) {
      await this.sleep(450 + this.randInt(100));
      const leaders = new Map<number, number[]>();
      for (let i = 0; i < this.n; i++) {
        if (!this.connected[i]) continue;
        const { term, isLeader } = this.raft(i).getState();
        if (isLeader) leaders.set(term, [...(leaders.get(term) ?? []), i]);
      }
      let lastTermWithLeader = -1;
      for (const [term, ls] of leaders) {
        if (ls.length > 1) fatal(`term ${term} has ${ls.length} (>1) leaders`);
        if (term > lastTermWithLeader) lastTermWithLeader = term;
      }
      if (leaders.size !== 0) return leaders.get(lastTermWithLeader)![0]!;
    }
    fatal('expected one leader, got none');
  }

  /** Check that everyone agrees on the term. */
  checkTerms(): number {
    let term = -1;
    for (let i = 0; i < this.n; i++) {
      if (!this.connected[i]) continue;
      const xterm = this.raft(i).getState().term;
      if (term === -1) term = xterm;
      else if (term !== xterm) fatal('servers disagree on term');
    }
    return term;
  }

  /** Check that none of the connected servers thinks it is the leader. */
  checkNoLeader(): void {
    for (let i = 0; i < this.n; i++) {
      if (this.connected[i] && this.raft(i).getState().isLeader) {
        fatal(`expected no leader among connected servers, but ${i} claims to be leader`);
      }
    }
  }

  /** How many servers think a log entry is committed? */
  nCommitted(index: number): [number, unknown] {
    let count = 0;
    let cmd: unknown = undefined;
    for (let i = 0; i < this.rafts.length; i++) {
      if (this.applyErr[i] !== '') fatal(this.applyErr[i]!);
      const logi = this.logs[i]!;
      if (logi.has(index)) {
        const cmd1 = logi.get(index);
        if (count > 0 && cmd !== cmd1) {
          fatal(`committed values do not match: index ${index}, ${String(cmd)}, ${String(cmd1)}`);
        }
        count += 1;
        cmd = cmd1;
      }
    }
    return [count, cmd];
  }

  /** Wait for at least n servers to commit, but don't wait forever. */
  async wait(index: number, n: number, startTerm: number): Promise<unknown> {
    let to = 10;
    for (let iters = 0; iters < 30; iters++) {
      const [nd] = this.nCommitted(index);
      if (nd >= n) break;
      await this.sleep(to);
      if (to < 1000) to *= 2;
      if (startTerm > -1) {
        for (const r of this.rafts) {
          // a crashed server (null) has no term to report
          if (r && r.getState().term > startTerm) return -1; // someone has moved on
        }
      }
    }
    const [nd, cmd] = this.nCommitted(index);
    if (nd < n) fatal(`only ${nd} decided for index ${index}; wanted ${n}`);
    return cmd;
  }

  /**
   * Do a complete agreement. It might choose the wrong leader initially, and have to
   * re-submit after giving up; it entirely gives up after about 10 seconds. If retry, it may
   * submit the command several times, in case a leader fails just after Start(). Returns the
   * index.
   */
  async one(cmd: unknown, expectedServers: number, retry: boolean): Promise<number> {
    const t0 = this.now();
    let starts = 0;
    while (this.now() - t0 < 10_000 && !this.checkFinished()) {
      // try all the servers, maybe one is the leader.
      let index = -1;
      for (let si = 0; si < this.n; si++) {
        starts = (starts + 1) % this.n;
        const rf = this.connected[starts] ? this.rafts[starts] : null;
        if (rf) {
          const r = rf.start(cmd);
          if (r.isLeader) {
            index = r.index;
            break;
          }
        }
      }
      if (index !== -1) {
        // somebody claimed to be the leader and to have submitted our command; wait a while
        // for agreement.
        const t1 = this.now();
        while (this.now() - t1 < 2000) {
          const [nd, cmd1] = this.nCommitted(index);
          if (nd > 0 && nd >= expectedServers && cmd1 === cmd) return index;
          await this.sleep(20);
        }
        if (!retry) fatal(`one(${String(cmd)}) failed to reach agreement`);
      } else {
        await this.sleep(50);
      }
    }
    if (!this.checkFinished()) fatal(`one(${String(cmd)}) failed to reach agreement`);
    return -1;
  }

  // ---- begin/end statistics ----

  begin(description: string): void {
    this.env.log(`${description} ...`);
    this.t0 = this.now();
    this.rpcs0 = this.rpcTotal();
    this.bytes0 = this.bytesTotal();
    this.maxIndex0 = this.maxIndex;
  }

  /** The test got here, so it passed: print some performance numbers. */
  end(): void {
    this.checkTimeout();
    const t = ((this.now() - this.t0) / 1000).toFixed(1).padStart(4);
    const nrpc = String(this.rpcTotal() - this.rpcs0).padStart(4);
    const nbytes = String(this.bytesTotal() - this.bytes0).padStart(7);
    const ncmds = String(this.maxIndex - this.maxIndex0).padStart(4);
    this.env.log(`  ... Passed --  ${t}  ${this.n} ${nrpc} ${nbytes} ${ncmds}`);
  }
}

/** make_config plus `defer cfg.cleanup()`: runs a test body on a fresh cluster. */
export async function withConfig(
  env: LabEnv,
  servers: number,
  unreliable: boolean,
  body: (cfg: Config) => Promise<void>,
  snapshot = false,
): Promise<void> {
  const cfg = new Config(env, servers, unreliable, snapshot);
  let failed = false;
  try {
    await body(cfg);
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    cfg.cleanup(failed);
  }
}

/**
 * The snapshotting applier's snapshot, as the lab's labgob bytes: (lastIncludedIndex, the values
 * applied at 0..lastIncludedIndex), as a JSON string (so it is a JSON value, as the runtime needs).
 */
function encodeSnapshot(lastIncludedIndex: number, xlog: readonly unknown[]): string {
  return JSON.stringify([lastIncludedIndex, xlog]);
}

function decodeSnapshot(snapshot: unknown): { lastIncludedIndex: number; xlog: readonly unknown[] } | null {
  if (typeof snapshot !== 'string') return null;
  let value: unknown;
  try {
    value = JSON.parse(snapshot);
  } catch {
    return null;
  }
  if (!Array.isArray(value) || value.length !== 2) return null;
  const [lastIncludedIndex, xlog] = value as unknown[];
  if (!Number.isSafeInteger(lastIncludedIndex) || !Array.isArray(xlog)) return null;
  return { lastIncludedIndex: lastIncludedIndex as number, xlog };
}
