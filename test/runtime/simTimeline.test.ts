import { describe, expect, test } from 'vitest';
import { advanceTo, cancel, cancelWhere, emptyTimeline, next, pop, schedule, scheduledWhere, type Timeline } from '../../src/runtime/sim/timeline.js';

/** Fires everything, in order, and says what fired when. */
function drain<E>(timeline: Timeline<E>): string[] {
  const out: string[] = [];
  for (let t = pop(timeline); t !== null; t = pop(t.timeline)) out.push(`${String(t.fired.event)}@${t.timeline.now}`);
  return out;
}

describe('timeline: virtual now and scheduled events as a value', () => {
  test('events fire in (time, scheduling order); a late time means now; now only moves forward', () => {
    let t = emptyTimeline<string>();
    for (const [at, name] of [[20, 'b'], [10, 'a'], [20, 'c'], [5, 'x'], [10, 'a2']] as const) t = schedule(t, at, name).timeline;
    expect(drain(t)).toEqual(['x@5', 'a@10', 'a2@10', 'b@20', 'c@20']);
    const late = schedule(advanceTo(t, 3), 1, 'late');
    expect(late.scheduled.at).toBe(3);
    expect(next(late.timeline)?.event).toBe('late');
  });

  test('every function leaves its input as it was', () => {
    const a = schedule(emptyTimeline<string>(), 10, 'a');
    const b = schedule(a.timeline, 5, 'b');
    const popped = pop(b.timeline)!;
    expect(popped.fired.event).toBe('b');
    expect(b.timeline.events.map((s) => s.event)).toEqual(['b', 'a']);
    expect(cancel(b.timeline, a.scheduled).events.map((s) => s.event)).toEqual(['b']);
    expect(b.timeline.events).toHaveLength(2);
    expect(a.timeline.events).toHaveLength(1);
    expect(b.timeline.now).toBe(0);
    expect(popped.timeline.now).toBe(5);
  });

  test('cancel takes out exactly the event named, among others at the same time, and nothing once it is gone', () => {
    let t = emptyTimeline<string>();
    const handles = ['p', 'q', 'r'].map((name) => { const s = schedule(t, 7, name); t = s.timeline; return s.scheduled; });
    t = cancel(t, handles[1]!);
    expect(drain(t)).toEqual(['p@7', 'r@7']);
    expect(cancel(t, handles[1]!)).toBe(t);
    const fired = pop(t)!;
    expect(cancel(fired.timeline, handles[0]!)).toBe(fired.timeline);
  });

  test('cancelWhere and scheduledWhere pick by the event', () => {
    type Ev = { readonly kind: 'deliver' | 'timer'; readonly n: number };
    let t = emptyTimeline<Ev>();
    for (let n = 0; n < 6; n++) t = schedule<Ev>(t, 10 - n, { kind: n % 2 === 0 ? 'deliver' : 'timer', n }).timeline;
    const isDeliver = (e: Ev): e is Ev & { readonly kind: 'deliver' } => e.kind === 'deliver';
    expect(scheduledWhere(t, isDeliver).map((s) => s.event.n)).toEqual([4, 2, 0]);
    expect(cancelWhere(t, isDeliver).events.map((s) => s.event.n)).toEqual([5, 3, 1]);
    expect(cancelWhere(t, () => false)).toBe(t);
  });

  test('advanceTo refuses to pass an event that is due first', () => {
    const t = schedule(emptyTimeline<string>(), 10, 'a').timeline;
    expect(advanceTo(t, 10).now).toBe(10);
    expect(() => advanceTo(t, 10.5)).toThrow(/past an event due at 10 ms/);
  });
});
