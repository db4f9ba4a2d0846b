import { restore, type Input, type Message, type Operation, type PersistEffect, type PersistentState, type RaftState, runOperations } from '../../src/core/index.js';
import type { RaftAction, ServerStepAction } from './actions.js';
import type { Bounds } from './bounds.js';
import { addMessage, distinctMessages, removeMessage, withoutMessagesTo } from './network.js';
import type { Reducer } from './reducer.js';
import type { CommittedEntry, ServerSlot, SystemState } from './system.js';

/** The enabled actions, in a fixed order (a path is a list of indices into this list). */
export function enabledActions(s: SystemState, b: Bounds): RaftAction[] {
  const out: RaftAction[] = [];
  const canCrash = s.crashes < b.maxCrashes;
  const serverStep = (a: ServerStepAction): void => {
    out.push(a);
    if (canCrash && b.crashMidStep) out.push({ ...a, crashMidStep: true });
  };
  s.servers.forEach((slot, server) => {
    const st = slot.state;
    if (!st) {
      out.push({ kind: 'Restart', server });
      return;
    }
    if (st.role !== 'leader' && st.currentTerm < b.maxTerm) serverStep({ kind: 'Timeout', server, crashMidStep: false });
    if (st.role === 'leader') {
      serverStep({ kind: 'Heartbeat', server, crashMidStep: false });
      if (s.commandsIssued < b.maxCommands && st.log.length < b.maxLog) serverStep({ kind: 'ClientRequest', server, crashMidStep: false });
    }
    if (canCrash) out.push({ kind: 'Crash', server });
  });
  for (const message of distinctMessages(s.network)) {
    if (s.servers[message.to]!.state) serverStep({ kind: 'Receive', message, crashMidStep: false });
    if (b.drop) out.push({ kind: 'DropMessage', message });
    if (b.duplicate && s.network.length < b.maxMessages) out.push({ kind: 'DuplicateMessage', message });
  }
  return out;
}

/** The state after `a`, or null when it leaves the bounds (or is a crash point equal to a plain crash). */
export function nextState(s: SystemState, a: RaftAction, b: Bounds, reducer: Reducer): SystemState | null {
  let next: SystemState | null;
  switch (a.kind) {
    case 'Timeout':
      next = serverStep(s, a.server, { type: 'ElectionTimeout' }, a.crashMidStep, reducer);
      break;
    case 'Heartbeat':
      next = serverStep(s, a.server, { type: 'HeartbeatTick' }, a.crashMidStep, reducer);
      break;
    case 'ClientRequest': {
      const issued = { ...s, commandsIssued: s.commandsIssued + 1 };
      next = serverStep(issued, a.server, { type: 'Start', command: issued.commandsIssued }, a.crashMidStep, reducer);
      break;
    }
    case 'Receive': {
      const network = removeMessage(s.network, a.message);
      next = network ? serverStep({ ...s, network }, a.message.to, { type: 'Receive', message: a.message }, a.crashMidStep, reducer) : null;
      break;
    }
    case 'DropMessage': {
      const network = removeMessage(s.network, a.message);
      next = network ? { ...s, network } : null;
      break;
    }
    case 'DuplicateMessage':
      next = { ...s, network: addMessage(s.network, a.message) };
      break;
    case 'Crash':
      next = crash(s, a.server);
      break;
    case 'Restart': {
      const slot = s.servers[a.server]!;
      next = withSlot({ ...s, restarts: s.restarts + 1 }, a.server, {
        state: restore(a.server, s.servers.length, slot.persisted),
        persisted: slot.persisted,
      });
      break;
    }
  }
  if (next && next.network.length > b.maxMessages) return null;
  return next;
}

function withSlot(s: SystemState, server: number, slot: ServerSlot): SystemState {
  const servers = s.servers.slice();
  servers[server] = slot;
  return { ...s, servers };
}

/** Crash: volatile state lost, messages addressed to the server lost; the disk survives. */
function crash(s: SystemState, server: number): SystemState {
  const slot = s.servers[server]!;
  return withSlot({ ...s, crashes: s.crashes + 1, network: withoutMessagesTo(s.network, server) }, server, {
    state: null,
    persisted: slot.persisted,
  });
}

/** The disk after a persist effect: keep what precedes logChangedFrom, write the rest. */
export function foldPersist(disk: PersistentState, p: PersistEffect): PersistentState {
  const keep = p.logChangedFrom - 1;
  const log = keep <= 0 ? p.log : keep >= p.log.length && keep === disk.log.length ? disk.log : disk.log.slice(0, keep).concat(p.log.slice(keep));
  return { currentTerm: p.currentTerm, votedFor: p.votedFor, log };
}

/** The length of the step's first group of operations (all of its first kind). */
function firstGroupLength(ops: readonly Operation[]): number {
  let n = 0;
  while (n < ops.length && ops[n]!.kind === ops[0]!.kind) n++;
  return n;
}

/**
 * One server takes one input; its effects are carried out through the core's own executor in
 * the order the reducer lists them. With `crashMidStep` only the first group is carried out and
 * the server crashes.
 */
function serverStep(s: SystemState, server: number, input: Input, crashMidStep: boolean, reducer: Reducer): SystemState | null {
  const slot = s.servers[server]!;
  const before = slot.state;
  if (!before) return null;
  const result = reducer.step(before, input);
  const ops = reducer.operations(result);
  const limit = crashMidStep ? firstGroupLength(ops) : ops.length;
  if (crashMidStep && limit === ops.length) return null; // the same as the step, then Crash

  let persisted = slot.persisted;
  let network = s.network;
  let applied = s.applied;
  let breach = s.breach;
  runOperations(ops, (op) => {
    switch (op.kind) {
      case 'persist':
        persisted = foldPersist(persisted, op.persist);
        return;
      case 'send':
        network = addMessage(network, op.message);
        return;
      case 'apply': {
        const i = op.entry.commandIndex - 1;
        if (i === applied.length) applied = [...applied, op.entry.command];
        else if (i > applied.length) breach ??= { invariant: 'StateMachineSafety', detail: `server ${server} applied index ${i + 1} before any server applied ${applied.length + 1}` };
        else if (applied[i] !== op.entry.command) {
          breach ??= { invariant: 'StateMachineSafety', detail: `server ${server} applied ${String(op.entry.command)} at index ${i + 1}, where ${String(applied[i])} was applied before` };
        }
        return;
      }
      case 'timer':
        return;
    }
  }, limit);

  if (input.type === 'Receive' && result.state.currentTerm < input.message.term) {
    breach ??= { invariant: 'HigherTermAdopted', detail: `server ${server} received ${input.message.type} of term ${input.message.term} and stayed in term ${result.state.currentTerm}` };
  }
  // The step happened in memory even when the server crashes before all its effects are out:
  // the history (who stood, who was elected, what committed) records it either way.
  let next = recordHistory({ ...s, network, applied, breach }, server, before, result.state);
  if (crashMidStep) return crash(withSlot(next, server, { state: before, persisted }), server);
  next = withSlot(next, server, { state: result.state, persisted });
  return next;
}

/** Ghost bookkeeping for the history invariants: who was elected when, what committed when. */
function recordHistory(s: SystemState, server: number, before: RaftState, after: RaftState): SystemState {
  let { candidates, elected, committed, breach, committedAfterRestart } = s;
  if (after.votedFor === server && after.currentTerm > 0 && !((candidates[after.currentTerm] ?? 0) & (1 << server))) {
    const grown = candidates.slice();
    for (let t = grown.length; t < after.currentTerm; t++) grown[t] = 0;
    grown[after.currentTerm] = (grown[after.currentTerm] ?? 0) | (1 << server);
    candidates = grown;
  }
  if (after.role === 'leader') {
    const newlyLeader = before.role !== 'leader' || before.currentTerm !== after.currentTerm;
    if (newlyLeader) {
      const prior = elected[after.currentTerm] ?? -1;
      if (prior < 0) {
        const grown = elected.slice();
        for (let t = grown.length; t < after.currentTerm; t++) grown[t] = -1;
        grown[after.currentTerm] = server;
        elected = grown;
      } else if (prior !== server) {
        breach ??= { invariant: 'ElectionSafety', detail: `servers ${prior} and ${server} were both elected leader in term ${after.currentTerm}` };
      }
    } else if (!extendsLog(before.log, after.log)) {
      breach ??= { invariant: 'LeaderAppendOnly', detail: `leader ${server} of term ${after.currentTerm} removed or rewrote entries of its log` };
    }
    if (after.commitIndex > before.commitIndex) {
      for (let i = 1; i <= after.commitIndex; i++) {
        const e = after.log[i - 1]!;
        const c = committed[i - 1];
        if (c === undefined) {
          const entry: CommittedEntry = { term: e.term, command: e.command, commitTerm: after.currentTerm };
          committed = [...committed, entry];
          if (s.restarts > 0) committedAfterRestart = true;
        } else if (c.term !== e.term || c.command !== e.command) {
          breach ??= { invariant: 'StateMachineSafety', detail: `leader ${server} committed ${e.term}:${String(e.command)} at index ${i}, where ${c.term}:${String(c.command)} was committed before` };
        }
      }
    }
  }
  if (candidates === s.candidates && elected === s.elected && committed === s.committed && breach === s.breach && committedAfterRestart === s.committedAfterRestart) return s;
  return { ...s, candidates, elected, committed, breach, committedAfterRestart };
}

function extendsLog(before: readonly { term: number; command: unknown }[], after: readonly { term: number; command: unknown }[]): boolean {
  if (after.length < before.length) return false;
  for (let i = 0; i < before.length; i++) {
    const a = before[i]!;
    const b = after[i]!;
    if (a !== b && (a.term !== b.term || a.command !== b.command)) return false;
  }
  return true;
}

export type { Message };
