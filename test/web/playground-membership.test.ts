import { describe, expect, it } from 'vitest';
import { firstViolation } from '../../model/raft/invariants.js';
import { replayTrace } from '../../model/raft/replay-trace.js';
import { lastLogIndex, type MembershipChange } from '../../src/core/index.js';
import { playgroundUrl } from '../../scripts/playground.js';
import { changeGlyph, configChange, configText, entryGlyph } from '../../web/shared/config-text.js';
import {
  advance, changeMembership, clientRequestToLeader, clusterConfiguration, configurationOf, createSim, currentLeader, flightsMatchNetwork, happenings,
  membershipOf, membershipText, playgroundBounds, toggleIsolation, type Sim,
} from '../../web/playground/sim.js';
import { exportTrace } from '../../web/playground/trace.js';

/**
 * Membership in the playground (Raft thesis ch. 4, one server at a time): the user's Add, Promote
 * and Remove go to the leader as the model's ChangeMembership; the leader's answer, or its
 * refusal, is what the page shows; the run still exports as a trace that replays.
 */

function runUntil(sim: Sim, done: (s: Sim) => boolean, limitMs = 5_000): Sim {
  let s = sim;
  const deadline = s.timeline.now + limitMs;
  while (!done(s)) {
    if (s.timeline.now >= deadline) throw new Error(`not reached within ${limitMs} ms of simulated time (now ${s.timeline.now.toFixed(1)} ms)`);
    s = advance(s, 5);
    expect(flightsMatchNetwork(s)).toBe(true);
  }
  return s;
}

const state = (s: Sim, i: number) => s.system.servers[i]!.state!;
const leaderOf = (s: Sim): number => {
  const l = currentLeader(s);
  if (l === null) throw new Error('no leader');
  return l;
};
/** The leader has committed everything in its log. */
const leaderCaughtUp = (s: Sim): boolean => {
  const l = currentLeader(s);
  return l !== null && state(s, l).commitIndex === lastLogIndex(state(s, l));
};
const change = (kind: MembershipChange['kind'], server: number): MembershipChange => ({ kind, server });
const answer = (s: Sim): string => (s.membership === null ? 'none' : s.membership.result.ok ? 'ok' : s.membership.result.reason);

/** No state of the run breaks an invariant. */
const everyStateHolds = (s: Sim): void => {
  for (const h of happenings(s)) if (h.kind === 'step') expect(firstViolation(h.state)).toBeNull();
};

describe('the playground changes membership one server at a time', () => {
  it('voters=3 of 4: s3 starts outside and never stands; added it is a learner and catches up; promoted a voter; the leader removes itself and a successor commits; the trace replays', () => {
    let s = createSim({ servers: 4, seed: 7, voters: 3 });
    expect(s.bounds).toMatchObject({ servers: 4, initialVoters: 3 });
    expect(membershipOf(s, 3)).toBe('outside');
    expect(configText(configurationOf(s, 3))).toBe('{0,1,2|}');

    s = runUntil(s, (x) => currentLeader(x) !== null);
    const first = leaderOf(s);
    expect(first).toBeLessThan(3);
    // s3's election timer runs, but a server outside the configuration does not stand, and no one writes to it.
    s = advance(s, 300);
    expect(happenings(s).some((h) => h.kind === 'step' && h.label === 'Timeout(3)')).toBe(true);
    expect(state(s, 3)).toMatchObject({ role: 'follower', currentTerm: 0, log: [] });
    // Nothing of the leader's term is committed yet: refused, and it appends one no-op.
    const before = lastLogIndex(state(s, first));
    s = changeMembership(s, change('AddLearner', 3));
    expect(answer(s)).toBe('no-commit-in-term');
    expect(s.refusal).toMatch(/^ChangeMembership\(AddLearner s3\) → s\d: refused, no-commit-in-term/);
    const noop = state(s, first).log.at(-1)!;
    expect(lastLogIndex(state(s, first))).toBe(before + 1);
    expect(noop).toMatchObject({ term: state(s, first).currentTerm, command: null, noop: true });

    s = runUntil(s, leaderCaughtUp);
    s = changeMembership(s, change('AddLearner', 3));
    expect(answer(s)).toBe('ok');
    expect(s.refusal).toBeNull();
    expect(membershipText(s.membership!, s)).toMatch(/accepted, configuration entry \d+ of term \d+ \{0,1,2\|3\}/);
    expect(membershipOf(s, 3)).toBe('learner');
    expect(configText(configurationOf(s, first))).toBe('{0,1,2|3}');
    // One change at a time: the next waits for this one to commit (and changes nothing).
    const steps = s.steps;
    s = changeMembership(s, change('PromoteLearner', 3));
    expect(answer(s)).toBe('change-in-progress');
    expect(s.steps).toBe(steps);

    // The learner catches up: the leader's log is on s3, and s3 knows it committed.
    s = clientRequestToLeader(s);
    s = runUntil(s, (x) => leaderCaughtUp(x) && state(x, 3).commitIndex === state(x, leaderOf(x)).commitIndex);
    expect(state(s, 3).log).toEqual(state(s, leaderOf(s)).log);
    expect(configText(configurationOf(s, 3))).toBe('{0,1,2|3}');
    expect(state(s, 3).role).toBe('follower'); // a learner never stands

    s = changeMembership(s, change('PromoteLearner', 3));
    expect(answer(s)).toBe('ok');
    s = runUntil(s, leaderCaughtUp);
    expect(membershipOf(s, 3)).toBe('voter');
    expect(configText(clusterConfiguration(s))).toBe('{0,1,2,3|}');

    // The leader removes itself: it leads until that commits, then steps down; the other three elect a successor.
    const old = leaderOf(s);
    s = changeMembership(s, change('RemoveServer', old));
    expect(answer(s)).toBe('ok');
    s = runUntil(s, (x) => currentLeader(x) !== null && currentLeader(x) !== old);
    const successor = leaderOf(s);
    expect(state(s, old).role).not.toBe('leader');
    expect(membershipOf(s, old)).toBe('removed');
    expect(configText(clusterConfiguration(s))).toBe(`{${[0, 1, 2, 3].filter((i) => i !== old).join(',')}|}`);
    // The successor holds the removal of the old term, which commits only with an entry of its own
    // term: asked for a change, it appends the no-op that commits both, no client write needed.
    s = changeMembership(s, change('AddLearner', old));
    expect(answer(s)).toBe('no-commit-in-term');
    const committed = s.system.committed.length;
    s = runUntil(s, (x) => x.system.committed.length > committed);
    expect(s.system.committed.at(-1)).toMatchObject({ commitTerm: state(s, successor).currentTerm });
    s = changeMembership(s, change('AddLearner', old));
    expect(answer(s)).toBe('ok');

    everyStateHolds(s);
    const trace = exportTrace(s);
    expect(trace.bounds).toMatchObject({ servers: 4, initialVoters: 3, maxConfigChanges: 4 });
    expect(trace.initial.servers[3]!.state!.bootstrapConfig).toEqual({ voters: [0, 1, 2], learners: [] });
    expect(replayTrace(trace)).toEqual({ ok: true, steps: s.steps, invariantBroken: null });
  });

  it('a new leader asked for a change after one was accepted appends a no-op; the trace\'s bounds leave room for that ask, and it replays', () => {
    let s = createSim({ servers: 5, seed: 11 });
    s = runUntil(s, (x) => currentLeader(x) !== null);
    s = clientRequestToLeader(s);
    s = runUntil(s, leaderCaughtUp);
    const first = leaderOf(s);
    const gone = (first + 1) % 5;
    s = changeMembership(s, change('RemoveServer', gone));
    expect(answer(s)).toBe('ok');
    // Committed, and known committed by the followers (a heartbeat later).
    s = runUntil(s, (x) => leaderCaughtUp(x) && [0, 1, 2, 3, 4].every((i) => i === gone || state(x, i).commitIndex === state(x, first).commitIndex));
    s = advance(s, 60);
    s = toggleIsolation(s, first);
    s = runUntil(s, (x) => currentLeader(x) !== null && currentLeader(x) !== first && state(x, leaderOf(x)).currentTerm > state(x, first).currentTerm);
    s = changeMembership(s, change('AddLearner', gone));
    expect(answer(s)).toBe('no-commit-in-term');
    expect(s.system.configChanges).toBe(1);
    const trace = exportTrace(s);
    expect(trace.bounds.maxConfigChanges).toBe(2);
    expect(replayTrace(trace)).toEqual({ ok: true, steps: s.steps, invariantBroken: null });
    expect(replayTrace({ ...trace, bounds: { ...trace.bounds, maxConfigChanges: 1 } }).ok).toBe(false);
  });

  it('every refusal is the core\'s, in words: no leader, already a member, not a learner, the last voter', () => {
    let s = createSim({ servers: 3, seed: 7 });
    s = changeMembership(s, change('RemoveServer', 1));
    expect(s.refusal).toBe('ChangeMembership(RemoveServer s1): no server is leader now');
    expect(answer(s)).toBe('not-leader');
    expect(s.steps).toBe(0);

    s = runUntil(s, (x) => currentLeader(x) !== null);
    s = changeMembership(s, change('AddLearner', 1));
    expect(answer(s)).toBe('already-member');
    s = changeMembership(s, change('PromoteLearner', 2));
    expect(answer(s)).toBe('not-a-learner');

    let one = createSim({ servers: 3, seed: 7, voters: 1 });
    one = runUntil(one, (x) => currentLeader(x) !== null);
    expect(leaderOf(one)).toBe(0);
    one = changeMembership(one, change('RemoveServer', 0));
    expect(answer(one)).toBe('last-voter');
    expect(one.refusal).toMatch(/refused, last-voter \(the only voter cannot be removed\)/);
  });

  it('without membership moves the bounds and the exported trace are those of before (no config fields)', () => {
    expect(playgroundBounds(3)).not.toHaveProperty('initialVoters');
    let s = createSim({ servers: 3, seed: 7 });
    s = runUntil(s, (x) => currentLeader(x) !== null);
    const trace = exportTrace(s);
    expect(trace.bounds).not.toHaveProperty('maxConfigChanges');
    expect(trace.bounds).not.toHaveProperty('initialVoters');
    expect(trace.initial.servers[0]!.state).not.toHaveProperty('bootstrapConfig');
    expect([0, 1, 2].map((i) => membershipOf(s, i))).toEqual(['voter', 'voter', 'voter']);
  });

  it('a configuration is written {voters +learners}, and a configuration entry as the one change it makes', () => {
    const c012 = { voters: [0, 1, 2], learners: [] };
    const c012l3 = { voters: [0, 1, 2], learners: [3] };
    const c0123 = { voters: [0, 1, 2, 3], learners: [] };
    const c123 = { voters: [1, 2, 3], learners: [] };
    expect([c012, c012l3].map(configText)).toEqual(['{0,1,2|}', '{0,1,2|3}']);
    expect(configChange(c012, c012l3)).toEqual({ kind: 'AddLearner', server: 3 });
    expect(configChange(c012l3, c0123)).toEqual({ kind: 'PromoteLearner', server: 3 });
    expect(configChange(c0123, c123)).toEqual({ kind: 'RemoveServer', server: 0 });
    expect(configChange(c012l3, c012)).toEqual({ kind: 'RemoveServer', server: 3 });
    expect(configChange(c012, c0123)).toBeNull(); // straight to voter: no single-server change
    expect(configChange(c012, c123)).toBeNull(); // two servers at once
    expect([c012l3, c0123, c123].map((after, i) => changeGlyph(configChange([c012, c012l3, c0123][i]!, after)!))).toEqual(['+3', '↑3', '−0']);
    const text = (c: unknown): string => String(c);
    expect(entryGlyph({ term: 2, command: null, config: c012l3 }, c012, text)).toBe('+3');
    expect(entryGlyph({ term: 2, command: null, config: c123 }, c012, text)).toBe('cfg');
    expect(entryGlyph({ term: 2, command: null, noop: true }, c012, text)).toBe('·');
    expect(entryGlyph({ term: 2, command: 7 }, c012, text)).toBe('7');
  });

  it('npm run playground -- --voters K puts voters=K in the URL the page reads', () => {
    expect(playgroundUrl('http://127.0.0.1:4181/', { servers: 5, seed: 3, voters: 3 })).toBe('http://127.0.0.1:4181/?servers=5&seed=3&voters=3');
    expect(playgroundUrl('http://127.0.0.1:4181/', { servers: null, seed: null, voters: null })).toBe('http://127.0.0.1:4181/');
  });
});
