import { produce } from 'immer';
import { operations, step, type ApplyMsg } from '../../src/core/index.js';
import type { Mutant } from './mutant.js';

/** Figure 8: the leader commits any entry replicated on a majority, whatever its term. */
export const commitPreviousTermByCounting: Mutant = {
  name: 'commit-previous-term-by-counting',
  description: 'The leader advances commitIndex over an entry of an earlier term by counting replicas (Figure 8).',
  breaks: 'LeaderCompleteness',
  bounds: { maxTerm: 4, maxLog: 1, maxCommands: 2, maxCrashes: 0, maxMessages: 2, duplicate: false },
  reducer: {
    operations,
    step: (state, input) => {
      const r = step(state, input);
      const s = r.state;
      if (s.role !== 'leader') return r;
      let n = s.log.length;
      while (n > s.commitIndex && s.matchIndex.filter((m) => m >= n).length * 2 <= s.clusterSize) n--;
      if (n <= s.commitIndex) return r;
      const apply: ApplyMsg[] = [...r.apply];
      for (let i = s.lastApplied + 1; i <= n; i++) apply.push({ commandValid: true, command: s.log[i - 1]!.command, commandIndex: i });
      const next = produce(s, (d) => {
        d.commitIndex = n;
        d.lastApplied = n;
      });
      return { ...r, state: next, apply };
    },
  },
};
