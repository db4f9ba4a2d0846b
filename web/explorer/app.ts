import type { SystemState } from '../../model/raft/system.js';
import { formatBounds } from '../../model/raft/bounds.js';
import { type TraceFile, traceSentence } from '../../model/report/trace-file.js';
import { type Explanation, culpritsOf, explain as explainFindings } from '../shared/culprits.js';
import { h, replaceChildren, s as svgEl } from '../shared/dom.js';
import { laneDiagram, laneLegend } from '../shared/lane-diagram.js';
import { messageList, messageIdentity } from '../shared/message-list.js';
import { serverTable } from '../shared/server-table.js';
import { changePlace, stateChanges } from '../../model/report/state-diff.js';
import { laneOf, lanesFromTrace } from '../shared/lanes-from-trace.js';
import { type Replay, replay, shownState } from './replay.js';
import { stepFromHash } from './step-hash.js';

/**
 * The explorer page: a trace, replayed through the core, stepped through with a slider or the
 * keyboard. Everything a test needs has a data-testid (verdict, replay-status, step-slider,
 * step-counter, step-label, servers/server-row, messages/message, invariants/invariant,
 * lane-diagram/lane-row, disagreement).
 */

export interface ExplorerInput {
  readonly trace: TraceFile;
  /** The Graphviz lane diagram (trace.svg), shown folded under the page when present. */
  readonly svg?: string;
}

/** Step buttons' icons (16x16 paths): system fonts may lack the media-control glyphs. */
const ICONS = {
  first: 'M3 2h2v12H3z M14 2v12L6 8z',
  prev: 'M12 2v12L4 8z',
  next: 'M4 2v12l8-6z',
  last: 'M11 2h2v12h-2z M2 2v12l8-6z',
} as const;

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;


export function mountExplorer(root: HTMLElement, input: ExplorerInput): { go(step: number): void } {
  const { trace } = input;
  const r: Replay = replay(trace);
  const last = trace.steps.length;
  const breaking = trace.invariant;
  // The finding the core's replayed last state gives; the file's own when the replay cannot say.
  const verdictSentence = r.invariants[last]?.find((c) => c.name === breaking)?.finding?.sentence ?? traceSentence(trace);

  // ---- header, verdict, replay status ----
  const header = h('header', { class: 'ex-header' },
    h('div', { class: 'ex-brand' }, h('span', { class: 'ex-logo' }, 'pure-raft'), ' counterexample explorer'),
    h('div', { class: 'ex-meta', 'data-testid': 'trace-meta' },
      h('span', {}, `model ${trace.model}`),
      h('span', {}, plural(trace.bounds.servers, 'server')),
      h('span', { title: 'the bounds the checker explored within' }, formatBounds(trace.bounds)),
      h('span', {}, `symmetry ${trace.symmetry ? 'on' : 'off'}`)));

  const verdict = breaking === null
    ? h('section', { class: 'ex-banner is-neutral', 'data-testid': 'verdict', 'data-invariant': '' },
      h('strong', {}, `A trace of ${plural(last, 'step')}`), ' that breaks no invariant.')
    : h('section', { class: 'ex-banner is-violation', 'data-testid': 'verdict', 'data-invariant': breaking, role: 'alert' },
      h('span', { class: 'ex-banner-icon', 'aria-hidden': 'true' }, '✗'),
      h('div', {},
        h('strong', { 'data-testid': 'verdict-invariant' }, breaking), ` violated after ${plural(last, 'step')}`,
        verdictSentence !== undefined ? h('div', { class: 'ex-detail', 'data-testid': 'verdict-finding' }, verdictSentence) : null,
        h('div', { class: 'ex-banner-sub' }, 'The servers and entries that break it are outlined in red at the last step. ',
          h('button', { type: 'button', class: 'ex-link', 'data-testid': 'goto-violation' }, `Go to step ${last}`))));

  const disagreeAt = r.firstDisagreement;
  const replayStatus = r.outcome.ok
    ? h('section', { class: 'ex-banner is-ok', 'data-testid': 'replay-status', 'data-status': 'confirmed', 'data-step': '' },
      h('span', { class: 'ex-banner-icon', 'aria-hidden': 'true' }, '✓'),
      h('div', {}, h('strong', {}, 'Replayed in this page through the core: '),
        `all ${plural(last, 'step')} reproduce the recorded states`,
        r.outcome.invariantBroken ? `, and the last one breaks ${r.outcome.invariantBroken}.` : '.'))
    : h('section', { class: 'ex-banner is-disagreement', 'data-testid': 'replay-status', 'data-status': 'disagrees', 'data-step': String(r.outcome.step), role: 'alert' },
      h('span', { class: 'ex-banner-icon', 'aria-hidden': 'true' }, '!'),
      h('div', {}, h('strong', {}, `The replay disagrees with the recorded trace at step ${r.outcome.step}: `),
        h('span', { 'data-testid': 'replay-reason' }, r.outcome.reason),
        h('div', { class: 'ex-banner-sub' },
          disagreeAt !== null && disagreeAt > 0 ? `From step ${disagreeAt} on the page shows the states recorded in the file, not the core's. ` : 'The page shows the states recorded in the file. ',
          r.outcome.step > 0 ? h('button', { type: 'button', class: 'ex-link', 'data-testid': 'goto-disagreement' }, `Go to step ${r.outcome.step}`) : null)));

  // ---- controls ----
  const slider = h('input', { type: 'range', min: 0, max: last, value: 0, step: 1, class: 'ex-slider', 'data-testid': 'step-slider', 'aria-label': 'step' });
  const counter = h('output', { class: 'ex-counter', 'data-testid': 'step-counter', 'aria-live': 'polite' });
  const button = (icon: keyof typeof ICONS, title: string, testid: string, to: () => number): HTMLButtonElement => {
    const b = h('button', { type: 'button', class: 'ex-button', title, 'aria-label': title, 'data-testid': testid },
      svgEl('svg', { width: 16, height: 16, viewBox: '0 0 16 16', 'aria-hidden': 'true' }, svgEl('path', { d: ICONS[icon], fill: 'currentColor' })));
    b.addEventListener('click', () => go(to()));
    return b;
  };
  let current = 0;
  const controls = h('nav', { class: 'ex-controls', 'aria-label': 'steps' },
    button('first', 'first step (Home)', 'step-first', () => 0),
    button('prev', 'previous step (←)', 'step-prev', () => current - 1),
    slider,
    button('next', 'next step (→)', 'step-next', () => current + 1),
    button('last', 'last step (End)', 'step-last', () => last),
    counter);
  const stepLabel = h('div', { class: 'ex-step-label', 'data-testid': 'step-label' });
  const stepStatus = h('span', { class: 'ex-chip', 'data-testid': 'step-status' });

  // ---- panels ----
  const serversTitle = h('h2', {});
  const serversBox = h('div', { class: 'ex-table-scroll' });
  const inFlightTitle = h('h2', {});
  const inFlightBox = h('div', {});
  const invariantsBox = h('div', {});
  const disagreementBox = h('section', { class: 'ex-panel ex-disagreement', 'data-testid': 'disagreement', hidden: true });

  const emphasis = (i: number): 'violation' | 'disagreement' | null =>
    i === disagreeAt && i > 0 ? 'disagreement' : breaking !== null && i === last && r.outcome.ok ? 'violation' : null;
  const lanes = laneDiagram(lanesFromTrace(trace, (i) => shownState(r, i), emphasis), { onSelect: (row) => go(row) });
  const legend = laneLegend();

  const svgPanel = input.svg
    ? h('details', { class: 'ex-panel ex-graphviz', 'data-testid': 'graphviz' },
      h('summary', {}, 'The same trace as drawn by Graphviz (trace.svg)'),
      (() => {
        const box = h('div', { class: 'ex-graphviz-body' });
        box.innerHTML = input.svg;
        return box;
      })())
    : null;

  replaceChildren(root,
    header,
    h('div', { class: 'ex-banners' }, verdict, replayStatus),
    h('div', { class: 'ex-sticky' }, controls, h('div', { class: 'ex-step' }, stepStatus, stepLabel)),
    h('main', { class: 'ex-main' },
      h('div', { class: 'ex-col' },
        h('section', { class: 'ex-panel' }, serversTitle, serversBox),
        disagreementBox,
        h('div', { class: 'ex-row' },
          h('section', { class: 'ex-panel ex-grow' }, inFlightTitle, inFlightBox),
          h('section', { class: 'ex-panel' }, h('h2', {}, 'Invariants'), invariantsBox))),
      h('section', { class: 'ex-panel ex-lanes-panel' }, h('h2', {}, 'Lane diagram'), h('div', { class: 'ex-lanes-scroll' }, lanes.element), legend)),
    svgPanel,
    h('footer', { class: 'ex-footer' }, h('kbd', {}, '←'), ' ', h('kbd', {}, '→'), ' step · ', h('kbd', {}, 'Home'), ' ', h('kbd', {}, 'End'),
      ' first / last · ', h('kbd', {}, 'PgUp'), ' ', h('kbd', {}, 'PgDn'), ' ten steps · click a row of the lane diagram to jump to it'));

  root.querySelector('[data-testid="goto-violation"]')?.addEventListener('click', () => go(last));
  root.querySelector('[data-testid="goto-disagreement"]')?.addEventListener('click', () => go(r.outcome.ok ? last : r.outcome.step));
  slider.addEventListener('input', () => go(Number(slider.value)));

  /** Every invariant broken at step i, explained by its finding. */
  function explain(i: number): Map<string, Explanation> {
    return new Map((r.invariants[i] ?? []).flatMap((c) => (c.finding !== null ? [[c.name, explainFindings([c.finding])] as const] : [])));
  }

  function render(i: number): void {
    const state = shownState(r, i);
    const prev = i > 0 ? shownState(r, i - 1) : null;
    const step = i > 0 ? r.steps[i - 1]! : null;
    const broken = explain(i);
    const blamed = [...broken.values()].flatMap((e) => e.culprits);

    slider.value = String(i);
    slider.setAttribute('aria-valuetext', `step ${i} of ${last}`);
    counter.textContent = `step ${i} / ${last}`;
    stepLabel.textContent = step ? `#${i} ${step.label}` : 'the initial state';
    const status = step?.status ?? (disagreeAt === 0 ? 'differs' : 'agrees');
    stepStatus.className = `ex-chip is-${status}`;
    stepStatus.setAttribute('data-status', status);
    stepStatus.textContent = status === 'agrees' ? (i === 0 ? 'initial state' : 'replayed ✓') : status === 'differs' ? 'replay differs' : 'recorded, not replayed';

    serversTitle.textContent = i === 0 ? 'Servers at the start' : `Servers after step ${i}`;
    const actedOn = step ? laneOf(step.action) : -1;
    replaceChildren(serversBox, serverTable(state.servers.map((slot, id) => ({
      id,
      state: slot.state,
      persisted: slot.persisted,
      ...(prev ? { previous: { state: prev.servers[id]!.state, persisted: prev.servers[id]!.persisted } } : {}),
      culprits: culpritsOf(blamed, id),
    }))));
    serversBox.querySelectorAll<HTMLTableRowElement>('[data-testid="server-row"]').forEach((row) => {
      row.classList.toggle('is-acting', Number(row.dataset['server']) === actedOn);
    });

    const next = i < last ? r.steps[i]!.action : null;
    const nextMessage = next && (next.kind === 'Receive' || next.kind === 'DropMessage' || next.kind === 'DuplicateMessage') ? messageIdentity(next.message) : null;
    const verb = next?.kind === 'Receive' ? 'delivered next' : next?.kind === 'DropMessage' ? 'dropped next' : 'duplicated next';
    inFlightTitle.textContent = `In flight (${state.network.length})`;
    replaceChildren(inFlightBox, messageList(state.network, { note: (m) => (nextMessage !== null && messageIdentity(m) === nextMessage ? verb : null) }));

    replaceChildren(invariantsBox, h('ul', { class: 'ex-invariants', 'data-testid': 'invariants' }, (r.invariants[i] ?? []).map((c) =>
      h('li', { class: c.holds ? 'is-holding' : 'is-broken', 'data-testid': 'invariant', 'data-name': c.name, 'data-holds': String(c.holds) },
        h('span', { class: 'ex-inv-mark', 'aria-hidden': 'true' }, c.holds ? '✓' : '✗'),
        h('span', {}, c.name, (broken.get(c.name)?.notes ?? []).map((n) => h('span', { class: 'ex-inv-note', 'data-testid': 'invariant-note' }, n)))))));

    if (step?.status === 'differs') {
      disagreementBox.hidden = false;
      const diffs = step.produced ? stateChanges(step.produced, step.recorded) : [];
      replaceChildren(disagreementBox,
        h('h2', {}, `Step ${i}: the core and the trace disagree`),
        step.produced === null
          ? h('p', {}, !r.outcome.ok && i === r.outcome.step ? r.outcome.reason : 'The recorded action is not enabled in the replayed state (or leaves the bounds), so the core produced no state.')
          : diffs.length === 0
            ? h('p', {}, r.outcome.ok ? '' : r.outcome.reason)
            : h('table', { class: 'ex-diff' }, h('thead', {}, h('tr', {}, h('th', {}, 'field'), h('th', {}, 'core'), h('th', {}, 'trace file'))),
              h('tbody', {}, diffs.map((d) => h('tr', { 'data-testid': 'diff-row' }, h('td', {}, changePlace(d)), h('td', {}, d.before), h('td', {}, d.after))))));
    } else {
      disagreementBox.hidden = true;
      replaceChildren(disagreementBox);
    }
    lanes.setCurrent(i);
    root.setAttribute('data-step', String(i));
  }

  function go(step: number): void {
    const i = Math.max(0, Math.min(last, Math.round(step)));
    if (i === current && root.hasAttribute('data-step')) return;
    current = i;
    render(i);
    history.replaceState(null, '', `#step=${i}`);
  }

  document.addEventListener('keydown', (e) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const t = e.target as HTMLElement | null;
    if (t && t !== slider && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.isContentEditable)) return;
    const to = ({ ArrowLeft: current - 1, ArrowRight: current + 1, Home: 0, End: last, PageUp: current - 10, PageDown: current + 10 } as Record<string, number>)[e.key];
    if (to === undefined) return;
    e.preventDefault();
    go(to);
  });

  current = stepFromHash(location.hash, last) ?? 0;
  render(current);
  return { go };
}
