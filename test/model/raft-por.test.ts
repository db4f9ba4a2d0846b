import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from '../../model/cli/args.js';
import { explore } from '../../model/engine/index.js';
import type { RaftAction } from '../../model/raft/actions.js';
import { createModel } from '../../model/raft/model.js';
import type { SystemState } from '../../model/raft/system.js';

/**
 * Partial-order reduction on Raft (model/raft/independence.ts through engine/por.ts) prunes
 * transitions, never states: the same distinct states and goals at a small bound, with and
 * without symmetry, and the same verdict, at the same depth, on every catalog mutant (checked in
 * test/model/mutants.test.ts, next to each mutant's plain run; the Figure 8 mutant needs 2.7M
 * states breadth-first: bench/por-mutants.ts runs the whole catalog, it included).
 */
const SMALL = { maxTerm: 1, maxCommands: 1, maxLog: 1, maxMessages: 2 };

describe('partial-order reduction on the Raft model', () => {
  it.each([true, false])('symmetry %s: the same distinct states, depth and goal depths, fewer generated', async (symmetry) => {
    const plain = await explore<SystemState, RaftAction>(createModel({ bounds: SMALL, symmetry }));
    const reduced = await explore<SystemState, RaftAction>(createModel({ bounds: SMALL, symmetry }), { partialOrder: true });
    expect(reduced.partialOrder).toBe(true);
    expect(reduced.result).toBe('ok');
    expect(reduced.distinctStates).toBe(plain.distinctStates);
    expect(reduced.depth).toBe(plain.depth);
    expect(reduced.goals.map((g) => [g.name, g.path?.length])).toEqual(plain.goals.map((g) => [g.name, g.path?.length]));
    expect(reduced.generatedStates).toBeLessThan(plain.generatedStates * 0.8);
    expect(reduced.generatedStates + reduced.asleep).toBeGreaterThanOrEqual(plain.generatedStates);
  });

  // Every safety mutant of the catalog, with and without POR: test/model/mutants.test.ts.

  it('check --por on|off: off by default, anything else a usage error', () => {
    expect(parseArgs([]).partialOrder).toBe(false);
    expect(parseArgs(['--por', 'on']).partialOrder).toBe(true);
    expect(parseArgs(['--por=off']).partialOrder).toBe(false);
    expect(() => parseArgs(['--por', 'maybe'])).toThrow(UsageError);
  });
});
