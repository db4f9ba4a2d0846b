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
 * that replays through the core. Most are caught within a few thousand states; Figure 8 needs
 * four terms and 2.7M states (about 30 s), so it gets a budget of its own.
 */
const STATE_BUDGET: Record<string, number> = { 'commit-previous-term-by-counting': 3_000_000 };

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
      const r = await explore<SystemState, RaftAction>(model, { maxStates: STATE_BUDGET[m.name] ?? 400_000 });
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
    });
  }

  it('the production core breaks nothing in the first 400k states of the bounds that catch the mutants', async () => {
    const seen = new Set<string>();
    for (const m of MUTANTS) {
      if (!m.bounds || STATE_BUDGET[m.name] || seen.has(JSON.stringify(m.bounds))) continue;
      seen.add(JSON.stringify(m.bounds));
      const r = await explore<SystemState, RaftAction>(createModel({ bounds: m.bounds }), { maxStates: 400_000 });
      expect(r.violation?.invariant, JSON.stringify(m.bounds)).toBeUndefined();
      expect(['ok', 'incomplete'], JSON.stringify(m.bounds)).toContain(r.result);
    }
  });
});
