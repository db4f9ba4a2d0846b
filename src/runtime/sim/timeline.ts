/**
 * The one simulated clock, as a value: virtual now and the events scheduled on it, ordered by
 * (time, sequence), the sequence being the order they were scheduled in. Every function here is
 * pure and returns a new timeline, so a simulation that is itself a value (the playground) holds
 * one as its event queue, and the mutable VirtualClock drives one for the runtime. No Node API:
 * the playground bundles this file.
 */
export interface Scheduled<E> {
  readonly at: number;
  /** Creation order: the tie-break between events at one time, and the event's name. */
  readonly seq: number;
  readonly event: E;
}

export interface Timeline<E> {
  readonly now: number;
  readonly nextSeq: number;
  /** Sorted by (at, seq). */
  readonly events: readonly Scheduled<E>[];
}

export function emptyTimeline<E>(now = 0): Timeline<E> {
  return { now, nextSeq: 0, events: [] };
}

const before = (a: { readonly at: number; readonly seq: number }, b: { readonly at: number; readonly seq: number }): boolean =>
  a.at < b.at || (a.at === b.at && a.seq < b.seq);

/** Where `key` goes (or is) among the sorted events: the first index not before it. */
function position<E>(events: readonly Scheduled<E>[], key: { readonly at: number; readonly seq: number }): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (before(events[mid]!, key)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** `event` at `at` (never before now: a late time means now), and its handle. */
export function schedule<E>(timeline: Timeline<E>, at: number, event: E): { readonly timeline: Timeline<E>; readonly scheduled: Scheduled<E> } {
  const scheduled: Scheduled<E> = { at: Math.max(timeline.now, at), seq: timeline.nextSeq, event };
  const events = timeline.events.slice();
  events.splice(position(events, scheduled), 0, scheduled);
  return { timeline: { now: timeline.now, nextSeq: timeline.nextSeq + 1, events }, scheduled };
}

/** The timeline without `scheduled` (unchanged when it fired or was cancelled already). */
export function cancel<E>(timeline: Timeline<E>, scheduled: { readonly at: number; readonly seq: number }): Timeline<E> {
  const i = position(timeline.events, scheduled);
  if (timeline.events[i]?.seq !== scheduled.seq) return timeline;
  const events = timeline.events.slice();
  events.splice(i, 1);
  return { ...timeline, events };
}

/** The timeline without every event `drop` picks. */
export function cancelWhere<E>(timeline: Timeline<E>, drop: (event: E) => boolean): Timeline<E> {
  const events = timeline.events.filter((s) => !drop(s.event));
  return events.length === timeline.events.length ? timeline : { ...timeline, events };
}

/** The earliest event, or null when none is scheduled. */
export function next<E>(timeline: Timeline<E>): Scheduled<E> | null {
  return timeline.events[0] ?? null;
}

/** Takes the earliest event out and moves now to its time (null when none is scheduled). */
export function pop<E>(timeline: Timeline<E>): { readonly timeline: Timeline<E>; readonly fired: Scheduled<E> } | null {
  const fired = timeline.events[0];
  if (fired === undefined) return null;
  return { timeline: { now: Math.max(timeline.now, fired.at), nextSeq: timeline.nextSeq, events: timeline.events.slice(1) }, fired };
}

/** Moves now to `at` without firing anything; refused past a scheduled event, which must fire first. */
export function advanceTo<E>(timeline: Timeline<E>, at: number): Timeline<E> {
  const first = timeline.events[0];
  if (first !== undefined && first.at < at) throw new RangeError(`advance to ${at} ms past an event due at ${first.at} ms`);
  return at <= timeline.now ? timeline : { ...timeline, now: at };
}

/** The scheduled events, earliest first, that `pick` selects. */
export function scheduledWhere<E, F extends E>(timeline: Timeline<E>, pick: (event: E) => event is F): Scheduled<F>[] {
  return timeline.events.filter((s): s is Scheduled<F> => pick(s.event));
}
