import { initialSystem } from '../../model/raft/system.js';
import type { TraceFile } from '../../model/report/trace-file.js';
import { h } from '../shared/dom.js';
import { laneDiagram } from '../shared/lane-diagram.js';
import { lanesFromTrace } from '../shared/lanes-from-trace.js';
import { recentSteps, type HistoryNode, type Sim } from './sim.js';

/**
 * The run's newest steps as the explorer's lane diagram (web/shared): one lane per server in its
 * role, a mark where a server acted, an arrow for every message from the step that sent it to
 * the one that delivered or lost it (InstallSnapshot in its own colour). Only the last
 * LANE_STEPS steps are drawn, numbered as in the run, the newest at the bottom and in view.
 */

export interface LanesPanel {
  readonly element: HTMLElement;
  update(sim: Sim): void;
}

/** Steps drawn: enough to follow a partition healing and a follower catching up, few enough to redraw ten times a second. */
export const LANE_STEPS = 40;

export function lanesPanel(): LanesPanel {
  const element = h('div', { class: 'pg-lanes-scroll' });
  let head: HistoryNode | null | undefined;

  function update(sim: Sim): void {
    if (sim.history === head) return;
    head = sim.history;
    // The newest steps, oldest first, and the step just before them (its state is the window's start).
    const newest = recentSteps(sim, LANE_STEPS + 1);
    const window = newest.slice(0, LANE_STEPS).reverse();
    const before = newest[LANE_STEPS];
    if (window.length === 0) {
      element.replaceChildren(h('p', { class: 'pg-muted', 'data-testid': 'lanes-empty' }, 'No steps yet.'));
      return;
    }
    const trace: TraceFile = {
      format: 'pure-raft-trace/1', model: 'raft', bounds: sim.bounds, symmetry: false, invariant: null,
      initial: before?.state ?? initialSystem(sim.servers, sim.bootstrapConfig),
      steps: window.map((e) => ({ action: e.action, label: e.label, state: e.state })),
    };
    const states = [trace.initial, ...trace.steps.map((st) => st.state)];
    const firstStep = sim.steps - window.length + 1;
    const startLabel = before === undefined ? undefined : `after ${firstStep - 1} earlier steps (not drawn)`;
    const diagram = laneDiagram(lanesFromTrace(trace, (i) => states[i]!, () => null, startLabel), { current: window.length, firstStep });
    element.replaceChildren(diagram.element);
    diagram.setCurrent(window.length); // now that it is in its scroll box: scrolls the newest row into view
  }
  return { element, update };
}
