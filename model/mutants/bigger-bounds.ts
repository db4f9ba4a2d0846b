import { isAtLeastAsUpToDate, lastLogIndex, lastLogTerm, step, type RaftState, type RequestVoteReply } from '../../src/core/index.js';
import { castDraft, produce } from 'immer';
import type { Mutant } from './mutant.js';
import { received, receive, repersist, rewritingReceived, withStep } from './wrap.js';

/**
 * Realistic one-line bugs written to find what the old default bound (3 servers, 2 terms, 2
 * client commands, 2 messages in flight) misses. overwrite-without-truncating needs a third
 * command and vote-majority-by-half a fourth server: both pass the old default's two passes
 * (measured), so the default check has a pass with each.
 */

/**
 * §5.4.1 written as two independent comparisons: a candidate is "at least as up-to-date" when its
 * last term OR its length is at least ours, so a longer log of an older term wins the vote. (It
 * was written expecting to need a third term; the old default bound already catches it, with two
 * entries of term 1 against one of term 2, so it needs no bounds of its own.)
 */
export const upToDateTermOrLength: Mutant = {
  name: 'up-to-date-term-or-length',
  description: 'The up-to-date check grants the vote when the candidate\'s last term is at least ours OR its log is at least as long, instead of comparing last terms first (§5.4.1).',
  breaks: 'LeaderCompleteness',
  reducer: rewritingReceived((m, state) => {
    if (m.type !== 'RequestVote') return null;
    const buggy = m.lastLogTerm >= lastLogTerm(state) || m.lastLogIndex >= lastLogIndex(state);
    // The bug grants more than the rule, never less: rewrite only the requests it wrongly grants.
    return buggy && !isAtLeastAsUpToDate(m.lastLogTerm, m.lastLogIndex, state) ? { ...m, lastLogTerm: Number.MAX_SAFE_INTEGER } : null;
  }),
};

/**
 * Figure 2, AppendEntries step 3 ("if an existing entry conflicts with a new one, delete the
 * existing entry and all that follow it") done as an in-place overwrite: the leader's entries are
 * written at their indices and whatever the follower held after them stays. Showing it takes a
 * third command: two entries of term 1 on a deposed leader, a different first entry from the
 * leader of term 2, and the stale second entry of term 1 left behind one of term 2.
 */
export const overwriteWithoutTruncating: Mutant = {
  name: 'overwrite-without-truncating',
  description: 'A follower writes the leader\'s entries over its own at their indices and keeps whatever of its log follows them, instead of deleting the conflicting entry and all that follow it (Figure 2, AppendEntries step 3).',
  breaks: 'LogTermsNonDecreasing',
  bounds: { maxTerm: 2, maxLog: 2, maxCommands: 3, maxCrashes: 0, maxSnapshots: 0, duplicate: false },
  reducer: withStep((state, input) => {
    const r = step(state, input);
    const m = received(input);
    if (m?.type !== 'AppendEntries' || r.state.lastIncludedIndex !== state.lastIncludedIndex) return r;
    const end = m.prevLogIndex + m.entries.length;
    // The core truncated the follower's log to the leader's entries: put back what followed them.
    if (lastLogIndex(r.state) !== end || lastLogIndex(state) <= end || end < state.lastIncludedIndex) return r;
    const kept = state.log.slice(end - state.lastIncludedIndex);
    const restored = produce(r.state, (d) => { d.log.push(...castDraft(kept)); });
    return repersist(state, { ...r, state: restored });
  }),
};

/**
 * The vote count compared with half the cluster rounded up (`votes >= Math.ceil(n / 2)`) instead
 * of a strict majority. At 3 or 5 servers the two agree; at 4, two votes elect a leader, and two
 * disjoint pairs elect two leaders in one term. Showing it takes a fourth server.
 */
export const voteMajorityByHalf: Mutant = {
  name: 'vote-majority-by-half',
  description: 'A candidate wins with votes >= ceil(n/2) instead of a strict majority (floor(n/2) + 1): the same at odd cluster sizes, two leaders in one term at 4 servers.',
  breaks: 'ElectionSafety',
  bounds: { servers: 4, maxTerm: 1, maxLog: 0, maxCommands: 0, maxCrashes: 0, maxSnapshots: 0, maxMessages: 3, duplicate: false, crashMidStep: false },
  reducer: withStep((state, input) => {
    const r = step(state, input);
    const m = received(input);
    const s = r.state;
    if (m?.type !== 'RequestVoteReply' || s.role !== 'candidate' || s.clusterSize % 2 !== 0) return r;
    if (countGranted(s) < Math.ceil(s.clusterSize / 2)) return r;
    // Miscounted: the candidate behaves as if one more vote had come in, from a server that gave none.
    const absent = firstNonVoter(s);
    if (absent === null) return r;
    const vote: RequestVoteReply = { type: 'RequestVoteReply', term: s.currentTerm, from: absent, to: s.id, voteGranted: true };
    const won = step(s, receive(vote));
    return repersist(state, { state: won.state, messages: [...r.messages, ...won.messages], persist: null, apply: [...r.apply, ...won.apply], timers: [...r.timers, ...won.timers] });
  }),
};

function countGranted(s: RaftState): number {
  let n = 0;
  for (const v of s.votesGranted) if (v) n++;
  return n;
}

function firstNonVoter(s: RaftState): number | null {
  for (let i = 0; i < s.clusterSize; i++) if (i !== s.id && s.votesGranted[i] !== true) return i;
  return null;
}
