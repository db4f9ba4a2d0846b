import { lastLogIndex, step } from '../../src/core/index.js';
import type { Mutant } from './mutant.js';
import { commitAndApply, withStep } from './wrap.js';

export const commitPreviousTermByCounting: Mutant = {
  name: 'commit-previous-term-by-counting',
  description: 'The leader advances commitIndex over an entry of an earlier term by counting replicas (Figure 8).',
  // The rule it breaks, in the step that commits. The damage (LeaderCompleteness, a committed
  // entry missing from a later leader's log) takes four terms: see the README's Figure 8.
  breaks: 'CommitByCountingOnlyCurrentTerm',
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
