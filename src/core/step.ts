import { Immer } from 'immer';
import { applyCommitted } from './commit.js';
import { handleAppendEntries, handleAppendEntriesReply } from './appendEntries.js';
import { handleElectionTimeout, handleHeartbeatTick, handleStart } from './events.js';
import { firstDifference, lastLogIndex } from './log.js';
import { newOutbox, type Outbox } from './outbox.js';
import { handleRequestVote, handleRequestVoteReply } from './requestVote.js';
import { handleInstallSnapshot, handleInstallSnapshotReply, handleSnapshot } from './snapshot.js';
import { carriesProposedTerm, handlePreVote, handlePreVoteReply } from './preVote.js';
import { noteRecentActive } from './checkQuorum.js';
import { MAX_TERM } from './limits.js';
import { becomeFollower } from './roles.js';
import { handleChangeMembership, stepDownIfRemoved } from './membership.js';
import { newServerEdit, type ServerEdit } from './draft.js';
import { DEFAULT_STEP_CONFIG, type Input, type LogIndex, type Message, type PersistEffect, type RaftState, type StepConfig, type StepResult } from './types.js';

/**
 * The core's own immer instances, one per StepConfig.autoFreeze setting, so a host's global
 * immer settings never change the core's behaviour. Made once here and never reconfigured:
 * which one a step uses is its config's choice, not process-wide state.
 */
const FREEZING = new Immer({ autoFreeze: true });
const NOT_FREEZING = new Immer({ autoFreeze: false });

/**
 * One reducer for everything that can happen to a server:
 *   step(state, input[, config]) -> { state, messages, persist, apply, timers, start? }
 * Pure: the same state, input and config always give the same result, and `state` is never
 * mutated.
 */
export function step(state: RaftState, input: Input, config: StepConfig = DEFAULT_STEP_CONFIG): StepResult {
  const out = newOutbox(config);
  let logRewrittenFrom = 1;
  const immer = config.autoFreeze === false ? NOT_FREEZING : FREEZING;
  const next = immer.produce(state, (draft) => {
    const e = newServerEdit(draft, state);
    dispatch(e, input, out);
    if (e.leaderCommitted) stepDownIfRemoved(e, out);
    applyCommitted(e, out);
    logRewrittenFrom = e.logRewrittenFrom;
  });
  const result: { -readonly [K in keyof StepResult]: StepResult[K] } = {
    state: next,
    messages: out.messages,
    persist: persistEffect(state, next, logRewrittenFrom),
    apply: out.apply,
    timers: out.timers,
  };
  // Added only when present (not spread in: a spread makes V8 build the object the slow way).
  if (out.start) result.start = out.start;
  if (out.membership) result.membership = out.membership;
  return result;
}

function dispatch(e: ServerEdit, input: Input, out: Outbox): void {
  switch (input.type) {
    case 'ElectionTimeout':
      return handleElectionTimeout(e, out);
    case 'HeartbeatTick':
      return handleHeartbeatTick(e, out);
    case 'Start':
      return handleStart(e, input.command, out);
    case 'Receive':
      return receive(e, input.message, out);
    case 'Snapshot':
      return handleSnapshot(e, input.index, input.snapshot);
    case 'ChangeMembership':
      return handleChangeMembership(e, input.change, input.context, out);
  }
}

/**
 * All servers: a message with a higher term makes the receiver a follower of that term first;
 * not a PreVote or a granted PreVoteReply, whose term is only proposed (thesis §9.6).
 */
function receive(e: ServerEdit, m: Message, out: Outbox): void {
  const s = e.draft;
  if (m.to !== s.id) return; // misaddressed: not ours to act on
  // Malformed (the codec refuses it first; this is defence in depth): adopting such a term would
  // persist a term no reader accepts, and leave no term to campaign for.
  if (!isTerm(m.term)) return;
  if (m.term > s.currentTerm && !carriesProposedTerm(m)) becomeFollower(e, m.term, out);
  if (out.config.checkQuorum) noteRecentActive(e, m);
  switch (m.type) {
    case 'RequestVote':
      return handleRequestVote(e, m, out);
    case 'RequestVoteReply':
      return handleRequestVoteReply(e, m, out);
    case 'AppendEntries':
      return handleAppendEntries(e, m, out);
    case 'AppendEntriesReply':
      return handleAppendEntriesReply(e, m, out);
    case 'InstallSnapshot':
      return handleInstallSnapshot(e, m, out);
    case 'InstallSnapshotReply':
      return handleInstallSnapshotReply(e, m, out);
    case 'PreVote':
      return handlePreVote(e, m, out);
    case 'PreVoteReply':
      return handlePreVoteReply(e, m, out);
  }
}

function isTerm(term: number): boolean {
  return Number.isInteger(term) && term >= 0 && term <= MAX_TERM;
}

/**
 * The persistent state to write, present exactly when currentTerm, votedFor, the log or the
 * snapshot changed. Entries below `logRewrittenFrom` are the very objects of `before.log`, so
 * they are not compared.
 */
function persistEffect(before: RaftState, after: RaftState, logRewrittenFrom: LogIndex): PersistEffect | null {
  const logChanged = before.log !== after.log;
  const snapshotChanged = before.lastIncludedIndex !== after.lastIncludedIndex || before.snapshot !== after.snapshot || before.lastIncludedConfig !== after.lastIncludedConfig;
  if (!logChanged && !snapshotChanged && before.currentTerm === after.currentTerm && before.votedFor === after.votedFor) return null;
  const effect: { -readonly [K in keyof PersistEffect]: PersistEffect[K] } = {
    currentTerm: after.currentTerm,
    votedFor: after.votedFor,
    lastIncludedIndex: after.lastIncludedIndex,
    lastIncludedTerm: after.lastIncludedTerm,
    snapshot: after.snapshot,
    log: after.log,
    logChangedFrom: logChanged ? firstDifference(before, after, logRewrittenFrom) : lastLogIndex(after) + 1,
    snapshotChanged,
  };
  if (after.lastIncludedConfig !== undefined) effect.lastIncludedConfig = after.lastIncludedConfig;
  return effect;
}
