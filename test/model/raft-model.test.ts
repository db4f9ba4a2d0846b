import { describe, expect, it } from 'vitest';
import { explore } from '../../model/engine/index.js';
import type { RaftAction } from '../../model/raft/actions.js';
import { mutantOptions, mutantVariant } from '../../model/mutants/index.js';
import { createModel, type RaftModelOptions } from '../../model/raft/model.js';
import { replayTrace } from '../../model/raft/replay-trace.js';
import type { SystemState } from '../../model/raft/system.js';
import { toTraceFile } from '../../model/report/write-trace.js';

async function check(options: RaftModelOptions) {
  const model = createModel(options);
  const result = await explore<SystemState, RaftAction>(model, {});
  return { model, result };
}

describe('the Raft model on the production core', () => {
  it('holds every invariant and reaches every goal at small bounds (with a crash and restart)', async () => {
    const { result } = await check({ bounds: { maxTerm: 2, maxLog: 1, maxCrashes: 1, maxMessages: 2 } });
    expect(result.result).toBe('ok');
    expect(result.goals.filter((g) => !g.reached).map((g) => g.name)).toEqual([]);
    expect(result.distinctStates).toBeGreaterThan(10_000);
  });

  it('finds the same states with and without symmetry, up to relabelling', async () => {
    const bounds = { maxTerm: 1, maxLog: 1, maxCrashes: 0, maxMessages: 2 };
    const sym = await check({ bounds, symmetry: true });
    const plain = await check({ bounds, symmetry: false });
    expect(sym.result.result).toBe('ok');
    expect(plain.result.result).toBe('ok');
    // Each symmetry class holds at most 3! = 6 states; the reduction must be real.
    expect(sym.result.distinctStates).toBeLessThan(plain.result.distinctStates);
    expect(sym.result.distinctStates * 6).toBeGreaterThanOrEqual(plain.result.distinctStates);
  });

  it('gives the same verdict and state count with the step memo on and off', async () => {
    const bounds = { maxTerm: 2, maxLog: 1, maxCrashes: 0, maxMessages: 2 };
    const on = await check({ bounds, memo: true });
    const off = await check({ bounds, memo: false });
    expect(on.result.distinctStates).toBe(off.result.distinctStates);
    expect(on.result.generatedStates).toBe(off.result.generatedStates);
  });
});

describe('the Raft model with the core capping entries per AppendEntries', () => {
  it('holds every invariant with maxEntriesPerAppend 1, and the cap changes what is reachable', async () => {
    const bounds = { maxTerm: 2, maxLog: 2, maxCommands: 2, maxCrashes: 0, maxMessages: 2 };
    const capped = await check({ bounds: { ...bounds, maxEntriesPerAppend: 1 } });
    const uncapped = await check({ bounds });
    expect(capped.result.result).toBe('ok');
    expect(capped.result.goals.filter((g) => !g.reached).map((g) => g.name)).toEqual(['CommitAfterCrashRestart']); // no crashes here
    expect(capped.result.distinctStates).not.toBe(uncapped.result.distinctStates);
  });

  it('a cap out of range, or with a mutant (whose step ignores it), is refused', () => {
    expect(() => createModel({ bounds: { maxEntriesPerAppend: 0 } })).toThrow(/max-entries-per-append must be an integer in 1..50/);
    expect(() => createModel({ bounds: { maxEntriesPerAppend: 1 }, variant: mutantVariant('second-vote-in-term') })).toThrow(/not supported with mutant second-vote-in-term/);
  });
});

describe('counterexample traces', () => {
  it('a tampered trace does not replay', async () => {
    const { model, result } = await check(mutantOptions('no-up-to-date-check'));
    const trace = toTraceFile(model, 'no-up-to-date-check', true, result.violation!.invariant, result.violation!.trace);
    const tampered = JSON.parse(JSON.stringify(trace));
    tampered.steps[1].state.commandsIssued += 1;
    expect(replayTrace(tampered, mutantVariant('no-up-to-date-check'))).toMatchObject({ ok: false, step: 2 });
  });
});
