import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from '../../model/cli/args.js';
import { explore } from '../../model/engine/index.js';
import type { RaftAction } from '../../model/raft/actions.js';
import { createModel } from '../../model/raft/model.js';
import { replayTrace } from '../../model/raft/replay-trace.js';
import type { SystemState } from '../../model/raft/system.js';
import { MUTANTS, mutantVariant } from '../../model/mutants/index.js';
import { toTraceFile } from '../../model/report/write-trace.js';

/**
 * Partial-order reduction on Raft (model/raft/independence.ts through engine/por.ts) prunes
 * transitions, never states: the same distinct states and goals at a small bound, with and
 * without symmetry, and the same verdict, at the same depth, on every catalog mutant. (The
 * Figure 8 mutant needs 2.7M states: bench/por-mutants.ts runs the whole catalog, it included.)
 */
const SMALL = { maxTerm: 1, maxCommands: 1, maxLog: 1, maxMessages: 2 };
const HEAVY = new Set(['commit-previous-term-by-counting']);

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

  // Liveness mutants are caught by the recoverability check, which needs every edge: it never runs with POR.
  for (const m of MUTANTS.filter((x) => !HEAVY.has(x.name) && x.liveness !== true)) {
    it(`${m.name}: the same violation, at the same depth, with a trace that replays`, { timeout: 300_000 }, async () => {
      const model = () => createModel({ variant: mutantVariant(m.name), ...(m.bounds ? { bounds: m.bounds } : {}) });
      const plain = await explore<SystemState, RaftAction>(model(), { maxStates: 400_000 });
      const reduced = await explore<SystemState, RaftAction>(model(), { maxStates: 400_000, partialOrder: true });
      expect(reduced.result).toBe(plain.result);
      expect(reduced.violation?.invariant).toBe(m.breaks);
      expect(reduced.violation!.path.length).toBe(plain.violation!.path.length);
      const trace = toTraceFile(model(), m.name, true, reduced.violation!.invariant, reduced.violation!.trace);
      expect(replayTrace(JSON.parse(JSON.stringify(trace)), mutantVariant(m.name))).toMatchObject({ ok: true, invariantBroken: m.breaks });
    });
  }

  it('check --por on|off: off by default, anything else a usage error', () => {
    expect(parseArgs([]).partialOrder).toBe(false);
    expect(parseArgs(['--por', 'on']).partialOrder).toBe(true);
    expect(parseArgs(['--por=off']).partialOrder).toBe(false);
    expect(() => parseArgs(['--por', 'maybe'])).toThrow(UsageError);
  });
});
