/**
 * A hand-driven cluster for transcript tests (in the spirit of etcd-io/raft's interaction tests):
 * each action steps one server through `stepChecked`, carries out its effects with the core's own
 * `runOperations` (so the transcript shows the real effect order), and returns one compact line
 * per effect, to be compared with golden text.
 *
 *   0: persist term=1 vote=0 log=[] from=1
 *   0->1: RequestVote term=1 last=0@0
 *   1->0: AppendEntriesReply term=1 ok match=1
 *   0: apply 1 x
 *   0: timer startHeartbeat
 */
import {
  operations, restore, runOperations, initialState,
  type Input, type LogEntry, type Message, type Operation, type PersistentState, type RaftState, type ServerId,
} from '../../src/core/index.js';
import { stepChecked } from './helpers.js';

const entries = (log: readonly LogEntry[]): string => `[${log.map((e) => `${e.term}:${String(e.command)}`).join(' ')}]`;

export function formatMessage(m: Message): string {
  const head = `${m.from}->${m.to}: ${m.type} term=${m.term}`;
  switch (m.type) {
    case 'RequestVote':
      return `${head} last=${m.lastLogIndex}@${m.lastLogTerm}`;
    case 'RequestVoteReply':
      return `${head} ${m.voteGranted ? 'granted' : 'refused'}`;
    case 'AppendEntries':
      return `${head} prev=${m.prevLogIndex}@${m.prevLogTerm} entries=${entries(m.entries)} commit=${m.leaderCommit}`;
    case 'AppendEntriesReply':
      return m.success
        ? `${head} ok match=${m.matchIndex}`
        : `${head} reject conflictTerm=${m.conflictTerm} conflictIndex=${m.conflictIndex}`;
  }
}

function formatOperation(id: ServerId, op: Operation): string {
  switch (op.kind) {
    case 'persist': {
      const p = op.persist;
      return `${id}: persist term=${p.currentTerm} vote=${p.votedFor ?? '-'} log=${entries(p.log)} from=${p.logChangedFrom}`;
    }
    case 'send':
      return formatMessage(op.message);
    case 'apply':
      return `${id}: apply ${op.entry.commandIndex} ${String(op.entry.command)}`;
    case 'timer':
      return `${id}: timer ${op.directive}`;
  }
}

export function formatState(s: RaftState): string {
  const leader = s.role === 'leader' ? ` next=[${s.nextIndex.join(',')}] match=[${s.matchIndex.join(',')}]` : '';
  return `${s.id}: ${s.role} term=${s.currentTerm} vote=${s.votedFor ?? '-'} log=${entries(s.log)} commit=${s.commitIndex} applied=${s.lastApplied}${leader}`;
}

export class Cluster {
  readonly nodes: RaftState[];
  /** What each server last wrote durably: all a restart may use. */
  readonly disk: PersistentState[];
  /** Messages sent and not yet delivered or dropped, in send order. */
  inFlight: Message[] = [];

  constructor(readonly size: number) {
    this.nodes = Array.from({ length: size }, (_, id) => initialState(id, size));
    this.disk = this.nodes.map((s) => ({ currentTerm: s.currentTerm, votedFor: s.votedFor, log: s.log }));
  }

  timeout(id: ServerId): string { return this.step(id, { type: 'ElectionTimeout' }); }
  tick(id: ServerId): string { return this.step(id, { type: 'HeartbeatTick' }); }
  start(id: ServerId, command: string): string { return this.step(id, { type: 'Start', command }); }

  /** Delivers the oldest in-flight message from `from` to `to`. */
  deliver(from: ServerId, to: ServerId): string {
    const i = this.inFlight.findIndex((m) => m.from === from && m.to === to);
    if (i < 0) throw new Error(`no message in flight ${from}->${to}`);
    const [m] = this.inFlight.splice(i, 1);
    return this.step(to, { type: 'Receive', message: m! });
  }

  /** Loses every in-flight message from `from` to `to`. */
  drop(from: ServerId, to: ServerId): string {
    const lost = this.inFlight.filter((m) => m.from === from && m.to === to);
    this.inFlight = this.inFlight.filter((m) => !lost.includes(m));
    return lost.map((m) => `lost ${formatMessage(m)}`).join('\n');
  }

  /** Delivers every in-flight message, oldest first, including those sent meanwhile. */
  settle(): string {
    const lines: string[] = [];
    for (let steps = 0; this.inFlight.length > 0; steps++) {
      if (steps > 1000) throw new Error('the cluster does not settle');
      const m = this.inFlight[0]!;
      lines.push(this.deliver(m.from, m.to));
    }
    return lines.filter((l) => l !== '').join('\n');
  }

  /** Loses every in-flight message to `id` and its volatile state; it restarts from its disk. */
  crashAndRestart(id: ServerId): string {
    const lost = this.inFlight.filter((m) => m.to === id || m.from === id);
    this.inFlight = this.inFlight.filter((m) => !lost.includes(m));
    this.nodes[id] = restore(id, this.size, this.disk[id]!);
    return [...lost.map((m) => `lost ${formatMessage(m)}`), `restarted ${formatState(this.nodes[id])}`].join('\n');
  }

  show(...ids: ServerId[]): string {
    return (ids.length > 0 ? ids : this.nodes.map((s) => s.id)).map((id) => formatState(this.nodes[id]!)).join('\n');
  }

  private step(id: ServerId, input: Input): string {
    const r = stepChecked(this.nodes[id]!, input);
    this.nodes[id] = r.state;
    const lines: string[] = [];
    if (r.start) lines.push(`${id}: start index=${r.start.index} term=${r.start.term} isLeader=${r.start.isLeader}`);
    const done = runOperations(operations(r), (op) => {
      lines.push(formatOperation(id, op));
      if (op.kind === 'persist') this.disk[id] = { currentTerm: op.persist.currentTerm, votedFor: op.persist.votedFor, log: op.persist.log };
      if (op.kind === 'send') this.inFlight.push(op.message);
    });
    if (done !== undefined) throw new Error('a synchronous sink must give a synchronous run');
    return lines.join('\n');
  }
}

/** Golden text from an indented template literal: common indentation and edge blank lines removed. */
export function golden(text: string): string {
  const lines = text.replace(/^\n/, '').replace(/\n\s*$/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length));
  return lines.map((l) => l.slice(indent)).join('\n');
}
