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
    const { result } = await check({ bounds: { maxTerm: 2, maxLog: 1, maxCrashes: 1, maxMessages: 2, maxSnapshots: 0, duplicate: true } });
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
    const bounds = { maxTerm: 2, maxLog: 1, maxCrashes: 0, maxMessages: 2, preVote: false, checkQuorum: false };
    const on = await check({ bounds, memo: true });
    const off = await check({ bounds, memo: false });
    expect(on.result.distinctStates).toBe(off.result.distinctStates);
    expect(on.result.generatedStates).toBe(off.result.generatedStates);
  });
});

describe('the Raft model with the core capping entries per AppendEntries', () => {
  it('holds every invariant with maxEntriesPerAppend 1, and the cap changes what is reachable', async () => {
    const bounds = { maxTerm: 2, maxLog: 2, maxCommands: 2, maxCrashes: 0, maxMessages: 2, maxSnapshots: 0, preVote: false, checkQuorum: false };
    const capped = await check({ bounds: { ...bounds, maxEntriesPerAppend: 1 } });
    const uncapped = await check({ bounds });
    expect(capped.result.result).toBe('ok');
    expect(capped.result.goals.filter((g) => !g.reached).map((g) => g.name)).toEqual(['CommitAfterCrashRestart']); // no crashes here (and no snapshots: their goals are not asked)
    expect(capped.result.distinctStates).not.toBe(uncapped.result.distinctStates);
  });

  it('a cap out of range, or with a mutant (whose step ignores it), is refused', () => {
    expect(() => createModel({ bounds: { maxEntriesPerAppend: 0 } })).toThrow(/max-entries-per-append must be an integer in 1..50/);
    expect(() => createModel({ bounds: { maxEntriesPerAppend: 1 }, variant: mutantVariant('second-vote-in-term') })).toThrow(/not supported with mutant second-vote-in-term/);
  });
});

describe('crash and the network are independent moves (as in raft.tla)', () => {
  const model = createModel({ bounds: { maxTerm: 1, maxCrashes: 1, maxMessages: 4, duplicate: true, preVote: false, checkQuorum: false }, symmetry: false, memo: false });
  const take = (s: SystemState, f: (a: RaftAction) => boolean): SystemState => {
    const a = model.actions(s).find(f);
    if (!a) throw new Error('action not enabled');
    return model.next(s, a)!;
  };
  const requestVoteTo1 = (a: RaftAction): boolean => a.kind === 'Receive' && a.message.type === 'RequestVote' && a.message.to === 1 && !a.crashMidStep;

  it('a message in flight to a crashed server stays, undeliverable while it is down, deliverable after its restart', () => {
    const stood = take(model.initialStates()[0]!, (a) => a.kind === 'Timeout' && a.server === 0 && !a.crashMidStep);
    expect(stood.network.filter((m) => m.to === 1)).toHaveLength(1);
    const crashed = take(stood, (a) => a.kind === 'Crash' && a.server === 1);
    expect(crashed.network).toEqual(stood.network);
    expect(model.actions(crashed).some(requestVoteTo1)).toBe(false);
    expect(model.actions(crashed).some((a) => a.kind === 'DropMessage' && a.message.to === 1)).toBe(true);
    const restarted = take(crashed, (a) => a.kind === 'Restart' && a.server === 1);
    expect(take(restarted, requestVoteTo1).servers[1]!.state?.votedFor).toBe(0);
  });

  it('a crash mid-step loses what the step had not carried out, and leaves what was in flight to the server alone', () => {
    const s1Stood = take(model.initialStates()[0]!, (a) => a.kind === 'Timeout' && a.server === 1 && !a.crashMidStep);
    // s0 stands too, crashing after its first group of effects (the persist): its RequestVotes were never sent.
    const s = take(s1Stood, (a) => a.kind === 'Timeout' && a.server === 0 && a.crashMidStep);
    expect(s.servers[0]!.state).toBeNull();
    expect(s.servers[0]!.persisted).toMatchObject({ currentTerm: 1, votedFor: 0 });
    expect(s.network.filter((m) => m.from === 0)).toEqual([]);
    expect(s.network).toEqual(s1Stood.network); // s1's RequestVote to s0 is still in flight
    expect(s.network.some((m) => m.to === 0)).toBe(true);
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
