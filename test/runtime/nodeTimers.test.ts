import { describe, expect, test } from 'vitest';
import type { Role } from '../../src/core/index.js';
import { NodeTimers } from '../../src/runtime/nodeTimers.js';
import { seededRandom, STOPPED_TIMERS, timersOn, type ServerTimers, type TimerEvent } from '../../src/runtime/index.js';
import { ManualClock } from './manualClock.js';

const TIMING = { electionTimeoutMinMs: 400, electionTimeoutMaxMs: 800, heartbeatIntervalMs: 100 };

describe('NodeTimers keeps its clock\'s timers where the timer bookkeeping says', () => {
  test('through directives and firings, the pending timers are at timersOn\'s times, drawn from the same seed; a leader ignores its election timer', () => {
    const clock = new ManualClock();
    let role: Role = 'follower';
    const seen: string[] = [];
    const timers = new NodeTimers(clock, seededRandom(5), TIMING, () => role, () => seen.push(`timeout@${clock.now()}`), () => seen.push(`tick@${clock.now()}`));

    // The same run, by the pure bookkeeping alone.
    const random = seededRandom(5);
    let book: ServerTimers = STOPPED_TIMERS;
    const on = (event: TimerEvent): void => { book = timersOn(book, event, clock.now(), TIMING, () => random.next()).timers; };
    const pendingAt = (): number[] => clock.timers.filter((t) => !t.cancelled).map((t) => t.at).sort((a, b) => a - b);
    const bookAt = (): number[] => [book.electionAt, book.heartbeatAt].filter((t): t is number => t !== null).sort((a, b) => a - b);

    on('start');
    expect(pendingAt()).toEqual(bookAt());
    clock.fireNext(); // the election timer: a timeout, re-armed
    on('electionFired');
    expect(seen).toEqual([`timeout@${clock.now()}`]);
    expect(pendingAt()).toEqual(bookAt());
    role = 'leader';
    timers.carryOut('startHeartbeat');
    on('startHeartbeat');
    let electionFirings = 0;
    for (let i = 0; i < 12; i++) {
      clock.fireNext();
      const event = clock.now() === book.heartbeatAt ? 'heartbeatFired' : 'electionFired';
      if (event === 'electionFired') electionFirings++;
      on(event);
      expect(pendingAt()).toEqual(bookAt());
    }
    expect(electionFirings).toBeGreaterThan(0);
    expect(seen.filter((s) => s.startsWith('timeout'))).toHaveLength(1); // the leader ignored its election timer
    expect(seen.filter((s) => s.startsWith('tick'))).toHaveLength(12 - electionFirings);
    timers.carryOut('resetElectionTimer');
    on('resetElectionTimer');
    expect(pendingAt()).toEqual(bookAt());
    timers.carryOut('stopHeartbeat');
    on('stopHeartbeat');
    expect(pendingAt()).toEqual(bookAt());
    timers.stopAll();
    timers.carryOut('resetElectionTimer');
    expect(clock.pending()).toBe(0);
  });
});
