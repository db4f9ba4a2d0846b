import { describe, expect, test } from 'vitest';
import { STOPPED_TIMERS, timersOn, type ServerTimers, type TimerEvent } from '../../src/runtime/timerRule.js';

const TIMING = { electionTimeoutMinMs: 100, electionTimeoutMaxMs: 200, heartbeatIntervalMs: 30 };

/** Runs events at the given times, with draws from a list; says how many draws were taken. */
function run(events: readonly (readonly [number, TimerEvent])[], draws: readonly number[] = [0.5, 0.25, 0.75, 0, 0.1]) {
  let timers: ServerTimers = STOPPED_TIMERS;
  let taken = 0;
  const changes: string[] = [];
  for (const [now, event] of events) {
    const step = timersOn(timers, event, now, TIMING, () => draws[taken++]!);
    timers = step.timers;
    changes.push(String(step.changed));
  }
  return { timers, taken, changes };
}

describe('the timer bookkeeping (one function for NodeTimers and the playground)', () => {
  test('start arms the election timer with one draw; a reset and a firing re-arm it with a fresh one', () => {
    expect(run([[0, 'start']])).toEqual({ timers: { electionAt: 150, electionArmedAt: 0, heartbeatAt: null }, taken: 1, changes: ['both'] });
    expect(run([[0, 'start'], [40, 'resetElectionTimer']]).timers).toEqual({ electionAt: 40 + 125, electionArmedAt: 40, heartbeatAt: null });
    const fired = run([[0, 'start'], [150, 'electionFired']]);
    expect(fired.timers).toEqual({ electionAt: 150 + 125, electionArmedAt: 150, heartbeatAt: null });
    expect(fired.changes).toEqual(['both', 'election']);
  });

  test('the heartbeat ticks one interval after startHeartbeat and after each tick, until stopHeartbeat; no draws', () => {
    const r = run([[0, 'start'], [10, 'startHeartbeat'], [40, 'heartbeatFired'], [70, 'heartbeatFired']]);
    expect(r.timers.heartbeatAt).toBe(100);
    expect(r.timers.electionAt).toBe(150); // the election timer runs on under a leader
    expect(r.taken).toBe(1);
    expect(r.changes).toEqual(['both', 'heartbeat', 'heartbeat', 'heartbeat']);
    const stopped = run([[0, 'start'], [10, 'startHeartbeat'], [20, 'stopHeartbeat'], [40, 'heartbeatFired']]);
    expect(stopped.timers.heartbeatAt).toBeNull();
    expect(stopped.changes.at(-1)).toBe('null');
  });

  test('once stopped nothing moves them (and nothing is drawn) until start', () => {
    const r = run([[0, 'start'], [10, 'startHeartbeat'], [20, 'stop'], [30, 'resetElectionTimer'], [31, 'electionFired'], [32, 'startHeartbeat'], [33, 'heartbeatFired']]);
    expect(r.timers).toEqual(STOPPED_TIMERS);
    expect(r.taken).toBe(1);
    expect(r.changes).toEqual(['both', 'heartbeat', 'both', 'null', 'null', 'null', 'null']);
    const again = run([[0, 'start'], [20, 'stop'], [50, 'start']]);
    expect(again.timers).toEqual({ electionAt: 50 + 125, electionArmedAt: 50, heartbeatAt: null });
  });

  test('leaves its input as it was', () => {
    const start = timersOn(STOPPED_TIMERS, 'start', 0, TIMING, () => 0).timers;
    const copy = { ...start };
    timersOn(start, 'startHeartbeat', 5, TIMING, () => 0);
    timersOn(start, 'resetElectionTimer', 5, TIMING, () => 0.9);
    expect(start).toEqual(copy);
    expect(STOPPED_TIMERS).toEqual({ electionAt: null, electionArmedAt: 0, heartbeatAt: null });
  });
});
