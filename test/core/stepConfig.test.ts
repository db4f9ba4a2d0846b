/** StepConfig.autoFreeze: each step's own choice, never a process-wide switch. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_STEP_CONFIG, step, type StepConfig } from '../../src/core/index.js';
import { electedLeader, receive, requestVote, server, start } from './helpers.js';

const OFF: StepConfig = { ...DEFAULT_STEP_CONFIG, autoFreeze: false };

describe('StepConfig.autoFreeze', () => {
  it('is on by default: the produced state is deep-frozen', () => {
    const r = step(server(1, { currentTerm: 1 }), receive(requestVote(0, 1, 2)));
    expect(r.state.currentTerm).toBe(2);
    expect(Object.isFrozen(r.state)).toBe(true);
    expect(step(server(1), receive(requestVote(0, 1, 2)), { maxEntriesPerAppend: 4 }).state).toSatisfy(Object.isFrozen);
  });

  it('off: the produced state is not frozen, but the log always is', () => {
    const leader = electedLeader(0, 1);
    const r = step(leader, start('x'), OFF);
    expect(Object.isFrozen(r.state)).toBe(false);
    expect(Object.isFrozen(r.state.log)).toBe(true);
    expect(Object.isFrozen(r.state.log[0])).toBe(true);
  });

  it('steps with different settings interleave without affecting each other', () => {
    const follower = server(1, { currentTerm: 1 });
    const input = receive(requestVote(0, 1, 2));
    const states = [DEFAULT_STEP_CONFIG, OFF, DEFAULT_STEP_CONFIG, OFF].map((config) => step(follower, input, config).state);
    expect(states.map((s) => Object.isFrozen(s))).toEqual([true, false, true, false]);
    for (const s of states) expect(s).toStrictEqual(states[0]);
  });
});
