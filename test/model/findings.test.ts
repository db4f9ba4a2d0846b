import { describe, expect, it } from 'vitest';
import { initialState, operations, type ApplyMsg, type Input, type LogEntry, type RaftState, type StepResult } from '../../src/core/index.js';
import { INVARIANTS } from '../../model/raft/invariants.js';
import {
  AppliedCommandsAgree, CommittedEntriesAgree, HigherTermAdopted, LeaderAppendOnly, OneLeaderElectedPerTerm, STEP_PROPERTIES, StaleRepliesIgnored,
  type ServerStep, stepFinding,
} from '../../model/raft/step-properties.js';
import { initialSystem, type SystemState } from '../../model/raft/system.js';

/**
 * Invariants and step properties explain themselves: each returns a structured finding (the
 * rule, servers, indices, terms, the places to outline, and a sentence made from them), or null
 * while it holds. Small hand-built states and steps, one rule broken in each.
 */

const e = (term: number, command: number): LogEntry => ({ term, command });
const leader = (id: number, term: number, log: readonly LogEntry[], commitIndex = 0): RaftState => ({
  ...initialState(id, 3), role: 'leader', currentTerm: term, log, commitIndex, nextIndex: [1, 1, 1], matchIndex: [0, 0, 0],
});
const result = (state: RaftState, apply: readonly ApplyMsg[] = []): StepResult => ({ state, messages: [], persist: null, apply, timers: [] });

function stepOf(p: { system?: SystemState; server?: number; input?: Input; before: RaftState; result: StepResult }): ServerStep {
  const ops = operations(p.result);
  return {
    system: p.system ?? initialSystem(3), server: p.server ?? p.before.id, input: p.input ?? { type: 'HeartbeatTick' },
    before: p.before, result: p.result, operations: ops, carried: ops.length, applied: p.system?.applied ?? [],
  };
}

describe('step properties: rules only a transition can break', () => {
  it('a step that breaks nothing finds nothing', () => {
    const before = leader(0, 1, [e(1, 1)]);
    const s = stepOf({ before, result: result({ ...before, log: [e(1, 1), e(1, 2)] }) });
    expect(STEP_PROPERTIES.map((p) => p.check(s))).toEqual(STEP_PROPERTIES.map(() => null));
    expect(stepFinding(s)).toBeNull();
  });

  it('LeaderAppendOnly: a leader that rewrites an entry of its term', () => {
    const before = leader(1, 2, [e(1, 1), e(2, 2)]);
    const f = LeaderAppendOnly.check(stepOf({ before, result: result({ ...before, log: [e(1, 1), e(2, 3)] }) }));
    expect(f).toEqual({
      invariant: 'LeaderAppendOnly', servers: [1], indices: [2], terms: [2],
      places: [{ server: 1, field: 'log', index: 2, expected: e(2, 2) }],
      sentence: 'leader s1 of term 2 rewrote its entry 2:2 at index 2 (now 2:3)',
    });
    expect(LeaderAppendOnly.check(stepOf({ before, result: result({ ...before, log: [e(1, 1)] }) }))?.sentence)
      .toBe('leader s1 of term 2 removed its entry 2:2 at index 2');
  });

  it('OneLeaderElectedPerTerm: a second server elected in a term (the first may have crashed since)', () => {
    const system = { ...initialSystem(3), elected: [-1, 0] };
    const before: RaftState = { ...initialState(2, 3), role: 'candidate', currentTerm: 1 };
    const f = OneLeaderElectedPerTerm.check(stepOf({ system, before, result: result(leader(2, 1, [])) }));
    expect(f).toMatchObject({ invariant: 'ElectionSafety', servers: [0, 2], terms: [1], sentence: 's0 and s2 were both elected leader in term 1' });
    expect(f?.places).toEqual([{ server: 0, field: 'role' }, { server: 2, field: 'role' }]);
  });

  it('HigherTermAdopted: a message of a higher term that leaves the receiver in its term', () => {
    const before = { ...initialState(0, 3), currentTerm: 1 };
    const input: Input = { type: 'Receive', message: { type: 'RequestVoteReply', from: 2, to: 0, term: 3, voteGranted: false } };
    expect(HigherTermAdopted.check(stepOf({ before, input, result: result(before) }))).toEqual({
      invariant: 'HigherTermAdopted', servers: [0, 2], indices: [], terms: [3, 1],
      places: [{ server: 0, field: 'currentTerm' }],
      sentence: 's0 received RequestVoteReply of term 3 from s2 and stayed in term 1',
    });
  });

  it('StaleRepliesIgnored: a reply of an older term that changes the receiver', () => {
    const before: RaftState = { ...initialState(0, 3), role: 'candidate', currentTerm: 2, votesGranted: [true, false, false] };
    const input: Input = { type: 'Receive', message: { type: 'RequestVoteReply', from: 1, to: 0, term: 1, voteGranted: true } };
    const f = StaleRepliesIgnored.check(stepOf({ before, input, result: result({ ...before, votesGranted: [true, true, false] }) }));
    expect(f).toMatchObject({ invariant: 'StaleRepliesIgnored', servers: [0, 1], sentence: 's0 in term 2 acted on a RequestVoteReply of term 1 from s1' });
    expect(StaleRepliesIgnored.check(stepOf({ before, input, result: result(before) }))).toBeNull();
  });

  it('AppliedCommandsAgree: applying another command at an applied index, or past the next one', () => {
    const system = { ...initialSystem(3), applied: [1] };
    const before = { ...initialState(1, 3), log: [e(1, 2)] };
    const conflict = AppliedCommandsAgree.check(stepOf({ system, before, result: result({ ...before, commitIndex: 1, lastApplied: 1 }, [{ commandValid: true, command: 2, commandIndex: 1 }]) }));
    expect(conflict).toEqual({
      invariant: 'StateMachineSafety', servers: [1], indices: [1], terms: [],
      places: [{ server: 1, field: 'commitIndex' }, { server: 1, field: 'log', index: 1 }],
      sentence: 's1 applied 2 at index 1, where 1 was applied before',
    });
    const gap = AppliedCommandsAgree.check(stepOf({ system, before, result: result(before, [{ commandValid: true, command: 3, commandIndex: 3 }]) }));
    expect(gap?.sentence).toBe('s1 applied index 3 before any server applied index 2');
    // Its own stream goes on from its lastApplied: the same command again is no news either.
    const applied1 = { ...before, commitIndex: 1, lastApplied: 1 };
    const again = AppliedCommandsAgree.check(stepOf({ system, before: applied1, result: result(applied1, [{ commandValid: true, command: 1, commandIndex: 1 }]) }));
    expect(again?.sentence).toBe('s1 applied index 1 next, after index 1');
  });

  it('AppliedCommandsAgree: a snapshot applied only past lastApplied, holding what was applied there', () => {
    const system = { ...initialSystem(3), applied: [1, 2] };
    const before = { ...initialState(1, 3), log: [e(1, 1), e(1, 2)], commitIndex: 1, lastApplied: 1 };
    const install = (index: number, snapshot: readonly LogEntry[]): ApplyMsg => ({ snapshotValid: true, snapshot, snapshotTerm: 1, snapshotIndex: index });
    const back = AppliedCommandsAgree.check(stepOf({ system, before, result: result(before, [install(1, [e(1, 1)])]) }));
    expect(back?.sentence).toBe('s1 applied a snapshot through index 1 after applying index 1');
    const other = AppliedCommandsAgree.check(stepOf({ system, before, result: result(before, [install(2, [e(1, 1), e(1, 9)])]) }));
    expect(other?.sentence).toBe('s1 applied a snapshot holding 1:9 at index 2, where 2 was applied before');
    const fine = AppliedCommandsAgree.check(stepOf({ system, before, result: result(before, [install(2, [e(1, 1), e(1, 2)])]) }));
    expect(fine).toBeNull();
    // After a snapshot through 2, the next command is 3.
    const skip = AppliedCommandsAgree.check(stepOf({ system: { ...system, applied: [1, 2, 3, 4] }, before, result: result(before, [install(2, [e(1, 1), e(1, 2)]), { commandValid: true, command: 4, commandIndex: 4 }]) }));
    expect(skip?.sentence).toBe('s1 applied index 4 next, after index 2');
  });

  it('CommittedEntriesAgree: a leader committing another entry at an index committed before', () => {
    const system = { ...initialSystem(3), committed: [{ term: 1, command: 1, commitTerm: 1 }] };
    const before = leader(2, 2, [e(2, 5)]);
    const f = CommittedEntriesAgree.check(stepOf({ system, before, result: result({ ...before, commitIndex: 1 }) }));
    expect(f).toMatchObject({ invariant: 'StateMachineSafety', servers: [2], indices: [1], sentence: 'leader s2 of term 2 committed 2:5 at index 1, where 1:1 was committed before' });
    expect(f?.places).toContainEqual({ server: 2, field: 'log', index: 1, expected: e(1, 1) });
  });
});

describe('invariants: null while they hold, a finding when they break', () => {
  const named = (name: string) => INVARIANTS.find((i) => i.name === name)!;

  it('every invariant holds on the initial state', () => {
    expect(INVARIANTS.map((i) => i.check(initialSystem(3)))).toEqual(INVARIANTS.map(() => null));
  });

  it('a recorded step finding is what the invariant of its rule reports, and only that one', () => {
    const breach = { invariant: 'LeaderAppendOnly', servers: [1], indices: [], terms: [2], places: [], sentence: 'x' };
    const s = { ...initialSystem(3), breach };
    expect(INVARIANTS.filter((i) => i.check(s) !== null).map((i) => i.name)).toEqual(['LeaderAppendOnly']);
    expect(named('LeaderAppendOnly').check(s)).toBe(breach);
  });

  it('ElectionSafety: two leaders of one term', () => {
    const s0 = initialSystem(3);
    const s = { ...s0, servers: s0.servers.map((slot, id) => (id === 1 ? slot : { ...slot, state: leader(id, 1, []) })) };
    expect(named('ElectionSafety').check(s)).toEqual({
      invariant: 'ElectionSafety', servers: [0, 2], indices: [], terms: [1],
      places: [{ server: 0, field: 'role' }, { server: 2, field: 'role' }], sentence: 's0 and s2 are both leaders of term 1',
    });
  });

  it('PersistedMatchesMemory and CommittedSurvivesCrash: a log entry in memory only', () => {
    const s0 = initialSystem(3);
    const servers = s0.servers.map((slot, id) => (id === 0 ? { ...slot, state: { ...slot.state!, log: [e(1, 7)] } } : slot));
    expect(named('PersistedMatchesMemory').check({ ...s0, servers })).toMatchObject({
      servers: [0], indices: [1], sentence: 's0 holds 1:7 at index 1 in memory, nothing on disk',
      places: [{ server: 0, field: 'log', index: 1 }, { server: 0, field: 'disk', index: 1, expected: e(1, 7) }],
    });
    expect(named('CommittedSurvivesCrash').check({ ...s0, applied: [7] })).toMatchObject({
      servers: [0, 1, 2], indices: [1], sentence: 'command 7 was applied at index 1 but is on 0 of 3 disks (a majority is 2): missing on s0, s1, s2',
    });
  });
});
