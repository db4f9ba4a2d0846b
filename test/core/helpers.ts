/**
 * Shared vocabulary for the core's tests: a checked `step`, builders for states and messages.
 *
 * Every test goes through `stepChecked`, which deep-freezes the state and the input (so any
 * mutation of them throws) and runs `step` twice, once with StepConfig.autoFreeze on and once off,
 * expecting deep-equal results: the reducer is pure and deterministic, whatever the host's
 * freezing choice.
 */
import { expect } from 'vitest';
import {
  DEFAULT_STEP_CONFIG,
  initialState,
  step,
  type AppendEntriesArgs,
  type AppendEntriesReply,
  type Input,
  type LogEntry,
  type Message,
  type RaftState,
  type RequestVoteArgs,
  type RequestVoteReply,
  type ServerId,
  type StepConfig,
  type StepResult,
  type Term,
} from '../../src/core/index.js';

export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<PropertyKey, unknown>)[key]);
  return Object.freeze(value);
}

/** `step`, checked: frozen inputs, same result twice (autoFreeze on, then off). */
export function stepChecked(state: RaftState, input: Input, config: StepConfig = DEFAULT_STEP_CONFIG): StepResult {
  deepFreeze(state);
  deepFreeze(input);
  const first = step(state, input, { ...config, autoFreeze: true });
  const second = step(state, input, { ...config, autoFreeze: false });
  expect(Object.isFrozen(first.state), 'autoFreeze on freezes the state').toBe(true);
  expect(second, 'step is deterministic').toStrictEqual(first);
  return first;
}

/** Runs inputs one after another through `stepChecked`; returns every result. */
export function stepAll(state: RaftState, inputs: readonly Input[]): { state: RaftState; results: StepResult[] } {
  const results: StepResult[] = [];
  let s = state;
  for (const input of inputs) {
    const r = stepChecked(s, input);
    results.push(r);
    s = r.state;
  }
  return { state: s, results };
}

// ---- inputs ----------------------------------------------------------------------------------

export const TIMEOUT: Input = { type: 'ElectionTimeout' };
export const TICK: Input = { type: 'HeartbeatTick' };
export const start = (command: unknown): Input => ({ type: 'Start', command });
export const receive = (message: Message): Input => ({ type: 'Receive', message });

// ---- logs ------------------------------------------------------------------------------------

/** A log whose entry i has the i-th term given and the command `c<i>`. */
export function log(...terms: Term[]): LogEntry[] {
  return terms.map((term, i) => ({ term, command: `c${i + 1}` }));
}

export const entry = (term: Term, command: unknown): LogEntry => ({ term, command });

// ---- states ----------------------------------------------------------------------------------

type StateFields = Partial<Omit<RaftState, 'id'>>;

/** A state built as data: initialState(id, clusterSize ?? 3) with the given fields. */
export function server(id: ServerId, fields: StateFields = {}): RaftState {
  return { ...initialState(id, fields.clusterSize ?? 3), ...fields };
}

/**
 * A leader of `term` with `log`, reached the real way: a follower of term - 1 times out and
 * collects votes from the lowest-numbered peers until it has a majority.
 */
export function electedLeader(id: ServerId, term: Term, entries: readonly LogEntry[] = [], clusterSize = 3): RaftState {
  let s = stepChecked(server(id, { clusterSize, currentTerm: term - 1, log: [...entries] }), TIMEOUT).state;
  for (let peer = 0; s.role !== 'leader'; peer++) {
    if (peer === id) continue;
    s = stepChecked(s, receive(voteReply(peer, id, term, true))).state;
  }
  return s;
}

// ---- messages --------------------------------------------------------------------------------

export function requestVote(
  from: ServerId,
  to: ServerId,
  term: Term,
  last: { index?: number; term?: Term } = {},
): RequestVoteArgs {
  return {
    type: 'RequestVote', from, to, term, candidateId: from,
    lastLogIndex: last.index ?? 0, lastLogTerm: last.term ?? 0,
  };
}

export function voteReply(from: ServerId, to: ServerId, term: Term, voteGranted: boolean): RequestVoteReply {
  return { type: 'RequestVoteReply', from, to, term, voteGranted };
}

export function appendEntries(
  from: ServerId,
  to: ServerId,
  term: Term,
  fields: { prevLogIndex?: number; prevLogTerm?: Term; entries?: readonly LogEntry[]; leaderCommit?: number } = {},
): AppendEntriesArgs {
  return {
    type: 'AppendEntries', from, to, term, leaderId: from,
    prevLogIndex: fields.prevLogIndex ?? 0, prevLogTerm: fields.prevLogTerm ?? 0,
    entries: fields.entries ?? [], leaderCommit: fields.leaderCommit ?? 0,
  };
}

export function accepted(from: ServerId, to: ServerId, term: Term, matchIndex: number): AppendEntriesReply {
  return { type: 'AppendEntriesReply', from, to, term, success: true, matchIndex, conflictTerm: 0, conflictIndex: 0 };
}

export function rejected(
  from: ServerId,
  to: ServerId,
  term: Term,
  conflict: { term: Term; index: number } = { term: 0, index: 0 },
): AppendEntriesReply {
  return {
    type: 'AppendEntriesReply', from, to, term, success: false, matchIndex: 0,
    conflictTerm: conflict.term, conflictIndex: conflict.index,
  };
}

/** The messages of a result of one type, narrowed. */
export function sent<T extends Message['type']>(r: StepResult, type: T): Extract<Message, { type: T }>[] {
  return r.messages.filter((m): m is Extract<Message, { type: T }> => m.type === type);
}
