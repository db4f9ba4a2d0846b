import { lastLogIndex, step } from '../../src/core/index.js';
import type { Mutant } from './mutant.js';
import { commitAndApply, withStep } from './wrap.js';

export const commitPreviousTermByCounting: Mutant = {
  name: 'commit-previous-term-by-counting',
  description: 'The leader advances commitIndex over an entry of an earlier term by counting replicas (Figure 8).',
  breaks: 'LeaderCompleteness',
  // (No snapshots: Figure 8 needs four terms, and a snapshot would multiply their 2.7M states.)
  bounds: { maxTerm: 4, maxLog: 1, maxCommands: 2, maxCrashes: 0, maxMessages: 2, maxSnapshots: 0, duplicate: false },
  reducer: withStep((state, input) => {
    const r = step(state, input);
    const s = r.state;
    if (s.role !== 'leader') return r;
    let n = lastLogIndex(s);
    while (n > s.commitIndex && s.matchIndex.filter((m) => m >= n).length * 2 <= s.clusterSize) n--;
    return n > s.commitIndex ? commitAndApply(r, n, n) : r;
  }),
};

export const applyBeyondCommitIndex: Mutant = {
  name: 'apply-beyond-commitIndex',
  description: 'A server applies every entry in its log, not only those up to commitIndex.',
  breaks: 'CommittedSurvivesCrash',
  reducer: withStep((state, input) => {
    const r = step(state, input);
    return r.state.lastApplied < lastLogIndex(r.state) ? commitAndApply(r, r.state.commitIndex, lastLogIndex(r.state)) : r;
  }),
};
