import { h } from '../shared/dom.js';
import { recentHappenings, type HistoryNode, type Sim } from './sim.js';

/**
 * What happened, newest first: every model action taken (as the trace labels it) with the
 * simulated time it happened at, the user's own moves in bold, and notes (links cut or healed,
 * moves the model refused) in italics.
 */

export interface EventsPanel {
  readonly element: HTMLElement;
  update(sim: Sim): void;
}

const SHOWN = 150;

export const formatTime = (ms: number): string => `${ms.toFixed(1)} ms`;

export function eventsPanel(): EventsPanel {
  const list = h('ol', { class: 'pg-events', 'data-testid': 'events', reversed: true });
  let head: HistoryNode | null | undefined;

  function update(sim: Sim): void {
    if (sim.history === head) return;
    head = sim.history;
    const items = recentHappenings(sim, SHOWN).map((e) => {
      if (e.kind === 'note') return h('li', { class: 'is-note', 'data-testid': 'event', 'data-kind': 'note' }, h('span', { class: 'pg-at' }, formatTime(e.at)), h('span', {}, e.text));
      return h('li', { class: e.by === 'user' ? 'is-user' : '', 'data-testid': 'event', 'data-kind': e.action.kind, title: e.by === 'user' ? 'your move' : e.by === 'service' ? 'the service\'s move (a snapshot every so many applied entries)' : 'the simulated clock\'s move' },
        h('span', { class: 'pg-at' }, formatTime(e.at)), h('span', {}, e.label));
    });
    list.replaceChildren(...(items.length > 0 ? items : [h('li', { class: 'is-note' }, h('span', {}), h('span', {}, 'Nothing yet: the servers wait for their election timers.'))]));
  }

  return { element: list, update };
}
