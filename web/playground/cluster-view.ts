import { configurationInEffect, lastLogIndex, type Message } from '../../src/core/index.js';
import { formatMessage } from '../../model/raft/actions.js';
import { MESSAGE_COLOUR, ROLE_COLOUR, termSwatch } from '../shared/colours.js';
import { type Child, s } from '../shared/dom.js';
import { serverName, snapshotExtent } from '../shared/format.js';
import { clusterConfiguration, flights, isCut, isIsolated, membershipOf, type Flight, type Membership, type Sim } from './sim.js';

/**
 * The cluster as a ring of servers (as in raft.github.io's RaftScope): each server a disc in its
 * role's colour with its term in the middle and its election timer as a ring around it; the
 * links between them (click one to cut or heal it); messages in flight moving along the links
 * (click one to lose it). A learner's disc has a dotted outline, a server outside the cluster's
 * configuration (waiting to be added, or removed) a faded dashed one. Built once per run, then
 * updated in place every frame.
 */

export interface ClusterHandlers {
  readonly onServer: (server: number) => void;
  readonly onLink: (a: number, b: number) => void;
  readonly onMessage: (flightId: number) => void;
}

const WIDTH = 500;
const HEIGHT = 470;
const CX = WIDTH / 2;
const CY = 228;
const RING = 168;
const R = 40;
const TIMER_R = R + 8;

interface Point { readonly x: number; readonly y: number }

interface NodeParts {
  readonly g: SVGGElement;
  readonly disc: SVGCircleElement;
  readonly ring: SVGCircleElement;
  readonly track: SVGCircleElement;
  readonly isolation: SVGCircleElement;
  readonly term: SVGTextElement;
  readonly termLabel: SVGTextElement;
  readonly caption: SVGTextElement;
  readonly caption2: SVGTextElement;
  readonly crown: SVGTextElement;
  key: string;
}

interface LinkParts {
  readonly line: SVGLineElement;
  readonly hit: SVGLineElement;
  readonly scissors: SVGTextElement;
  readonly title: SVGTitleElement;
  cut: boolean | null;
}

export interface ClusterView {
  readonly element: HTMLElement;
  update(sim: Sim): void;
}

function positions(n: number): Point[] {
  return Array.from({ length: n }, (_, i) => {
    const a = -Math.PI / 2 + (2 * Math.PI * i) / n;
    return { x: CX + RING * Math.cos(a), y: CY + RING * Math.sin(a) };
  });
}

/** Where a message is at `now`: along its link from edge to edge, requests and replies on either side of it. */
function flightPoint(f: Flight, now: number, at: readonly Point[]): Point {
  const a = at[f.message.from]!;
  const b = at[f.message.to]!;
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len = Math.hypot(dx, dy) || 1;
  const ux = dx / len;
  const uy = dy / len;
  const side = f.message.from < f.message.to ? 1 : -1;
  const off = 7 * side;
  const edge = R + 6;
  const p = Math.min(1, Math.max(0, (now - f.sentAt) / Math.max(1e-9, f.deliverAt - f.sentAt)));
  const sx = a.x + ux * edge;
  const sy = a.y + uy * edge;
  const ex = b.x - ux * edge;
  const ey = b.y - uy * edge;
  return { x: sx + (ex - sx) * p - uy * off, y: sy + (ey - sy) * p + ux * off };
}

/** Whether a reply says no (drawn hollow). */
const refusal = (m: Message): boolean =>
  (m.type === 'RequestVoteReply' && !m.voteGranted) || (m.type === 'AppendEntriesReply' && !m.success) || (m.type === 'InstallSnapshotReply' && m.matchIndex === 0);

/**
 * A message's shape: requests large, replies small, hollow when a reply says no; votes and
 * appends are discs (an append shows how many entries it carries), snapshots squares marked S.
 */
function glyphShape(type: Message['type'], hollow: boolean, entries: number): Child[] {
  const colour = MESSAGE_COLOUR[type];
  const fill = hollow ? '#ffffff' : colour;
  if (type === 'InstallSnapshot' || type === 'InstallSnapshotReply') {
    const half = type === 'InstallSnapshot' ? 9 : 5.5;
    return [s('rect', { x: -half, y: -half, width: 2 * half, height: 2 * half, rx: 2, fill, stroke: colour, 'stroke-width': 2 }),
      type === 'InstallSnapshot' ? s('text', { 'text-anchor': 'middle', dy: '0.35em', 'font-size': 9, 'font-weight': 700, fill: '#fff' }, 'S') : null];
  }
  const isRequest = type === 'RequestVote' || type === 'AppendEntries';
  const r = isRequest ? (entries > 0 ? 10 : 7.5) : 5.5;
  return [s('circle', { r, fill, stroke: colour, 'stroke-width': 2 }),
    entries > 0 ? s('text', { 'text-anchor': 'middle', dy: '0.35em', 'font-size': 9, 'font-weight': 700, fill: '#fff' }, entries) : null];
}

function messageGlyph(f: Flight, onMessage: (id: number) => void): SVGGElement {
  const m = f.message;
  const entries = m.type === 'AppendEntries' ? m.entries.length : 0;
  const g = s('g', { class: 'pg-msg', 'data-testid': 'message', 'data-type': m.type, 'data-from': m.from, 'data-to': m.to, 'data-flight': f.id },
    s('title', {}, `${formatMessage(m)}\n(click to lose this message)`),
    glyphShape(m.type, refusal(m), entries));
  g.addEventListener('click', (e) => {
    e.stopPropagation();
    onMessage(f.id);
  });
  return g;
}

export function clusterView(servers: number, handlers: ClusterHandlers): ClusterView {
  const at = positions(servers);
  const linksLayer = s('g', {});
  const messagesLayer = s('g', {});
  const nodesLayer = s('g', {});
  const svg = s('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-label': 'the cluster', 'data-testid': 'cluster' }, linksLayer, nodesLayer, messagesLayer);

  const links = new Map<string, LinkParts>();
  for (let a = 0; a < servers; a++) {
    for (let b = a + 1; b < servers; b++) {
      const pa = at[a]!;
      const pb = at[b]!;
      const title = s('title', {});
      const hit = s('line', { class: 'pg-link-hit', x1: pa.x, y1: pa.y, x2: pb.x, y2: pb.y, 'data-testid': `link-${a}-${b}` }, title);
      const line = s('line', { class: 'pg-link', x1: pa.x, y1: pa.y, x2: pb.x, y2: pb.y });
      const scissors = s('text', { class: 'pg-scissors', x: (pa.x + pb.x) / 2, y: (pa.y + pb.y) / 2, 'text-anchor': 'middle', dy: '0.35em', visibility: 'hidden' }, '✂');
      const group = s('g', { class: 'pg-link-group' }, hit, line, scissors);
      hit.addEventListener('click', () => handlers.onLink(a, b));
      linksLayer.appendChild(group);
      links.set(`${a}-${b}`, { line, hit, scissors, title, cut: null });
    }
  }

  const nodes: NodeParts[] = at.map((p, i) => {
    const track = s('circle', { class: 'pg-ring-track', cx: 0, cy: 0, r: TIMER_R });
    const ring = s('circle', { class: 'pg-ring', cx: 0, cy: 0, r: TIMER_R, pathLength: 100, transform: 'rotate(-90)', 'stroke-dasharray': '0 100' });
    const isolation = s('circle', { class: 'pg-isolation', cx: 0, cy: 0, r: TIMER_R + 9, visibility: 'hidden' });
    const disc = s('circle', { class: 'pg-disc', cx: 0, cy: 0, r: R });
    const term = s('text', { class: 'pg-term', 'text-anchor': 'middle', y: 10 });
    const termLabel = s('text', { class: 'pg-termlabel', 'text-anchor': 'middle', y: 25 }, 'term');
    const name = s('text', { class: 'pg-name', 'text-anchor': 'middle', y: -17 }, serverName(i));
    const capY = TIMER_R + 22;
    const caption = s('text', { class: 'pg-caption', 'text-anchor': 'middle', y: capY });
    const caption2 = s('text', { class: 'pg-caption2', 'text-anchor': 'middle', y: capY + 14 });
    const crown = s('text', { class: 'pg-crown', 'text-anchor': 'middle', x: R - 4, y: -R + 8, visibility: 'hidden' }, '★');
    const title = s('title', {}, `${serverName(i)}: click to isolate it from every other server (click again to rejoin)`);
    const g = s('g', { class: 'pg-node', transform: `translate(${p.x.toFixed(1)} ${p.y.toFixed(1)})`, 'data-testid': `server-node-${i}`, 'data-server': i },
      title, isolation, track, ring, disc, name, term, termLabel, crown, caption, caption2);
    g.addEventListener('click', () => handlers.onServer(i));
    nodesLayer.appendChild(g);
    return { g, disc, ring, track, isolation, term, termLabel, caption, caption2, crown, key: '' };
  });

  const glyphs = new Map<number, SVGGElement>();

  function updateNode(sim: Sim, i: number, member: Membership): void {
    const n = nodes[i]!;
    const st = sim.system.servers[i]!.state;
    const clock = sim.clocks[i]!;
    const isolated = isIsolated(sim, i);
    const role = st?.role ?? 'down';
    // Text and colours change only with the state; the timer ring every frame.
    const key = `${role}|${st?.currentTerm}|${st?.votedFor}|${st?.votesGranted.join()}|${isolated}|${st?.commitIndex}|${st ? lastLogIndex(st) : ''}|${st?.lastIncludedIndex}|${member}`;
    if (key !== n.key) {
      n.key = key;
      n.g.setAttribute('data-membership', member);
      n.g.classList.toggle('is-outside', member === 'outside' || member === 'removed');
      n.g.classList.toggle('is-learner', member === 'learner');
      const c = ROLE_COLOUR[role];
      n.disc.setAttribute('fill', c.bg);
      n.disc.setAttribute('stroke', c.border);
      n.g.setAttribute('data-role', role);
      n.term.textContent = st ? String(st.currentTerm) : '✕';
      n.term.setAttribute('fill', st ? termSwatch(st.currentTerm).fg : ROLE_COLOUR.down.fg);
      n.termLabel.textContent = st ? 'term' : 'down';
      n.crown.setAttribute('visibility', role === 'leader' ? 'visible' : 'hidden');
      n.crown.setAttribute('fill', ROLE_COLOUR.leader.border);
      n.isolation.setAttribute('visibility', isolated ? 'visible' : 'hidden');
      n.caption.textContent = (st ? role : 'crashed') + (member === 'voter' ? '' : ` · ${member}`);
      n.caption.setAttribute('font-weight', role === 'leader' ? '700' : '400');
      const disk = sim.system.servers[i]!.persisted;
      const onDisk = disk.log.length;
      const entries = `${onDisk} ${onDisk === 1 ? 'entry' : 'entries'}`;
      if (!st) n.caption2.textContent = disk.lastIncludedIndex > 0 ? `disk: snapshot ${snapshotExtent(disk.lastIncludedIndex, disk.lastIncludedTerm)} + ${entries}` : onDisk > 0 ? `disk: ${entries}` : '';
      else if (st.role === 'candidate' || st.role === 'preCandidate') n.caption2.textContent = `${st.role === 'candidate' ? 'votes' : 'pre-votes'} ${st.votesGranted.filter(Boolean).length} of ${configurationInEffect(st).voters.length}`;
      else n.caption2.textContent = `voted ${st.votedFor === null ? '—' : serverName(st.votedFor)}`;
    }
    const showTimer = st !== null && st.role !== 'leader' && clock.electionAt !== null;
    n.ring.setAttribute('visibility', showTimer ? 'visible' : 'hidden');
    n.track.setAttribute('visibility', st && st.role !== 'leader' ? 'visible' : 'hidden');
    if (showTimer) {
      const total = clock.electionAt! - clock.electionArmedAt;
      const left = Math.max(0, Math.min(1, (clock.electionAt! - sim.timeline.now) / (total || 1)));
      n.ring.setAttribute('stroke-dasharray', `${(left * 100).toFixed(2)} 100`);
      n.ring.setAttribute('class', `pg-ring${st.role === 'candidate' ? ' is-candidate' : ''}`);
    }
  }

  function updateLinks(sim: Sim): void {
    for (const [k, l] of links) {
      const [a, b] = k.split('-').map(Number) as [number, number];
      const cut = isCut(sim, a, b);
      if (cut === l.cut) continue;
      l.cut = cut;
      l.line.setAttribute('class', `pg-link${cut ? ' is-cut' : ''}`);
      l.hit.setAttribute('data-cut', String(cut));
      l.scissors.setAttribute('visibility', cut ? 'visible' : 'hidden');
      l.title.textContent = cut
        ? `${serverName(a)}–${serverName(b)} is cut: messages on it are lost. Click to heal.`
        : `${serverName(a)}–${serverName(b)}: click to cut this link.`;
    }
  }

  function updateMessages(sim: Sim): void {
    const live = new Set<number>();
    for (const f of flights(sim)) {
      live.add(f.id);
      let g = glyphs.get(f.id);
      if (!g) {
        g = messageGlyph(f, handlers.onMessage);
        glyphs.set(f.id, g);
        messagesLayer.appendChild(g);
      }
      const p = flightPoint(f, sim.timeline.now, at);
      g.setAttribute('transform', `translate(${p.x.toFixed(1)} ${p.y.toFixed(1)})`);
      // Lost on arrival if nothing changes before: its link is cut or its receiver is down.
      const doomed = f.lost || isCut(sim, f.message.from, f.message.to) || sim.system.servers[f.message.to]!.state === null;
      g.classList.toggle('is-doomed', doomed);
    }
    for (const [id, g] of glyphs) {
      if (live.has(id)) continue;
      g.remove();
      glyphs.delete(id);
    }
  }

  const element = document.createElement('div');
  element.className = 'pg-cluster';
  element.appendChild(svg);
  return {
    element,
    update(sim) {
      const config = clusterConfiguration(sim);
      for (let i = 0; i < servers; i++) updateNode(sim, i, membershipOf(sim, i, config));
      updateLinks(sim);
      updateMessages(sim);
    },
  };
}

/** A small message glyph for the legend. */
export function legendGlyph(type: Message['type'], hollow: boolean, entries = 0): SVGSVGElement {
  return s('svg', { class: 'pg-legend-svg', width: 24, height: 24, viewBox: '-12 -12 24 24' }, glyphShape(type, hollow, entries));
}
