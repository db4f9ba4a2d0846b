import { describe, expect, it } from 'vitest';
import { explore } from '../../model/engine/index.js';
import type { RaftAction } from '../../model/raft/actions.js';
import { createModel } from '../../model/raft/model.js';
import { replayTrace } from '../../model/raft/replay-trace.js';
import type { SystemState } from '../../model/raft/system.js';
import { MUTANTS, mutantVariant } from '../../model/mutants/index.js';
import { toTraceFile } from '../../model/report/write-trace.js';

/**
 * Every invariant can fail: each mutant breaks one core rule, and the exhaustive checker, run at
 * the mutant's own small bounds, must report the invariant the catalog expects, with a trace
 * that replays through the core; and the production core, explored breadth-first at the same
 * bounds to the depth of that trace (every behaviour of that many steps), breaks nothing, so the
 * violation is the mutant's and not the bound's. Each safety mutant is also caught with
 * partial-order reduction on, at the same depth (the "same verdict on every catalog mutant" of
 * engine/por.ts).
 */
describe('the mutant catalog', () => {
  it('has at least 15 mutants, each with a distinct name and an invariant it is expected to break', () => {
    expect(MUTANTS.length).toBeGreaterThanOrEqual(15);
    expect(new Set(MUTANTS.map((m) => m.name)).size).toBe(MUTANTS.length);
    const live = createModel({ liveness: true });
    const names = new Set([...live.invariants, ...(live.recoverable ?? [])].map((i) => i.name));
    for (const m of MUTANTS) expect(names.has(m.breaks), `${m.name} breaks ${m.breaks}`).toBe(true);
  });

  for (const m of MUTANTS) {
    it(`${m.name} is caught: ${m.breaks}`, { timeout: 300_000 }, async () => {
      const model = createModel({ variant: mutantVariant(m.name), ...(m.bounds ? { bounds: m.bounds } : {}), ...(m.liveness === true ? { liveness: true } : {}) });
      const r = await explore<SystemState, RaftAction>(model, { maxStates: 400_000 });
      expect(r.result).toBe('violation');
      if (m.liveness === true) {
        // A stuck state is not a fact of one state that a replay can recheck: the trace leads to it, and P fails there.
        const v = r.violations.find((x) => x.invariant === m.breaks)!;
        expect(v, r.violations.map((x) => x.invariant).join()).toBeDefined();
        expect(model.recoverable!.find((p) => p.name === m.breaks)!.holds(v.trace[v.trace.length - 1]!.state)).toBe(false);
        return;
      }
      expect(r.violation!.invariant).toBe(m.breaks);
      const trace = toTraceFile(model, m.name, true, r.violation!.invariant, r.violation!.trace);
      expect(replayTrace(JSON.parse(JSON.stringify(trace)), mutantVariant(m.name))).toMatchObject({ ok: true, invariantBroken: m.breaks });
      // Partial-order reduction (engine/por.ts) prunes transitions, never states: the same
      // violation at the same depth, with a trace that replays.
      const reduced = await explore<SystemState, RaftAction>(model, { maxStates: 400_000, partialOrder: true });
      expect(reduced.violation?.invariant, 'with --por on').toBe(m.breaks);
      expect(reduced.violation!.path.length, 'with --por on').toBe(r.violation!.path.length);
      const reducedTrace = toTraceFile(model, m.name, true, m.breaks, reduced.violation!.trace);
      expect(replayTrace(JSON.parse(JSON.stringify(reducedTrace)), mutantVariant(m.name))).toMatchObject({ ok: true, invariantBroken: m.breaks });
      const correct = await explore<SystemState, RaftAction>(createModel({ ...(m.bounds ? { bounds: m.bounds } : {}) }), { maxDepth: r.violation!.trace.length });
      expect(correct.violation?.invariant, `the production core at ${m.name}'s bounds`).toBeUndefined();
      expect(correct.result === 'ok' || correct.stoppedBy === 'maxDepth', `${correct.result} ${correct.stoppedBy ?? ''}`).toBe(true);
    });
  }
});
