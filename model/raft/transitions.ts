import {
  changeRefusal, configurationInEffect, isVoter, lastLogIndex, restore, type Configuration, type Input, type LogEntry, type MembershipChange,
  type Message, type Operation, type PersistEffect, type PersistentState, type RaftState, runOperations,
} from '../../src/core/index.js';
import type { RaftAction, ServerStepAction } from './actions.js';
import { type Bounds, type ConfigChangeKind, configChangeKinds } from './bounds.js';
import { appliedConfigValue } from './configs.js';
import { addMessage, removeMessage, sameMessage } from './network.js';
import type { Reducer } from './reducer.js';
import { knownEntry, snapshotThrough } from './snapshot-data.js';
import { mayBreakStepProperty, type ServerStep, stepFinding } from './step-properties.js';
import type { CommittedEntry, ServerSlot, SystemState } from './system.js';

/**
 * Server actions are immutable and the same for every state, so each is built once (per server,
 * kind and crash point) and shared: fewer allocations on the hot path.
 */
type ServerActionKind = 'Timeout' | 'Heartbeat' | 'ClientRequest' | 'Snapshot';
const serverActions = new Map<string, ServerStepAction>();
const plainActions: RaftAction[][] = [];

function serverAction(kind: ServerActionKind, server: number, crashMidStep: boolean): ServerStepAction {
  const k = `${kind}${server}${crashMidStep ? '!' : ''}`;
  const seen = serverActions.get(k);
  if (seen !== undefined) return seen;
  const a: ServerStepAction = { kind, server, crashMidStep };
  serverActions.set(k, a);
  return a;
}

/** 0: Crash, 1: Restart, 2..: the server step actions (plain, then with a crash point). */
function actionsOf(server: number): RaftAction[] {
  let t = plainActions[server];
  if (t === undefined) {
    t = [{ kind: 'Crash', server }, { kind: 'Restart', server }];
    for (const kind of ['Timeout', 'Heartbeat', 'ClientRequest', 'Snapshot'] as const) t.push(serverAction(kind, server, false), serverAction(kind, server, true));
    plainActions[server] = t;
  }
  return t;
}
const CRASH = 0;
const RESTART = 1;
const TIMEOUT = 2;
const HEARTBEAT = 4;
const CLIENT_REQUEST = 6;
const SNAPSHOT = 8;

/** A server step, then (when a crash may fall mid-step) the same step with a crash point. */
function pushStep(out: RaftAction[], t: readonly RaftAction[], at: number, mid: boolean): void {
  out.push(t[at]!);
  if (mid) out.push(t[at + 1]!);
}

/**
 * The membership changes a host would ask leader `st` for: each kind allowed, of each server for
 * which it means something in the leader's configuration in effect (AddLearner of a non-member,
 * PromoteLearner of a learner, RemoveServer of a member but the last voter). Whether the leader
 * accepts (one change at a time, after a commit in its term) is the core's to say.
 */
function pushChanges(out: RaftAction[], st: RaftState, kinds: readonly ConfigChangeKind[], mid: boolean): void {
  const config = configurationInEffect(st);
  for (const kind of kinds) {
    for (let target = 0; target < st.clusterSize; target++) {
      if (changeRefusal(config, { kind, server: target }) !== null) continue;
      out.push(changeAction(st.id, kind, target, false));
      if (mid) out.push(changeAction(st.id, kind, target, true));
    }
  }
}

const changeActions = new Map<string, RaftAction>();
const changeInputs = new Map<string, Input>();

/** One action object per leader, change and crash point, and one input object per change (the step memo hits on it by identity). */
function changeAction(server: number, kind: ConfigChangeKind, target: number, crashMidStep: boolean): RaftAction {
  const k = `${server}${kind}${target}${crashMidStep ? '!' : ''}`;
  let a = changeActions.get(k);
  if (a === undefined) changeActions.set(k, (a = { kind: 'ChangeMembership', server, change: { kind, server: target }, crashMidStep }));
  return a;
}

function changeInput(change: MembershipChange): Input {
  const k = `${change.kind}${change.server}`;
  let input = changeInputs.get(k);
  if (input === undefined) changeInputs.set(k, (input = { type: 'ChangeMembership', change: { kind: change.kind, server: change.server } }));
  return input;
}

function pushReceive(out: RaftAction[], message: Message, mid: boolean): void {
  out.push({ kind: 'Receive', message, crashMidStep: false });
  if (mid) out.push({ kind: 'Receive', message, crashMidStep: true });
}

/** The enabled actions, in a fixed order (a path is a list of indices into this list). */
export function enabledActions(s: SystemState, b: Bounds): RaftAction[] {
  const out: RaftAction[] = [];
  const canCrash = s.crashes < b.maxCrashes;
  const mid = canCrash && b.crashMidStep;
  const servers = s.servers;
  for (let server = 0; server < servers.length; server++) {
    const st = servers[server]!.state;
    const t = actionsOf(server);
    if (!st) {
      out.push(t[RESTART]!);
      continue;
    }
    // A leader times out only with checkQuorum (its quorum check). As every election timeout, not
    // at maxTerm: the bound ends the run's elections there, and a leader's step-down starts one.
    if ((st.role !== 'leader' || b.checkQuorum === true) && st.currentTerm < b.maxTerm) pushStep(out, t, TIMEOUT, mid);
    if (st.role === 'leader') {
      pushStep(out, t, HEARTBEAT, mid);
      if (s.commandsIssued < b.maxCommands && lastLogIndex(st) < b.maxLog) pushStep(out, t, CLIENT_REQUEST, mid);
      if (s.configChanges < (b.maxConfigChanges ?? 0) && lastLogIndex(st) < b.maxLog) pushChanges(out, st, configChangeKinds(b), mid);
    }
    // Only through everything applied (index = lastApplied): a snapshot of less leaves the same
    // kinds of state (a shorter compacted prefix) and would multiply them; the lab's services
    // snapshot their latest applied index too.
    if (s.snapshots < (b.maxSnapshots ?? 0) && st.lastApplied > st.lastIncludedIndex) pushStep(out, t, SNAPSHOT, mid);
    if (canCrash) out.push(t[CRASH]!);
  }
  const network = s.network;
  const dup = b.duplicate && network.length < b.maxMessages;
  for (let i = 0; i < network.length; i++) {
    const message = network[i]!;
    if (i > 0 && sameMessage(message, network[i - 1]!)) continue; // one representative per distinct message
    if (servers[message.to]!.state) pushReceive(out, message, mid);
    if (b.drop) out.push({ kind: 'DropMessage', message });
    if (dup) out.push({ kind: 'DuplicateMessage', message });
  }
  return out;
}

const ELECTION_TIMEOUT: Input = { type: 'ElectionTimeout' };
const HEARTBEAT_TICK: Input = { type: 'HeartbeatTick' };

/** The state after `a`, or null when it leaves the bounds (or is a crash point equal to a plain crash). */
export function nextState(s: SystemState, a: RaftAction, b: Bounds, reducer: Reducer): SystemState | null {
  let next: SystemState | null;
  switch (a.kind) {
    case 'Timeout':
      next = serverStep(s, a.server, ELECTION_TIMEOUT, a.crashMidStep, reducer, s.network, s.commandsIssued, b);
      break;
    case 'Heartbeat':
      next = serverStep(s, a.server, HEARTBEAT_TICK, a.crashMidStep, reducer, s.network, s.commandsIssued, b);
      break;
    case 'Snapshot': {
      const st = s.servers[a.server]!.state;
      next = st ? serverStep(s, a.server, snapshotInput(st), a.crashMidStep, reducer, s.network, s.commandsIssued, b, s.snapshots + 1) : null;
      break;
    }
    case 'ClientRequest': {
      const issued = s.commandsIssued + 1;
      next = serverStep(s, a.server, { type: 'Start', command: issued }, a.crashMidStep, reducer, s.network, issued, b);
      break;
    }
    case 'Receive': {
      const network = removeMessage(s.network, a.message);
      next = network ? serverStep(s, a.message.to, { type: 'Receive', message: a.message }, a.crashMidStep, reducer, network, s.commandsIssued, b) : null;
      break;
    }
    case 'ChangeMembership':
      next = serverStep(s, a.server, changeInput(a.change), a.crashMidStep, reducer, s.network, s.commandsIssued, b);
      break;
    case 'DropMessage': {
      const network = removeMessage(s.network, a.message);
      next = network ? system(s, s.servers, network, s.crashes, s.restarts, s.restartedFromSnapshot) : null;
      break;
    }
    case 'DuplicateMessage':
      next = system(s, s.servers, addMessage(s.network, a.message), s.crashes, s.restarts, s.restartedFromSnapshot);
      break;
    case 'Crash':
      next = crash(s, a.server);
      break;
    case 'Restart': {
      const slot = s.servers[a.server]!;
      const servers = s.servers.slice();
      servers[a.server] = { state: restored(a.server, s.servers.length, slot.persisted, s.bootstrapConfig ?? undefined), persisted: slot.persisted };
      const fromSnapshot = slot.persisted.lastIncludedIndex > 0;
      next = system(s, servers, s.network, s.crashes, s.restarts + 1, fromSnapshot ? s.restartedFromSnapshot | (1 << a.server) : s.restartedFromSnapshot);
      break;
    }
  }
  if (next && next.network.length > b.maxMessages) return null;
  return next;
}

/** `s` with new servers, network, crash counters and snapshot restarts; everything else as in `s`. */
function system(s: SystemState, servers: readonly ServerSlot[], network: readonly Message[], crashes: number, restarts: number, restartedFromSnapshot: number): SystemState {
  return {
    servers,
    network,
    commandsIssued: s.commandsIssued,
    crashes,
    restarts,
    snapshots: s.snapshots,
    candidates: s.candidates,
    elected: s.elected,
    committed: s.committed,
    applied: s.applied,
    committedAfterRestart: s.committedAfterRestart,
    installedSnapshot: false,
    restartedFromSnapshot,
    committedAfterSnapshotRestart: false,
    quorumHeard: s.quorumHeard,
    breach: s.breach,
    configChanges: s.configChanges,
    bootstrapConfig: s.bootstrapConfig,
    removedLeaderTerm: s.removedLeaderTerm,
  };
}

/**
 * The service's snapshot of everything the server applied (see snapshot-data.ts), one input
 * object per server state: the step memo then hits on it by identity.
 */
function snapshotInput(st: RaftState): Input {
  let input = snapshotInputs.get(st);
  if (input === undefined) snapshotInputs.set(st, (input = { type: 'Snapshot', index: st.lastApplied, snapshot: snapshotThrough(st, st.lastApplied) }));
  return input;
}
const snapshotInputs = new WeakMap<RaftState, Input>();

/**
 * restore() is pure, so its result for one server and one disk object is built once and shared
 * (the step memo and the fingerprint caches then hit on it).
 */
const restoredStates = new WeakMap<PersistentState, (RaftState | undefined)[]>();

function restored(server: number, clusterSize: number, persisted: PersistentState, bootstrapConfig: Configuration | undefined): RaftState {
  let byServer = restoredStates.get(persisted);
  if (byServer === undefined) restoredStates.set(persisted, (byServer = []));
  let st = byServer[server];
  if (st === undefined || st.clusterSize !== clusterSize || st.bootstrapConfig !== bootstrapConfig) byServer[server] = st = restore(server, clusterSize, persisted, bootstrapConfig);
  return st;
}

/**
 * Crash: the server's volatile state is lost; its disk survives. As in raft.tla, the environment's
 * moves are independent: a crash leaves the network alone. Messages in flight to the server stay
 * there, undeliverable while it is down (Receive is enabled only for a live addressee), until it
 * restarts or DropMessage loses them.
 */
function crash(s: SystemState, server: number): SystemState {
  const servers = s.servers.slice();
  servers[server] = { state: null, persisted: s.servers[server]!.persisted };
  // A crash ends the life that began with a restart from a snapshot, and a leader's quorum check.
  return { ...system(s, servers, s.network, s.crashes + 1, s.restarts, s.restartedFromSnapshot & ~(1 << server)), quorumHeard: withQuorumHeard(s.quorumHeard, server, 0) };
}

/**
 * The disk after a persist effect, as a persister writes it: the snapshot (and lastIncludedIndex,
 * lastIncludedTerm and lastIncludedConfig) only when snapshotChanged, dropping the entries up to it; then the
 * entries after the snapshot and before logChangedFrom kept as they were, and the effect's from
 * logChangedFrom on. The result depends only on the effect and the log kept, so it is built once
 * per (effect, log) and shared (effects are shared by the step memo): fewer objects, and the
 * fingerprint caches hit.
 */
export function foldPersist(disk: PersistentState, p: PersistEffect): PersistentState {
  const snap = p.snapshotChanged ? p : disk;
  const base = snap.lastIncludedIndex;
  const keep = p.logChangedFrom - 1 - base; // entries after the snapshot kept from the disk
  const diskFrom = Math.max(0, base - disk.lastIncludedIndex); // where they start in disk.log
  const pFrom = base - p.lastIncludedIndex; // where the effect's entries after the snapshot start in p.log
  let log: readonly LogEntry[];
  if (keep <= 0 && pFrom === 0) log = p.log;
  else if (diskFrom === 0 && keep === disk.log.length && keep >= p.log.length - pFrom) log = disk.log;
  else {
    const written = disk.log.slice(diskFrom, diskFrom + Math.max(0, keep)).concat(p.log.slice(Math.max(0, pFrom + Math.max(0, keep))));
    // After a snapshot the kept entries are the effect's own objects: share its log.
    if (pFrom !== 0 || written.length !== p.log.length || written.some((e, i) => e !== p.log[i])) return disk_(p, base, snap, written);
    log = p.log;
  }
  const seen = folded.get(p);
  if (seen !== undefined && seen.log === log && seen.snapshot === snap.snapshot && seen.lastIncludedIndex === base && seen.lastIncludedConfig === snap.lastIncludedConfig) return seen;
  const out = disk_(p, base, snap, log);
  folded.set(p, out);
  return out;
}

/** A disk as a persister writes it: lastIncludedConfig (written with the snapshot) only when the snapshot has one, as the core's states. */
function disk_(p: PersistEffect, base: number, snap: PersistentState, log: readonly LogEntry[]): PersistentState {
  const d = { currentTerm: p.currentTerm, votedFor: p.votedFor, lastIncludedIndex: base, lastIncludedTerm: snap.lastIncludedTerm, snapshot: snap.snapshot, log };
  return snap.lastIncludedConfig === undefined ? d : { ...d, lastIncludedConfig: snap.lastIncludedConfig };
}
const folded = new WeakMap<PersistEffect, PersistentState>();

/** The length of the step's first group of operations (all of its first kind). */
function firstGroupLength(ops: readonly Operation[]): number {
  let n = 0;
  while (n < ops.length && ops[n]!.kind === ops[0]!.kind) n++;
  return n;
}

/**
 * What one step's operations do to the system, carried out by `carryOut`: module-level scratch
 * rather than a closure per step (serverStep is never re-entered).
 */
const fx = {
  persisted: null as unknown as PersistentState,
  network: [] as readonly Message[],
  applied: [] as readonly unknown[],
  /** A snapshot apply was carried out. */
  installed: false,
};

function carryOut(op: Operation): void {
  switch (op.kind) {
    case 'persist':
      fx.persisted = foldPersist(fx.persisted, op.persist);
      return;
    case 'send':
      fx.network = addMessage(fx.network, op.message);
      return;
    case 'apply': {
      // The first command applied at each index (AppliedCommandsAgree judges the rest, and what
      // an installed snapshot holds: only what some server applied).
      const entry = op.entry;
      if ('snapshotValid' in entry) {
        fx.installed = true;
        return;
      }
      const applied = fx.applied;
      if ('configValid' in entry) {
        // A configuration entry or a no-op applied: recorded as appliedValue records it.
        if (entry.configIndex - 1 === applied.length) fx.applied = [...applied, appliedConfigValue(entry.config)];
        return;
      }
      if (entry.commandIndex - 1 === applied.length) fx.applied = [...applied, entry.command];
      return;
    }
    case 'timer':
      return;
  }
}

/**
 * One server takes one input; its effects are carried out through the core's own executor in
 * the order the reducer lists them. With `crashMidStep` only the first group is carried out and
 * the server crashes. `network` is the network the step starts from (the received message
 * already taken out) and `commandsIssued` the budget after it (one more for a client request).
 */
function serverStep(
  s: SystemState,
  server: number,
  input: Input,
  crashMidStep: boolean,
  reducer: Reducer,
  network: readonly Message[],
  commandsIssued: number,
  b: Bounds,
  snapshots = s.snapshots,
): SystemState | null {
  const slot = s.servers[server]!;
  const before = slot.state;
  if (!before) return null;
  const result = reducer.step(before, input);
  const ops = reducer.operations(result);
  const limit = crashMidStep ? firstGroupLength(ops) : ops.length;
  if (crashMidStep && limit === ops.length) return null; // the same as the step, then Crash
  // A refused change that did nothing (no no-op appended) leads nowhere new.
  if (input.type === 'ChangeMembership' && ops.length === 0 && result.state === before) return null;

  fx.persisted = slot.persisted;
  fx.network = network;
  fx.applied = s.applied;
  fx.installed = false;
  void runOperations(ops, carryOut, limit);
  const persisted = fx.persisted;
  const applied = fx.applied;
  const out = fx.network;
  if (out.length > b.maxMessages) return null; // nextState would drop it anyway

  const after = result.state;
  // The first rule a transition broke stays recorded; a step breaks one only when none is yet.
  let breach = s.breach;
  if (breach === null && mayBreakStepProperty(before, input, result)) {
    step.system = s;
    step.server = server;
    step.input = input;
    step.before = before;
    step.result = result;
    step.operations = ops;
    step.carried = limit;
    step.applied = applied;
    breach = stepFinding(step, b.skipInvariants);
  }
  // The step happened in memory even when the server crashes before all its effects are out:
  // the history (who stood, who was elected, what committed) records it either way.
  const h = recordHistory(s, server, before, after, fx.installed);
  const accepted = result.membership?.ok === true ? 1 : 0;
  const heard = b.checkQuorum === true ? quorumHeardAfter(s.quorumHeard[server] ?? 0, input, before, crashMidStep ? null : after) : 0;
  const servers = s.servers.slice();
  let crashes = s.crashes;
  if (crashMidStep) {
    // What the step had not yet carried out (its later groups of effects) is lost with memory;
    // what it had sent is in flight, and the crash leaves the network alone.
    servers[server] = { state: null, persisted };
    crashes++;
    h.restartedFromSnapshot &= ~(1 << server);
  } else {
    servers[server] = { state: after, persisted };
  }
  return {
    servers,
    network: out,
    commandsIssued,
    crashes,
    restarts: s.restarts,
    snapshots,
    candidates: h.candidates,
    elected: h.elected,
    committed: h.committed,
    applied,
    committedAfterRestart: h.committedAfterRestart,
    installedSnapshot: h.installedSnapshot,
    restartedFromSnapshot: h.restartedFromSnapshot,
    committedAfterSnapshotRestart: h.committedAfterSnapshotRestart,
    quorumHeard: withQuorumHeard(s.quorumHeard, server, heard),
    breach,
    configChanges: s.configChanges + accepted,
    bootstrapConfig: s.bootstrapConfig,
    removedLeaderTerm: h.removedLeaderTerm,
  };
}

/**
 * CheckQuorum's ghost after a step of a server (`after` null: it crashed): cleared unless it
 * leads on in the same term, cleared by its quorum check (election timeout), and added to by an
 * AppendEntriesReply of its term.
 */
function quorumHeardAfter(heard: number, input: Input, before: RaftState, after: RaftState | null): number {
  if (after === null || after.role !== 'leader' || before.role !== 'leader' || before.currentTerm !== after.currentTerm) return 0;
  if (input.type === 'ElectionTimeout') return 0;
  const m = input.type === 'Receive' ? input.message : null;
  if (m !== null && (m.type === 'AppendEntriesReply' || m.type === 'InstallSnapshotReply') && m.term === after.currentTerm) return heard | (1 << m.from);
  return heard;
}

function withQuorumHeard(list: readonly number[], server: number, heard: number): readonly number[] {
  if (list[server] === heard) return list;
  const next = list.slice();
  next[server] = heard;
  return next;
}

/** The step the step properties judge (scratch, filled per step: serverStep is never re-entered). */
const step: { -readonly [K in keyof ServerStep]: ServerStep[K] } = {
  system: null as unknown as SystemState,
  server: 0,
  input: ELECTION_TIMEOUT,
  before: null as unknown as RaftState,
  result: null as unknown as ServerStep['result'],
  operations: [],
  carried: 0,
  applied: [],
};

/** The ghosts after a step, as recordHistory leaves them (scratch: read at once). */
const hist = {
  candidates: [] as readonly number[],
  elected: [] as readonly number[],
  committed: [] as readonly CommittedEntry[],
  committedAfterRestart: false,
  installedSnapshot: false,
  restartedFromSnapshot: 0,
  committedAfterSnapshotRestart: false,
  removedLeaderTerm: 0,
};

/** Ghost bookkeeping for the history invariants and goals: who was elected when, what committed when. */
function recordHistory(s: SystemState, server: number, before: RaftState, after: RaftState, installed: boolean): typeof hist {
  let { candidates, elected, committed, committedAfterRestart, restartedFromSnapshot } = s;
  const installedSnapshot = installed && after.role === 'follower';
  let committedAfterSnapshotRestart = false;
  if ((restartedFromSnapshot & (1 << server)) !== 0 && after.commitIndex > before.commitIndex) {
    committedAfterSnapshotRestart = true;
    restartedFromSnapshot &= ~(1 << server);
  }
  if (after.votedFor === server && after.currentTerm > 0 && !((candidates[after.currentTerm] ?? 0) & (1 << server))) {
    const grown = candidates.slice();
    for (let t = grown.length; t < after.currentTerm; t++) grown[t] = 0;
    grown[after.currentTerm] = (grown[after.currentTerm] ?? 0) | (1 << server);
    candidates = grown;
  }
  let removedLeaderTerm = s.removedLeaderTerm;
  // A leader that committed its own removal stepped down in the same step (thesis §4.2.2): what it
  // committed is recorded as any leader's commit, and the first such step-down as the ghost.
  const steppedDown = before.role === 'leader' && after.role !== 'leader' && after.currentTerm === before.currentTerm && after.commitIndex > before.commitIndex;
  if (steppedDown && removedLeaderTerm === 0 && !isVoter(configurationInEffect(after), server)) removedLeaderTerm = after.currentTerm;
  if (after.role === 'leader' || steppedDown) {
    const newlyLeader = after.role === 'leader' && (before.role !== 'leader' || before.currentTerm !== after.currentTerm);
    if (newlyLeader) {
      const prior = elected[after.currentTerm] ?? -1;
      if (prior < 0) {
        const grown = elected.slice();
        for (let t = grown.length; t < after.currentTerm; t++) grown[t] = -1;
        grown[after.currentTerm] = server;
        elected = grown;
      }
    }
    if (after.commitIndex > before.commitIndex) {
      for (let i = committed.length + 1; i <= after.commitIndex; i++) {
        const e = knownEntry(after, i)!;
        const c = committed[i - 1];
        if (c === undefined) {
          const entry: CommittedEntry = committedEntry(e, after.currentTerm);
          committed = [...committed, entry];
          if (s.restarts > 0) committedAfterRestart = true;
        }
      }
    }
  }
  hist.candidates = candidates;
  hist.elected = elected;
  hist.committed = committed;
  hist.committedAfterRestart = committedAfterRestart;
  hist.installedSnapshot = installedSnapshot;
  hist.restartedFromSnapshot = restartedFromSnapshot;
  hist.committedAfterSnapshotRestart = committedAfterSnapshotRestart;
  hist.removedLeaderTerm = removedLeaderTerm;
  return hist;
}

/** The committed ghost's record of entry `e` (its configuration or no-op mark only when it has one). */
function committedEntry(e: LogEntry, commitTerm: number): CommittedEntry {
  if (e.config !== undefined) return { term: e.term, command: e.command, commitTerm, config: e.config };
  if (e.noop === true) return { term: e.term, command: e.command, commitTerm, noop: true };
  return { term: e.term, command: e.command, commitTerm };
}

export type { Message };
