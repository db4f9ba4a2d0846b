import { MESSAGE_COLOUR } from './colours.js';
import { h, s } from './dom.js';

/**
 * A lane diagram in SVG: one vertical lane per server, one row per step (time flows down), a
 * mark where a server acted, arrows for messages from the row that sent them to the row that
 * took them out of the network. Each lane is drawn in its server's role between rows (grey
 * follower, orange candidate, thick gold leader, red dots while down). A "current" row splits
 * the past from the future (dimmed), and clicking a row selects it.
 *
 * It knows nothing of traces: the caller describes lanes, rows and arrows (the explorer builds
 * them from a trace, a live view from what it has seen so far).
 */

export type LaneState = 'follower' | 'preCandidate' | 'candidate' | 'leader' | 'down';

export type MarkKind = 'timeout' | 'heartbeat' | 'client' | 'snapshot' | 'membership' | 'receive' | 'drop' | 'duplicate' | 'crash' | 'restart';

export interface LaneMark {
  readonly lane: number;
  readonly kind: MarkKind;
  /** Fill for a 'receive' mark (the message type's colour). */
  readonly colour?: string;
  /** The server crashed at the end of this step (after its first effects). */
  readonly crashAfter?: boolean;
}

export interface LaneRow {
  /** Text right of the lanes, e.g. "recv RequestVote t1 from s0". */
  readonly label: string;
  /** Tooltip: the whole action. */
  readonly title?: string;
  /** Where a server acted in this row (row 0, the start, has none). */
  readonly mark: LaneMark | null;
  /** Every lane's state after this row. */
  readonly lanes: readonly LaneState[];
  /** Drawn in red (the step that breaks an invariant) or amber (a step whose replay disagrees). */
  readonly emphasis?: 'violation' | 'disagreement' | null;
}

export interface LaneArrow {
  readonly fromRow: number;
  readonly fromLane: number;
  /** The row that took it out of the network; null while it is still in flight at the end. */
  readonly toRow: number | null;
  readonly toLane: number;
  readonly colour: string;
  readonly end: 'delivered' | 'dropped' | 'lost' | 'in-flight';
  /** A copy made by duplication. */
  readonly dashed?: boolean;
  readonly title: string;
  /** What it carries, e.g. the message type (the arrow's data-kind). */
  readonly kind?: string;
}

export interface LaneDiagramData {
  readonly lanes: readonly string[];
  readonly rows: readonly LaneRow[];
  readonly arrows: readonly LaneArrow[];
}

export interface LaneDiagramOptions {
  /** The row shown as current at first. */
  readonly current?: number;
  /** The step number of row 1, when the rows are a window of a longer run (row 0 is then the state before it); 1 by default. */
  readonly firstStep?: number;
  /** A row was clicked. */
  readonly onSelect?: (row: number) => void;
}

export interface LaneDiagram {
  readonly element: SVGSVGElement;
  /** Moves the current row (rows after it are dimmed) and scrolls the diagram's container (its parent) to show it. */
  setCurrent(row: number): void;
}

const ROW = 28;
const HEAD = 34;
const NUM = 40;
const LANE = 84;
const LABEL_W = 520;
const MARK_R = 7;

const LANE_STYLE: Record<LaneState, { stroke: string; width: number; dash?: string }> = {
  follower: { stroke: '#b8bec8', width: 2 },
  preCandidate: { stroke: '#f0a030', width: 3, dash: '6 3' },
  candidate: { stroke: '#f0a030', width: 4 },
  leader: { stroke: '#d4a800', width: 7 },
  down: { stroke: '#d64545', width: 2, dash: '2 4' },
};

const MARK_GLYPH: Record<Exclude<MarkKind, 'receive'>, { fill: string; stroke: string; text: string; fg: string }> = {
  timeout: { fill: '#fff1d6', stroke: '#d98a00', text: 'T', fg: '#8a4b00' },
  heartbeat: { fill: '#e3f4e6', stroke: '#3c9a52', text: 'H', fg: '#1d5a2c' },
  client: { fill: '#efe4fb', stroke: '#7a3db8', text: 'C', fg: '#4b2375' },
  snapshot: { fill: '#f3e6d8', stroke: '#9a4a0c', text: 'S', fg: '#5c2c06' },
  membership: { fill: '#eef2ff', stroke: '#3344aa', text: 'M', fg: '#222f80' },
  drop: { fill: '#ffffff', stroke: '#c00000', text: '×', fg: '#c00000' },
  duplicate: { fill: '#f1e6ff', stroke: '#7a3db8', text: '2', fg: '#4b2375' },
  crash: { fill: '#d64545', stroke: '#8f1d1d', text: '✕', fg: '#ffffff' },
  restart: { fill: '#c8f0c8', stroke: '#1a7f1a', text: '↻', fg: '#125c12' },
};

const MARK_NAME: Record<MarkKind, string> = {
  timeout: 'election timeout', heartbeat: 'heartbeat', client: 'client request', snapshot: 'the service took a snapshot', membership: 'a membership change asked of the leader', receive: 'received a message',
  drop: 'message dropped', duplicate: 'message duplicated', crash: 'crash', restart: 'restart from disk',
};

export function laneDiagram(data: LaneDiagramData, options: LaneDiagramOptions = {}): LaneDiagram {
  const n = data.lanes.length;
  const firstStep = options.firstStep ?? 1;
  const inFlight = data.arrows.some((a) => a.toRow === null);
  const rowsDrawn = data.rows.length + (inFlight ? 1 : 0);
  const laneX = (lane: number): number => NUM + LANE / 2 + lane * LANE;
  const rowY = (row: number): number => HEAD + ROW / 2 + row * ROW;
  const labelX = NUM + n * LANE + 10;
  const width = labelX + LABEL_W;
  const height = HEAD + rowsDrawn * ROW + 6;

  const svg = s('svg', {
    class: 'pr-lanes', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img',
    'aria-label': `lane diagram: ${n} servers, ${data.rows.length - 1} steps`, 'data-testid': 'lane-diagram',
  });
  const colours = [...new Set(data.arrows.map((a) => a.colour).concat('#8a8a8a'))];
  const markerId = (c: string, open = false): string => `pr-arrow-${open ? 'o' : 'f'}-${c.replace(/[^0-9a-z]/gi, '')}`;
  svg.appendChild(s('defs', {}, colours.flatMap((c) => [
    s('marker', { id: markerId(c), viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
      s('path', { d: 'M0,0 L10,5 L0,10 z', fill: c })),
    s('marker', { id: markerId(c, true), viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
      s('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#ffffff', stroke: c, 'stroke-width': 1.5 })),
  ])));

  // Row backgrounds: the current row's band, red or amber rows.
  const bands = s('g', { class: 'pr-lane-bands' });
  const rowGroups: SVGGElement[] = [];
  data.rows.forEach((r, i) => {
    const g = s('g', { class: `pr-lane-row${r.emphasis ? ` is-${r.emphasis}` : ''}` },
      s('rect', { class: 'pr-lane-band', x: 0, y: rowY(i) - ROW / 2, width, height: ROW }));
    bands.appendChild(g);
    rowGroups.push(g);
  });
  svg.appendChild(bands);

  // Lane heads.
  svg.appendChild(s('g', { class: 'pr-lane-heads' }, data.lanes.map((name, lane) =>
    s('text', { x: laneX(lane), y: HEAD - 12, 'text-anchor': 'middle', class: 'pr-lane-head' }, name))));

  // Lifelines: each segment from one row to the next in the lane's state after the first.
  const lifelines = s('g', { class: 'pr-lifelines' });
  for (let lane = 0; lane < n; lane++) {
    for (let i = 0; i < rowsDrawn - 1; i++) {
      const state = data.rows[Math.min(i, data.rows.length - 1)]!.lanes[lane] ?? 'follower';
      const st = LANE_STYLE[state];
      lifelines.appendChild(s('line', {
        x1: laneX(lane), x2: laneX(lane), y1: rowY(i), y2: rowY(i + 1), stroke: st.stroke, 'stroke-width': st.width,
        'stroke-dasharray': st.dash ?? null, 'stroke-linecap': state === 'down' ? 'round' : 'butt',
        class: 'pr-lifeline', 'data-row': i + 1, 'data-state': state,
      }));
    }
  }
  svg.appendChild(lifelines);

  // Arrows.
  const arrows = s('g', { class: 'pr-arrows' });
  for (const a of data.arrows) {
    const x1 = laneX(a.fromLane);
    const y1 = rowY(a.fromRow);
    const x2 = laneX(a.toLane);
    const y2 = rowY(a.toRow ?? data.rows.length);
    const dx = x2 - x1;
    const dy = y2 - y1;
    const len = Math.hypot(dx, dy) || 1;
    const shrink = a.end === 'in-flight' ? 4 : MARK_R + 1;
    const ex = x2 - (dx / len) * shrink;
    const ey = y2 - (dy / len) * shrink;
    const sx = x1 + (dx / len) * 3;
    const sy = y1 + (dy / len) * 3;
    const lost = a.end === 'lost';
    const colour = lost ? '#8a8a8a' : a.colour;
    const g = s('g', { class: `pr-arrow is-${a.end}`, 'data-testid': 'lane-arrow', 'data-kind': a.kind ?? null, 'data-end': a.end, 'data-from-row': a.fromRow, 'data-to-row': a.toRow ?? '' }, s('title', {}, a.title));
    g.appendChild(s('line', {
      x1: sx, y1: sy, x2: ex, y2: ey, stroke: colour, 'stroke-width': 1.6,
      'stroke-dasharray': lost || a.end === 'in-flight' ? '2 3' : a.dashed ? '6 3' : null,
      'marker-end': a.end === 'delivered' ? `url(#${markerId(colour)})` : a.end === 'in-flight' ? `url(#${markerId(colour, true)})` : null,
    }));
    if (a.end === 'dropped') {
      // A bar across the arrow's end.
      const px = (-dy / len) * 6;
      const py = (dx / len) * 6;
      g.appendChild(s('line', { x1: ex - px, y1: ey - py, x2: ex + px, y2: ey + py, stroke: colour, 'stroke-width': 2 }));
    }
    if (lost) g.appendChild(s('circle', { cx: ex, cy: ey, r: 2.5, fill: '#ffffff', stroke: colour, 'stroke-width': 1.2 }));
    arrows.appendChild(g);
  }
  svg.appendChild(arrows);

  // Marks and row labels.
  const marks = s('g', { class: 'pr-marks' });
  data.rows.forEach((r, i) => {
    const y = rowY(i);
    const g = s('g', { class: `pr-mark-row${r.emphasis ? ` is-${r.emphasis}` : ''}`, 'data-row': i });
    g.appendChild(s('text', { x: NUM - 8, y: y + 4, 'text-anchor': 'end', class: 'pr-row-num' }, i === 0 && firstStep === 1 ? 'start' : `#${firstStep - 1 + i}`));
    if (r.mark) {
      const x = laneX(r.mark.lane);
      const kind = r.mark.kind;
      const title = s('title', {}, `${MARK_NAME[kind]}${r.mark.crashAfter ? ', then a crash mid-step' : ''}`);
      if (kind === 'receive') {
        g.appendChild(s('circle', { cx: x, cy: y, r: MARK_R - 1, fill: r.mark.colour ?? '#555555', stroke: '#ffffff', 'stroke-width': 1.5, class: 'pr-mark', 'data-kind': kind }, title));
      } else {
        const glyph = MARK_GLYPH[kind];
        const shape = kind === 'crash'
          ? s('rect', { x: x - MARK_R, y: y - MARK_R, width: 2 * MARK_R, height: 2 * MARK_R, rx: 3, fill: glyph.fill, stroke: glyph.stroke, class: 'pr-mark', 'data-kind': kind }, title)
          : s('circle', { cx: x, cy: y, r: MARK_R, fill: glyph.fill, stroke: glyph.stroke, 'stroke-width': 1.5, class: 'pr-mark', 'data-kind': kind }, title);
        g.appendChild(shape);
        g.appendChild(s('text', { x, y: y + 3.5, 'text-anchor': 'middle', class: 'pr-mark-glyph', fill: glyph.fg }, glyph.text));
      }
      if (r.mark.crashAfter) g.appendChild(s('circle', { cx: x, cy: y, r: MARK_R + 3.5, fill: 'none', stroke: '#d64545', 'stroke-width': 2, class: 'pr-mark-crash-after' }));
      if (r.emphasis === 'violation') g.appendChild(s('circle', { cx: x, cy: y, r: MARK_R + 6, fill: 'none', stroke: '#d00000', 'stroke-width': 2.5 }));
    }
    g.appendChild(s('text', { x: labelX, y: y + 4, class: 'pr-row-label' }, r.label));
    marks.appendChild(g);
  });
  if (inFlight) {
    const y = rowY(data.rows.length);
    marks.appendChild(s('text', { x: labelX, y: y + 4, class: 'pr-row-label pr-muted-label' }, 'still in flight at the end'));
  }
  svg.appendChild(marks);

  // On top of everything: one transparent target per row, which takes the clicks and shows the
  // row's whole action as its tooltip.
  svg.appendChild(s('g', { class: 'pr-lane-hits' }, data.rows.map((r, i) => {
    const hit = s('rect', {
      class: 'pr-lane-hit', x: 0, y: rowY(i) - ROW / 2, width, height: ROW, 'data-testid': 'lane-row', 'data-row': i, 'data-emphasis': r.emphasis ?? '',
    }, s('title', {}, r.title ?? r.label));
    if (options.onSelect) hit.addEventListener('click', () => options.onSelect!(i));
    return hit;
  })));

  const markRows = [...marks.querySelectorAll<SVGGElement>('.pr-mark-row')];
  const arrowEls = [...arrows.querySelectorAll<SVGGElement>('.pr-arrow')];
  const lifelineEls = [...lifelines.querySelectorAll<SVGLineElement>('.pr-lifeline')];

  function setCurrent(row: number): void {
    rowGroups.forEach((g, i) => {
      g.classList.toggle('is-current', i === row);
      g.classList.toggle('is-future', i > row);
    });
    markRows.forEach((g, i) => g.classList.toggle('is-future', i > row));
    arrowEls.forEach((g) => g.classList.toggle('is-future', Number(g.dataset['fromRow']) >= row + 1));
    lifelineEls.forEach((l) => l.classList.toggle('is-future', Number(l.dataset['row']) > row));
    svg.setAttribute('data-current', String(row));
    // Keep the row in view inside the diagram's scroll box, never scrolling the page itself.
    const box = svg.parentElement;
    if (box && box.scrollHeight > box.clientHeight) {
      const top = rowY(row) - ROW / 2 - HEAD;
      const bottom = rowY(row) + ROW / 2 + ROW;
      if (top < box.scrollTop) box.scrollTop = Math.max(0, top);
      else if (bottom > box.scrollTop + box.clientHeight) box.scrollTop = bottom - box.clientHeight;
    }
  }
  setCurrent(options.current ?? 0);
  return { element: svg, setCurrent };
}

/** A key to the marks, lanes and arrows, as a list (class pr-legend). */
export function laneLegend(): HTMLElement {
  const glyph = (kind: Exclude<MarkKind, 'receive'>): SVGSVGElement => {
    const g = MARK_GLYPH[kind];
    return s('svg', { width: 18, height: 18, viewBox: '0 0 18 18', 'aria-hidden': 'true' },
      kind === 'crash' ? s('rect', { x: 2, y: 2, width: 14, height: 14, rx: 3, fill: g.fill, stroke: g.stroke })
        : s('circle', { cx: 9, cy: 9, r: 7, fill: g.fill, stroke: g.stroke, 'stroke-width': 1.5 }),
      s('text', { x: 9, y: 12.5, 'text-anchor': 'middle', class: 'pr-mark-glyph', fill: g.fg }, g.text));
  };
  const lane = (state: LaneState): SVGSVGElement => {
    const st = LANE_STYLE[state];
    return s('svg', { width: 18, height: 18, viewBox: '0 0 18 18', 'aria-hidden': 'true' },
      s('line', { x1: 9, x2: 9, y1: 1, y2: 17, stroke: st.stroke, 'stroke-width': st.width, 'stroke-dasharray': st.dash ?? null }));
  };
  const arrow = (colour: string, dash: string | null): SVGSVGElement =>
    s('svg', { width: 26, height: 18, viewBox: '0 0 26 18', 'aria-hidden': 'true' },
      s('line', { x1: 1, y1: 9, x2: 19, y2: 9, stroke: colour, 'stroke-width': 1.6, 'stroke-dasharray': dash }),
      s('path', { d: 'M18,5 L25,9 L18,13 z', fill: colour }));
  const items: [SVGSVGElement, string][] = [
    [glyph('timeout'), 'election timeout'], [glyph('heartbeat'), 'heartbeat'], [glyph('client'), 'client request'],
    [glyph('snapshot'), 'snapshot taken'],
    [arrow('#1f5fbf', null), 'RequestVote and its reply'], [arrow('#1d7a3a', null), 'AppendEntries and its reply'],
    [arrow(MESSAGE_COLOUR.InstallSnapshot, null), 'InstallSnapshot and its reply'],
    [arrow('#7a3db8', '6 3'), 'a duplicated copy'], [arrow('#8a8a8a', '2 3'), 'lost in a crash, or still in flight'],
    [glyph('drop'), 'dropped'], [glyph('duplicate'), 'duplicated'], [glyph('crash'), 'crash'], [glyph('restart'), 'restart from disk'],
    [lane('leader'), 'leader'], [lane('candidate'), 'candidate'], [lane('preCandidate'), 'pre-candidate'], [lane('follower'), 'follower'], [lane('down'), 'down'],
  ];
  return h('ul', { class: 'pr-legend', 'data-testid': 'lane-legend' }, items.map(([sym, text]) => h('li', {}, sym, text)));
}
