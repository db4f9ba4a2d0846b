import { produce } from 'immer';
import { lastLogIndex, lastLogTerm, step, termAt } from '../../src/core/index.js';
import type { Mutant } from './mutant.js';
import { REPLICATION_BOUNDS, commitAndApply, receive, received, rewritingReceived, stepFrom, withStep } from './wrap.js';

export const truncateOnEveryAppend: Mutant = {
  name: 'truncate-on-every-append',
  description: 'A follower drops everything after prevLogIndex on every accepted AppendEntries, even a stale or duplicate one.',
  breaks: 'CommittedSurvivesCrash',
  bounds: REPLICATION_BOUNDS,
  reducer: withStep((state, input) => {
    const m = received(input);
    if (m?.type !== 'AppendEntries' || m.term < state.currentTerm || m.prevLogIndex >= lastLogIndex(state) || m.prevLogIndex < state.lastIncludedIndex) return step(state, input);
    if (termAt(state, m.prevLogIndex) !== m.prevLogTerm) return step(state, input);
    return stepFrom(state, { ...state, log: state.log.slice(0, m.prevLogIndex - state.lastIncludedIndex) }, input);
  }),
};

export const acceptPrevLogIndexPastEnd: Mutant = {
  name: 'accept-prevLogIndex-past-end',
  description: 'The consistency check passes when prevLogIndex is past the end of the log; the entries land at the end.',
  breaks: 'LeaderMatchIndexIsSound',
  bounds: { maxLog: 1, maxCommands: 2 },
  reducer: withStep((state, input) => {
    const m = received(input);
    if (m?.type !== 'AppendEntries' || m.term < state.currentTerm || m.prevLogIndex <= lastLogIndex(state)) return step(state, input);
    const r = step(state, receive({ ...m, prevLogIndex: lastLogIndex(state), prevLogTerm: lastLogTerm(state) }));
    // The reply claims the follower now matches up to what the leader sent.
    const claimed = m.prevLogIndex + m.entries.length;
    return { ...r, messages: r.messages.map((x) => (x.type === 'AppendEntriesReply' && x.success ? { ...x, matchIndex: claimed } : x)) };
  }),
};

export const followerCommitWithoutMin: Mutant = {
  name: 'follower-commit-without-min',
  description:
    'A follower takes commitIndex = min(leaderCommit, its log length) from every current-term AppendEntries, before and ' +
    'regardless of the consistency check, instead of min(leaderCommit, index of last new entry) after it. (Without the ' +
    'check-skipping the missing min is harmless here: this leader always sends to the end of its log, so leaderCommit ' +
    '<= last new entry on every request it sends.)',
  breaks: 'StateMachineSafety',
  bounds: { maxTerm: 3, maxLog: 1, maxCommands: 2, maxCrashes: 0, duplicate: false },
  reducer: withStep((state, input) => {
    const m = received(input);
    const r = step(state, input);
    if (m?.type !== 'AppendEntries' || m.term < state.currentTerm) return r;
    const commitIndex = Math.min(m.leaderCommit, lastLogIndex(r.state));
    return commitAndApply(r, commitIndex, Math.max(commitIndex, r.state.lastApplied));
  }),
};

export const matchIndexFromLogLength: Mutant = {
  name: 'matchIndex-from-log-length',
  description: 'On a successful reply the leader sets matchIndex to its own log length rather than what the reply acknowledged.',
  breaks: 'CommittedSurvivesCrash',
  bounds: REPLICATION_BOUNDS,
  reducer: rewritingReceived((m, state) =>
    m.type === 'AppendEntriesReply' && m.success && state.role === 'leader' ? { ...m, matchIndex: lastLogIndex(state) } : null),
};

export const staleRepliesMoveIndices: Mutant = {
  name: 'stale-replies-change-nextIndex',
  description: 'The leader acts on AppendEntries replies from older terms, moving nextIndex/matchIndex on stale news.',
  breaks: 'StaleRepliesIgnored',
  bounds: { maxTerm: 3, maxLog: 1, maxCommands: 1, maxCrashes: 0, maxMessages: 3, duplicate: false, crashMidStep: false },
  reducer: rewritingReceived((m, state) =>
    m.type === 'AppendEntriesReply' && m.term < state.currentTerm && state.role === 'leader' ? { ...m, term: state.currentTerm } : null),
};

export const followerCommitIndexLowered: Mutant = {
  name: 'follower-commit-index-lowered',
  description: 'A follower sets commitIndex = min(leaderCommit, index of last new entry) on every accepted AppendEntries, even when that is lower than its commitIndex (a stale or reordered request lowers it).',
  breaks: 'CommitIndexNeverDecreases',
  bounds: REPLICATION_BOUNDS,
  reducer: withStep((state, input) => {
    const m = received(input);
    const r = step(state, input);
    if (m?.type !== 'AppendEntries' || m.term < state.currentTerm || r.state.role === 'leader') return r;
    const lowered = Math.min(m.leaderCommit, m.prevLogIndex + m.entries.length);
    if (lowered >= r.state.commitIndex || lowered < r.state.lastIncludedIndex) return r;
    return { ...r, state: produce(r.state, (d) => { d.commitIndex = lowered; }) };
  }),
};
