import { describe, expect, it } from 'vitest';
import type { LogView } from '../../src/core/index.js';
import { logText, snapshotText } from '../../web/shared/format.js';
import { logChips } from '../../web/shared/log-chips.js';

const e = (term: number, command: number) => ({ term, command });
/** A log compacted through 7 (the entry at 7 of term 2), holding entries 8 and 9. */
const compacted: LogView = { lastIncludedIndex: 7, lastIncludedTerm: 2, log: [e(2, 8), e(3, 9)] };

describe('the log view: the snapshot boundary, then entries at their absolute indices', () => {
  it('draws a compacted prefix as one block "snapshot ..lastIncludedIndex (term T)" before the entries, numbered from lastIncludedIndex + 1', () => {
    const chips = logChips(compacted, { commitIndex: 8 });
    expect(chips[0]).toEqual({ kind: 'snapshot', lastIncludedIndex: 7, lastIncludedTerm: 2, text: 'snapshot ..7 (term 2)', isNew: false, culprit: false });
    expect(chips.slice(1).map((c) => (c.kind === 'entry' ? [c.index, c.entry.command, c.committed] : c.kind))).toEqual([[8, 8, true], [9, 9, false]]);
    expect(snapshotText(compacted)).toBe('snapshot ..7 (term 2)');
    expect(logText(compacted)).toBe('[≤7@t2 | 2:8 3:9]');
  });

  it('draws no block without a snapshot, and a block alone for a log compacted to its end', () => {
    expect(logChips({ lastIncludedIndex: 0, lastIncludedTerm: 0, log: [e(1, 1)] }).map((c) => c.kind)).toEqual(['entry']);
    expect(logChips({ lastIncludedIndex: 0, lastIncludedTerm: 0, log: [] })).toEqual([]);
    expect(logChips({ lastIncludedIndex: 4, lastIncludedTerm: 1, log: [] }).map((c) => c.kind)).toEqual(['snapshot']);
    expect(logText({ lastIncludedIndex: 4, lastIncludedTerm: 1, log: [] })).toBe('[≤4@t1 |]');
  });

  it('marks a new snapshot new, and not the entries it kept; an entry the earlier log had compacted is not new', () => {
    const before: LogView = { lastIncludedIndex: 0, lastIncludedTerm: 0, log: [e(1, 1), e(2, 7)] };
    const after: LogView = { lastIncludedIndex: 2, lastIncludedTerm: 2, log: [e(2, 8), e(3, 9)] };
    const at3: LogView = { lastIncludedIndex: 0, lastIncludedTerm: 0, log: [e(1, 1), e(2, 7), e(2, 8), e(3, 9)] };
    const chips = logChips(after, { previous: at3 });
    expect(chips.map((c) => (c.kind === 'missing' ? null : c.isNew))).toEqual([true, false, false]);
    expect(logChips(after, { previous: after }).map((c) => (c.kind === 'missing' ? null : c.isNew))).toEqual([false, false, false]);
    // The earlier log was compacted further than this one (a follower's view one step before an install): entries it had compacted are not new.
    expect(logChips(after, { previous: { lastIncludedIndex: 3, lastIncludedTerm: 2, log: [e(3, 9)] } }).map((c) => (c.kind === 'missing' ? null : c.isNew))).toEqual([true, false, false]);
    expect(logChips(compacted, { previous: before }).filter((c) => c.kind === 'entry').map((c) => c.kind === 'entry' && c.isNew)).toEqual([true, true]);
  });

  it('outlines the snapshot block when an invariant blames an index inside it, an entry by its absolute index, and draws a missing entry past lastLogIndex', () => {
    const chips = logChips(compacted, { highlight: new Set([3, 9]), expected: new Map([[9, e(2, 9)], [10, e(3, 10)]]) });
    expect(chips.map((c) => (c.kind === 'missing' ? `missing ${c.index}` : c.culprit))).toEqual([true, false, true, 'missing 10']);
    expect(logChips(compacted, { highlight: new Set([8]) })[0]).toMatchObject({ kind: 'snapshot', culprit: false });
  });
});
