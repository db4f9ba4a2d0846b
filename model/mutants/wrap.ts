import { produce } from 'immer';
import { entryAt, lastLogIndex, operations, step, type ApplyMsg, type Input, type LogEntry, type Message, type PersistEffect, type RaftState, type StepConfig, type StepResult } from '../../src/core/index.js';
import { sameKind } from '../raft/configs.js';
import type { Reducer } from '../raft/reducer.js';

/**
 * Building blocks for mutants: each mutant is the real core's `step` with one rule changed,
 * by rewriting what one handler sees or what it produced. Nothing here is reachable from the
 * production code path.
 */

export const withStep = (mutated: Reducer['step']): Reducer => ({ step: mutated, operations });

/**
 * The first absolute index after `after`'s snapshot whose entry differs from `before`'s (or that
 * `before` holds only in its snapshot), else the lesser lastLogIndex + 1. (The core's
 * firstDifference assumes the snapshot never goes back; a mutant's may.)
 */
function firstChange(before: RaftState, after: RaftState): number {
  const start = after.lastIncludedIndex + 1;
  const end = Math.min(lastLogIndex(before), lastLogIndex(after));
  for (let i = start; i <= end; i++) {
    const a = i > before.lastIncludedIndex ? entryAt(before, i) : undefined;
    const b = entryAt(after, i);
    if (a === undefined || (a !== b && (a.term !== b.term || a.command !== b.command || !sameKind(a, b)))) return i;
  }
  return Math.max(end + 1, start);
}

/** The persist effect recomputed against the state before the step (for mutants that edit state). */
export function repersist(before: RaftState, r: StepResult): StepResult {
  const after = r.state;
  const snapshotChanged = before.lastIncludedIndex !== after.lastIncludedIndex || before.snapshot !== after.snapshot || before.lastIncludedConfig !== after.lastIncludedConfig;
  const from = firstChange(before, after);
  const logChanged = (before.log !== after.log || snapshotChanged) && from <= Math.max(lastLogIndex(before), lastLogIndex(after));
  if (!logChanged && !snapshotChanged && before.currentTerm === after.currentTerm && before.votedFor === after.votedFor) {
    return r.persist ? { ...r, persist: null } : r;
  }
  const persist: PersistEffect = {
    currentTerm: after.currentTerm,
    votedFor: after.votedFor,
    lastIncludedIndex: after.lastIncludedIndex,
    lastIncludedTerm: after.lastIncludedTerm,
    snapshot: after.snapshot,
    log: after.log,
    logChangedFrom: logChanged ? from : lastLogIndex(after) + 1,
    snapshotChanged,
    ...(after.lastIncludedConfig === undefined ? {} : { lastIncludedConfig: after.lastIncludedConfig }),
  };
  return { ...r, persist };
}

/** Steps `edited` (a changed view of `state`) and reports persistence relative to `state`. */
export function stepFrom(state: RaftState, edited: RaftState, input: Input, config?: StepConfig): StepResult {
  return repersist(state, step(edited, input, config));
}

/** What applying entry `e` at index `i` hands the service: a command, or a configuration entry or no-op (the core's ConfigApplyMsg). */
export function applyMsgOf(e: LogEntry, i: number): ApplyMsg {
  if (e.config !== undefined || e.noop === true) return { configValid: true, configIndex: i, config: e.config ?? null, context: e.command };
  return { commandValid: true, command: e.command, commandIndex: i };
}

/** Sets commitIndex to `n` (when higher) and applies everything up to lastApplied = `upTo`. */
export function commitAndApply(r: StepResult, commitIndex: number, upTo: number): StepResult {
  const s = r.state;
  if (commitIndex <= s.commitIndex && upTo <= s.lastApplied) return r;
  const apply: ApplyMsg[] = [...r.apply];
  for (let i = s.lastApplied + 1; i <= upTo; i++) apply.push(applyMsgOf(entryAt(s, i), i));
  const state = produce(s, (d) => {
    d.commitIndex = Math.max(d.commitIndex, commitIndex);
    d.lastApplied = Math.max(d.lastApplied, upTo);
  });
  return { ...r, state, apply };
}

export const received = (input: Input): Message | null => (input.type === 'Receive' ? input.message : null);

export const receive = (message: Message): Input => ({ type: 'Receive', message });

/** The real step, except that an incoming message for which `rewrite` returns a message is seen as that one. */
export function rewritingReceived(rewrite: (m: Message, state: RaftState) => Message | null): Reducer {
  return withStep((state, input) => {
    const m = received(input);
    const changed = m === null ? null : rewrite(m, state);
    return step(state, changed === null ? input : receive(changed));
  });
}

/** Small bounds at which replication bugs show: two entries, three messages in flight, no crashes. */
export const REPLICATION_BOUNDS = { maxLog: 2, maxCommands: 2, maxCrashes: 0, maxMessages: 3, duplicate: false, crashMidStep: false } as const;
