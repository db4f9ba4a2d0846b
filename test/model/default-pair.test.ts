import { describe, expect, it } from 'vitest';
import { DEFAULT_PASSES, worstExitCode } from '../../model/cli/default-pair.js';
import { parseArgs } from '../../model/cli/args.js';

describe('the default check: two passes side by side', () => {
  it('one pass checks snapshots with the plain election, the other PreVote and CheckQuorum without snapshots', () => {
    const passes = DEFAULT_PASSES.map((p) => parseArgs(p.flags));
    expect(passes.map((c) => [c.bounds.maxSnapshots, c.bounds.preVote, c.bounds.checkQuorum])).toEqual([[1, false, false], [0, true, true]]);
    // Everything else is the default bound of a single pass.
    const single = parseArgs([]);
    for (const c of passes) expect({ ...c.bounds, maxSnapshots: 0, preVote: true, checkQuorum: true }).toEqual({ ...single.bounds, maxSnapshots: 0, preVote: true, checkQuorum: true });
  });

  it('exits with the worst of the two: a violation, then incomplete or vacuous, then bad input', () => {
    expect(worstExitCode([0, 0])).toBe(0);
    expect(worstExitCode([0, 1])).toBe(1);
    expect(worstExitCode([3, 1])).toBe(1);
    expect(worstExitCode([2, 3])).toBe(3);
    expect(worstExitCode([0, 2])).toBe(2);
    expect(worstExitCode([0, 9])).toBe(9);
    // An internal error is exit 3 now (no 70): the check did not complete.
    expect(worstExitCode([2, 3])).toBe(3);
  });
});
