/**
 * A hand-driven cluster for the scenario files (./scenarios/*.txt): each move steps one server
 * through `stepChecked`, carries out its effects with the core's own `runOperations` (so the text
 * shows the real effect order: persist, send, apply, timer), and returns one line per effect.
 * Messages are written by the model's `formatMessage`, the one message formatter of the project.
 */
import {
  DEFAULT_STEP_CONFIG, operations, persistentPart, restore, runOperations, initialState,
  type Configuration, type Input, type LogEntry, type LogView, type Message, type Operation, type PersistentState, type RaftState, type ServerId, type StepConfig,
} from '../../src/core/index.js';
import { formatMessage } from '../../model/raft/actions.js';
import { stepChecked } from './helpers.js';

/** Entries as `formatMessage` writes them, so a log reads the same in a message and in a state. */
export const formatLog = (log: readonly LogEntry[]): string => `[${log.map(formatEntry).join(',')}]`;

/** `term:command`; a configuration entry `term:config{voters|learners}`, a no-op `term:noop`. */
const formatEntry = (e: LogEntry): string =>
  `${e.term}:${e.config !== undefined ? `config${formatConfig(e.config)}` : e.noop === true ? 'noop' : String(e.command)}`;

/** `{0,1|2}`: voters 0 and 1, learner 2. */
export const formatConfig = (c: Configuration): string => `{${c.voters.join(',')}|${c.learners.join(',')}}`;

/** The snapshot fields, written only for a server that has a snapshot (so files without one read as before). */
const formatSnapshot = (v: LogView & { readonly snapshot: unknown }): string =>
  v.lastIncludedIndex === 0 ? '' : ` lastIncludedIndex=${v.lastIncludedIndex} lastIncludedTerm=${v.lastIncludedTerm} snapshot=${String(v.snapshot)}`;

function formatOperation(id: ServerId, op: Operation): string {
  switch (op.kind) {
    case 'persist': {
      const p = op.persist;
      return `${id}: persist currentTerm=${p.currentTerm} votedFor=${p.votedFor ?? '-'}${formatSnapshot(p)} log=${formatLog(p.log)} logChangedFrom=${p.logChangedFrom}${p.snapshotChanged ? ' snapshotChanged' : ''}`;
    }
    case 'send':
      return `${id}: send ${formatMessage(op.message)}`;
    case 'apply':
      return 'commandValid' in op.entry
        ? `${id}: apply commandIndex=${op.entry.commandIndex} command=${String(op.entry.command)}`
        : 'snapshotValid' in op.entry
          ? `${id}: apply snapshotIndex=${op.entry.snapshotIndex} snapshotTerm=${op.entry.snapshotTerm} snapshot=${String(op.entry.snapshot)}`
          : `${id}: apply configIndex=${op.entry.configIndex} config=${op.entry.config === null ? 'noop' : formatConfig(op.entry.config)} context=${String(op.entry.context)}`;
    case 'timer':
      return `${id}: timer ${op.directive}`;
  }
}

export function formatState(s: RaftState): string {
  const ids = (flags: readonly boolean[]): string => `[${flags.flatMap((f, i) => (f ? [i] : [])).join(',')}]`;
  const role =
    s.role === 'leader' ? ` nextIndex=[${s.nextIndex.join(',')}] matchIndex=[${s.matchIndex.join(',')}]`
    : s.role === 'candidate' || s.role === 'preCandidate' ? ` votesGranted=${ids(s.votesGranted)}`
    : '';
  // The options' state, shown only when it says something (never with the options off).
  const options = (s.heardFromLeader ? ' heardFromLeader' : '') + (s.recentActive.length > 0 ? ` recentActive=${ids(s.recentActive)}` : '');
  return `${s.id}: ${s.role} currentTerm=${s.currentTerm} votedFor=${s.votedFor ?? '-'}${formatSnapshot(s)} log=${formatLog(s.log)} commitIndex=${s.commitIndex} lastApplied=${s.lastApplied}${role}${options}`;
}

export class Cluster {
  private readonly nodes: RaftState[];
  /** What each server last wrote durably: all a restart may use. */
  private readonly disk: PersistentState[];
  /** Messages sent and not yet delivered or dropped, in send order. */
  private inFlight: Message[] = [];

  constructor(readonly size: number, private readonly config: StepConfig = DEFAULT_STEP_CONFIG) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`a cluster needs a positive whole number of servers, got ${size}`);
    this.nodes = Array.from({ length: size }, (_, id) => initialState(id, size));
    this.disk = this.nodes.map((s) => persistentPart(s));
  }

  timeout(id: ServerId): string[] { return this.step(id, { type: 'ElectionTimeout' }); }
  /**
   * The service's snapshot through `index`: its data is the commands the server applied up to
   * there, as `a+b+c` (a stand-in for a state machine: a server's applied commands are what it
   * restarts from and what InstallSnapshot carries).
   */
  snapshot(id: ServerId, index: number): string[] {
    this.check(id);
    const s = this.nodes[id]!;
    const base = s.lastIncludedIndex === 0 ? [] : String(s.snapshot).split('+');
    const data = [...base, ...s.log.slice(0, Math.max(0, index - s.lastIncludedIndex)).map((e) => String(e.command))].join('+');
    return this.step(id, { type: 'Snapshot', index, snapshot: data });
  }
  tick(id: ServerId): string[] { return this.step(id, { type: 'HeartbeatTick' }); }
  start(id: ServerId, command: string): string[] { return this.step(id, { type: 'Start', command }); }

  /** Delivers the oldest message in flight from `from` to `to`. */
  deliver(from: ServerId, to: ServerId): string[] {
    this.check(from);
    this.check(to);
    const i = this.inFlight.findIndex((m) => m.from === from && m.to === to);
    if (i < 0) throw new Error(`no message in flight ${from}->${to}`);
    const [m] = this.inFlight.splice(i, 1);
    return [`${to}: receive ${formatMessage(m!)}`, ...this.step(to, { type: 'Receive', message: m! })];
  }

  /** Delivers every message in flight, oldest first, including those sent meanwhile, until none is left. */
  deliverAll(): string[] {
    const lines: string[] = [];
    for (let steps = 0; this.inFlight.length > 0; steps++) {
      if (steps > 1000) throw new Error('the cluster does not settle within 1000 deliveries');
      const m = this.inFlight[0]!;
      lines.push(...this.deliver(m.from, m.to));
    }
    return lines;
  }

  /** Loses every message in flight from `from` to `to`. */
  drop(from: ServerId, to: ServerId): string[] {
    this.check(from);
    this.check(to);
    const lost = this.inFlight.filter((m) => m.from === from && m.to === to);
    if (lost.length === 0) throw new Error(`no message in flight ${from}->${to}`);
    this.inFlight = this.inFlight.filter((m) => !lost.includes(m));
    return lost.map((m) => `dropped ${formatMessage(m)}`);
  }

  /** The server loses its volatile state and restarts from its disk (messages in flight stay, as in raft.tla's Restart). */
  restart(id: ServerId): string[] {
    this.check(id);
    this.nodes[id] = restore(id, this.size, this.disk[id]!);
    return [`${id}: restarted ${formatState(this.nodes[id]).slice(`${id}: `.length)}`];
  }

  /** Writes `persisted` as the server's disk and restarts it from there: a scenario's starting point. */
  restore(id: ServerId, persisted: PersistentState): string[] {
    this.check(id);
    this.disk[id] = persisted;
    return this.restart(id);
  }

  show(ids: readonly ServerId[]): string[] {
    ids.forEach((id) => this.check(id));
    return (ids.length > 0 ? ids : this.nodes.map((s) => s.id)).map((id) => formatState(this.nodes[id]!));
  }

  private check(id: ServerId): void {
    if (!Number.isInteger(id) || id < 0 || id >= this.size) throw new Error(`server ${id} is not in this cluster of ${this.size} (0..${this.size - 1})`);
  }

  private step(id: ServerId, input: Input): string[] {
    this.check(id);
    const r = stepChecked(this.nodes[id]!, input, this.config);
    this.nodes[id] = r.state;
    // The answer to Start goes back to the client at once, before the step's operations.
    const lines = r.start ? [`${id}: start index=${r.start.index} term=${r.start.term} isLeader=${r.start.isLeader}`] : [];
    const done = runOperations(operations(r), (op) => {
      lines.push(formatOperation(id, op));
      if (op.kind === 'persist') this.disk[id] = persistentPart(op.persist);
      if (op.kind === 'send') this.inFlight.push(op.message);
    });
    if (done !== undefined) throw new Error('a synchronous sink must give a synchronous run');
    return lines;
  }
}

