import { describe, expect, it } from 'vitest';
import { mutantOptions } from '../../model/mutants/index.js';
import { replayTrace } from '../../model/raft/replay-trace.js';
import { INVARIANTS } from '../../model/raft/invariants.js';
import { type TraceFile, upgradeTrace } from '../../model/report/trace-file.js';
import { explain } from '../../web/shared/culprits.js';
import { replay, shownState } from '../../web/explorer/replay.js';
import { committedTraces, readTrace, tamperedTerm } from './traces.js';

/**
 * The explorer's replay and its red outlines, without a browser: the same modules the page
 * bundles, on every committed counterexample.
 */

const traces = committedTraces();

describe('explorer replay (web/explorer/replay.ts)', () => {
  it('there are committed traces to test on', () => {
    expect(traces.length).toBeGreaterThanOrEqual(30);
  });

  it.each(traces.map((t) => [t.path, t.trace] as const))('%s: every step agrees, as model/raft replayTrace says', (_, trace) => {
    const r = replay(trace);
    expect(r.outcome).toEqual(replayTrace(trace, mutantOptions(trace.mutant).variant));
    expect(r.outcome.ok).toBe(true);
    expect(r.firstDisagreement).toBeNull();
    expect(r.steps.map((s) => s.status)).toEqual(trace.steps.map(() => 'agrees'));
    // The last state shown breaks exactly the recorded invariant; no earlier one breaks any.
    const last = r.invariants[trace.steps.length]!;
    expect(last.filter((c) => !c.holds).map((c) => c.name)).toContain(trace.invariant);
    for (const checks of r.invariants.slice(0, -1)) expect(checks.every((c) => c.holds)).toBe(true);
  });

  it('a recorded state the core cannot produce: the first disagreeing step is named, later steps are not replayed', () => {
    const trace = tamperedTerm(readTrace('reports/mutants/no-up-to-date-check/exhaustive/trace.json'), 3, 0);
    const r = replay(trace);
    expect(r.outcome).toMatchObject({ ok: false, step: 3 });
    expect(r.firstDisagreement).toBe(3);
    expect(r.steps.map((s) => s.status).slice(0, 4)).toEqual(['agrees', 'agrees', 'differs', 'not-replayed']);
    expect(shownState(r, 3)).toBe(trace.steps[2]!.state); // the page shows what the file says from there on
  });

  it('an unknown mutant is a disagreement at step 0, not a crash', () => {
    const trace = { ...readTrace('reports/mutants/no-up-to-date-check/exhaustive/trace.json'), mutant: 'no-such-mutant' };
    const r = replay(trace);
    expect(r.outcome).toMatchObject({ ok: false, step: 0 });
    expect(r.outcome.ok || r.outcome.reason).toMatch(/unknown mutant 'no-such-mutant'/);
    expect(r.firstDisagreement).toBe(0);
  });
});

describe('what breaks an invariant: the findings the page outlines (web/shared/culprits.ts)', () => {
  const lastFinding = (trace: TraceFile) => {
    const r = replay(trace);
    return r.invariants[trace.steps.length]!.find((c) => c.name === trace.invariant)!.finding!;
  };

  it.each(traces.map((t) => [t.path, t.trace] as const))('%s: the replayed final state names at least one culprit server and says why', (_, trace) => {
    const f = lastFinding(trace);
    expect(f.invariant).toBe(trace.invariant);
    const e = explain([f]);
    expect(e.culprits.length).toBeGreaterThan(0);
    expect(e.notes).toEqual([f.sentence]);
    expect(f.sentence.length).toBeGreaterThan(0);
    for (const c of e.culprits) expect(c.server).toBeLessThan(trace.bounds.servers);
    for (const s of f.servers) expect(s).toBeLessThan(trace.bounds.servers);
  });

  it('nothing is found where the invariants hold', () => {
    const trace = readTrace('reports/mutants/no-up-to-date-check/exhaustive/trace.json');
    expect(INVARIANTS.map((inv) => inv.check(trace.initial))).toEqual(INVARIANTS.map(() => null));
  });

  it('LeaderCompleteness (no-up-to-date-check): the new leader lacks the committed entry, drawn as missing', () => {
    const f = lastFinding(readTrace('reports/mutants/no-up-to-date-check/exhaustive/trace.json'));
    expect(f).toEqual({
      invariant: 'LeaderCompleteness', servers: [1], indices: [1], terms: [2, 1],
      places: [{ server: 1, field: 'log', index: 1, expected: { term: 1, command: 1 } }],
      sentence: 's1, leader of term 2, holds nothing at index 1, where 1:1 was committed in term 1',
    });
  });

  it('ElectionSafety (second-vote-in-term): both leaders of the term, as the step property found them', () => {
    const f = lastFinding(readTrace('reports/mutants/second-vote-in-term/exhaustive/trace.json'));
    expect(explain([f]).culprits).toEqual([{ server: 0, field: 'role' }, { server: 2, field: 'role' }]);
    expect(f.sentence).toBe('s0 and s2 were both elected leader in term 1');
  });

  it('a trace written before findings (a breach with a detail) still shows its sentence', () => {
    const trace = readTrace('reports/mutants/second-vote-in-term/exhaustive/trace.json');
    const last = trace.steps[trace.steps.length - 1]!;
    const old = { ...trace, steps: [...trace.steps.slice(0, -1), { ...last, state: { ...last.state, breach: { invariant: 'ElectionSafety', detail: 'servers 0 and 2 were both elected leader in term 1' } } }] } as unknown as TraceFile;
    const upgraded = upgradeTrace(old).steps[trace.steps.length - 1]!.state.breach!;
    expect(upgraded).toEqual({ invariant: 'ElectionSafety', servers: [], indices: [], terms: [], places: [], sentence: 'servers 0 and 2 were both elected leader in term 1' });
    expect(replay(old).outcome.ok).toBe(true);
  });
});
