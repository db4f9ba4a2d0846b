import type { LogEntry, Message, PersistentState, RaftState } from '../../src/core/index.js';
import type { RaftAction } from '../raft/actions.js';
import { formatBounds } from '../raft/bounds.js';
import { entryWords } from '../raft/configs.js';
import { formatCommand } from '../raft/describe.js';
import type { SystemState } from '../raft/system.js';
import { type TraceFile, traceSentence } from './trace-file.js';

/**
 * A counterexample as a lane diagram in Graphviz DOT (render it with ./svg.ts).
 *
 * Layout: one column per server and one row (a DOT rank) per step, so time flows down. Every
 * (server, row) has a node: an event box where that server acted in that step (or where an
 * environment action on a message addressed to it happened), else an invisible point the lane's
 * lifeline runs through. Row 0 holds the servers' initial states; after the last step come a
 * row of "in flight" sinks (only when messages are left in the network) and a row with every
 * server's final state, highlighted in red when the trace breaks an invariant.
 *
 * Messages are arrows from the node whose step put the copy in the network to the node where it
 * left: a Receive (solid), a Drop marker, the crash that lost it, or the in-flight sink. A copy
 * made by DuplicateMessage starts at the duplicate marker and is dashed.
 *
 * Nodes and edges carry an SVG `class` (event, crash, restart, drop, dup, final, inflight;
 * msg delivered|dropped|lost|inflight, plus dup) so tests and stylesheets can find them.
 */

// ---- message flows: which copy went where ---------------------------------------------------

export type FlowEnd = 'delivered' | 'dropped' | 'lost' | 'in-flight';

/** One copy of a message over its life in the network. */
export interface MessageFlow {
  readonly message: Message;
  /** The step whose action put this copy in the network (0: already in the initial state). */
  readonly sentAt: number;
  /** The copy was made by a DuplicateMessage step (sentAt is that step). */
  readonly duplicate: boolean;
  readonly end: FlowEnd;
  /** The step that took it out of the network; null while still in flight at the end. */
  readonly endedAt: number | null;
}

/** Messages compared by content, independent of property order (a trace may come from JSON). */
function messageIdentity(m: Message): string {
  const entries = Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(entries);
}

const countByIdentity = (network: readonly Message[]): Map<string, number> => {
  const counts = new Map<string, number>();
  for (const m of network) {
    const k = messageIdentity(m);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return counts;
};

interface Copy {
  readonly key: string;
  readonly message: Message;
  readonly sentAt: number;
  readonly duplicate: boolean;
}

/**
 * Follows every copy of every message through the trace by diffing the network multisets of
 * consecutive states. The action says which copy a Receive or Drop took out and which copy a
 * DuplicateMessage made; whatever else left the network was lost in a crash (traces from before
 * crashes left the network alone; a crash loses nothing in flight now), whatever else came
 * in was sent by the acting server. Equal copies are indistinguishable, so the oldest goes first.
 */
export function messageFlows(trace: TraceFile): MessageFlow[] {
  const flows: MessageFlow[] = [];
  let copies: Copy[] = trace.initial.network.map((message) => ({ key: messageIdentity(message), message, sentAt: 0, duplicate: false }));
  const take = (key: string): Copy | undefined => {
    const i = copies.findIndex((c) => c.key === key);
    if (i < 0) return undefined;
    const [c] = copies.splice(i, 1);
    return c;
  };
  const end = (c: Copy, how: FlowEnd, at: number | null): void => {
    flows.push({ message: c.message, sentAt: c.sentAt, duplicate: c.duplicate, end: how, endedAt: at });
  };

  trace.steps.forEach(({ action, state }, index) => {
    const at = index + 1;
    if (action.kind === 'Receive' || action.kind === 'DropMessage') {
      const key = messageIdentity(action.message);
      // A trace that does not hold the copy it takes (hand-edited) still gets its arrow, from row 0.
      const c = take(key) ?? { key, message: action.message, sentAt: 0, duplicate: false };
      end(c, action.kind === 'Receive' ? 'delivered' : 'dropped', at);
    } else if (action.kind === 'DuplicateMessage') {
      copies.push({ key: messageIdentity(action.message), message: action.message, sentAt: at, duplicate: true });
    }
    const want = countByIdentity(state.network);
    const have = new Map<string, number>();
    const kept: Copy[] = [];
    for (const c of copies) {
      const n = (have.get(c.key) ?? 0) + 1;
      if (n > (want.get(c.key) ?? 0)) end(c, 'lost', at);
      else {
        have.set(c.key, n);
        kept.push(c);
      }
    }
    copies = kept;
    for (const m of state.network) {
      const key = messageIdentity(m);
      const n = have.get(key) ?? 0;
      if (n < (want.get(key) ?? 0)) {
        have.set(key, n + 1);
        copies.push({ key, message: m, sentAt: at, duplicate: false });
      }
    }
  });
  for (const c of copies) end(c, 'in-flight', null);
  return flows;
}

// ---- text ------------------------------------------------------------------------------------

/** Escapes text for a double-quoted DOT string: backslashes, quotes, and line breaks (as \n). */
export function escapeDot(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r\n|\r|\n/g, '\\n');
}

/** A DOT value written as is: a quoted label of escaped lines, or an HTML-like label. */
interface RawDot {
  readonly dot: string;
}

/** A label of left-justified lines, each escaped (a line break inside a line starts another). */
const lines = (ls: readonly string[]): RawDot => ({
  dot: `"${ls.flatMap((l) => l.split(/\r\n|\r|\n/)).map((l) => `${escapeDot(l)}\\l`).join('')}"`,
});

export { formatCommand };

const formatLog = (log: readonly LogEntry[]): string => `[${log.map((e) => entryWords(e, formatCommand)).join(' ')}]`;
/** A log after its snapshot, the snapshot written as its last index and term. */
const formatLogView = (v: PersistentState): string => (v.lastIncludedIndex > 0 ? `snap ${v.lastIncludedIndex}@t${v.lastIncludedTerm} ` : '') + formatLog(v.log);
const voted = (v: number | null): string => (v === null ? '-' : `s${v}`);

function persistentLine(p: PersistentState): string {
  return `t${p.currentTerm} voted ${voted(p.votedFor)} log ${formatLogView(p)}`;
}

/** A live server's state: role and term, log and commit, and the leader's or candidate's bookkeeping. */
function stateLines(s: RaftState, disk: PersistentState): string[] {
  const out = [`${s.role} t${s.currentTerm} voted ${voted(s.votedFor)}`, `log ${formatLogView(s)} commit ${s.commitIndex}`];
  if (s.role === 'leader') out.push(`next [${s.nextIndex.join(',')}] match [${s.matchIndex.join(',')}]`);
  if (s.role === 'candidate' || s.role === 'preCandidate') {
    const votes = s.votesGranted.flatMap((g, i) => (g ? [`s${i}`] : []));
    out.push(`votes ${votes.length > 0 ? votes.join(',') : '-'}`);
  }
  const sameDisk =
    disk.currentTerm === s.currentTerm && disk.votedFor === s.votedFor && formatLogView(disk) === formatLogView(s);
  if (!sameDisk) out.push(`disk: ${persistentLine(disk)}`);
  return out;
}

/** A message in a few words; the arrow already says from whom to whom. */
export function shortMessage(m: Message): string {
  switch (m.type) {
    case 'RequestVote':
      return `RequestVote t${m.term} last ${m.lastLogIndex}@t${m.lastLogTerm}`;
    case 'RequestVoteReply':
      return `vote ${m.voteGranted ? 'granted' : 'refused'} t${m.term}`;
    case 'AppendEntries':
      return `AppendEntries t${m.term} prev ${m.prevLogIndex}@t${m.prevLogTerm} ${formatLog(m.entries)} commit ${m.leaderCommit}`;
    case 'AppendEntriesReply':
      return m.success ? `AE ok t${m.term} match ${m.matchIndex}` : `AE rejected t${m.term} conflict ${m.conflictIndex}@t${m.conflictTerm}`;
    case 'InstallSnapshot':
      return `InstallSnapshot t${m.term} snap ${m.lastIncludedIndex}@t${m.lastIncludedTerm}`;
    case 'InstallSnapshotReply':
      return `IS ack t${m.term} match ${m.matchIndex}`;
    case 'PreVote':
      return `PreVote t${m.term} last ${m.lastLogIndex}@t${m.lastLogTerm}`;
    case 'PreVoteReply':
      return `pre-vote ${m.voteGranted ? 'granted' : 'refused'} t${m.term}`;
  }
}

const MESSAGE_COLOUR: Record<Message['type'], string> = {
  RequestVote: '#1f5fbf',
  RequestVoteReply: '#6a8fd0',
  AppendEntries: '#1d7a3a',
  AppendEntriesReply: '#6aa872',
  InstallSnapshot: '#9a4a0c',
  InstallSnapshotReply: '#c98a55',
  PreVote: '#7a4fbf',
  PreVoteReply: '#a58fd0',
};

// ---- the title ---------------------------------------------------------------------------------

/** The diagram's title: what was checked, within which bounds, and what broke. */
export function traceTitle(trace: TraceFile): string[] {
  const n = trace.steps.length;
  const head = trace.invariant === null
    ? `Trace of ${n} step${n === 1 ? '' : 's'} (no invariant broken)`
    : `Counterexample: ${trace.invariant} violated after ${n} step${n === 1 ? '' : 's'}`;
  const out = [head, `model ${trace.model}${trace.mutant !== undefined && !trace.model.includes(trace.mutant) ? ` (mutant ${trace.mutant})` : ''}, symmetry ${trace.symmetry ? 'on' : 'off'}`,
    `bounds: ${formatBounds(trace.bounds)}`];
  const why = traceSentence(trace);
  if (why !== undefined) out.push(`detail: ${why}`);
  return out;
}

// ---- the diagram -------------------------------------------------------------------------------

/** The lane an action is drawn in: the acting server, or for a message action the addressee. */
export function laneOf(a: RaftAction): number {
  switch (a.kind) {
    case 'Receive':
    case 'DropMessage':
    case 'DuplicateMessage':
      return a.message.to;
    default:
      return a.server;
  }
}

const cell = (server: number, row: number): string => `c${server}_${row}`;
const sink = (server: number): string => `inflight${server}`;
const finalNode = (server: number): string => `final${server}`;

type Attrs = Record<string, string | number | RawDot>;

/** DOT attributes: strings and numbers are quoted and escaped, RawDot values written as they are. */
function attrs(a: Attrs): string {
  return `[${Object.entries(a)
    .map(([k, v]) => `${k}=${typeof v === 'object' ? v.dot : `"${escapeDot(String(v))}"`}`)
    .join(', ')}]`;
}

const INVISIBLE: Attrs = { shape: 'point', width: 0.01, height: 0.01, style: 'invis', label: '' };

const ROLE_FILL: Record<RaftState['role'], string> = { follower: '#ffffff', preCandidate: '#f7f0e4', candidate: '#fff1d6', leader: '#fff7a8' };

/** "(from s0, #6)": who sent a copy, and in which step. */
const sentBy = (f: MessageFlow): string => `(from s${f.message.from}, #${f.sentAt})`;

function eventNode(trace: TraceFile, row: number, flows: readonly MessageFlow[]): { lane: number; attrs: Attrs } {
  const step = trace.steps[row - 1]!;
  const { action, state } = step;
  const before = row === 1 ? trace.initial : trace.steps[row - 2]!.state;
  const lane = laneOf(action);
  const slot = state.servers[lane]!;
  const last = row === trace.steps.length && trace.invariant !== null;
  const base: Attrs = { shape: 'box', style: 'rounded,filled', fillcolor: '#ffffff', color: '#555555', penwidth: last ? 3 : 1 };
  const red = (a: Attrs): Attrs => (last ? { ...a, color: '#d00000' } : a);
  const midCrash = 'crashMidStep' in action && action.crashMidStep;
  const title = (what: string): string => `#${row} ${what}`;
  const lost = flows.filter((f) => f.end === 'lost' && f.endedAt === row).map((f) => `lost: ${shortMessage(f.message)} ${sentBy(f)}`);

  switch (action.kind) {
    case 'Crash':
      return { lane, attrs: red({ ...base, shape: 'octagon', style: 'filled', fillcolor: '#ffb3b3', color: '#b00000', class: 'crash',
        label: lines([title('CRASH'), `disk: ${persistentLine(slot.persisted)}`, ...lost]) }) };
    case 'Restart': {
      const body = slot.state ? stateLines(slot.state, slot.persisted) : ['(still down)'];
      return { lane, attrs: red({ ...base, shape: 'box', style: 'filled,bold', fillcolor: '#c8f0c8', color: '#1a7f1a', class: 'restart',
        label: lines([title('RESTART from disk'), ...body]) }) };
    }
    case 'DropMessage':
      return { lane, attrs: red({ ...base, shape: 'box', style: 'dashed,filled', fillcolor: '#ffe8e8', color: '#c00000', fontcolor: '#900000', class: 'drop',
        label: lines([title(`DROPPED s${action.message.from}->s${action.message.to}`), shortMessage(action.message)]) }) };
    case 'DuplicateMessage':
      return { lane, attrs: red({ ...base, shape: 'box', style: 'dashed,filled', fillcolor: '#f1e6ff', color: '#7a3db8', fontcolor: '#4b2375', class: 'dup',
        label: lines([title(`DUPLICATED s${action.message.from}->s${action.message.to}`), shortMessage(action.message)]) }) };
    case 'Timeout':
    case 'Heartbeat':
    case 'ClientRequest':
    case 'Snapshot':
    case 'ChangeMembership':
    case 'Receive': {
      let what: string;
      if (action.kind === 'Receive') what = `recv from s${action.message.from}: ${shortMessage(action.message)}`;
      else if (action.kind === 'ChangeMembership') what = `ChangeMembership ${action.change.kind} s${action.change.server}`;
      else if (action.kind === 'ClientRequest') what = `ClientRequest ${formatCommand(state.commandsIssued)}`;
      else if (action.kind === 'Snapshot') what = `Snapshot through ${before.servers[lane]!.state?.lastApplied ?? '?'}`;
      else what = action.kind === 'Timeout' ? 'election Timeout' : 'Heartbeat';
      if (midCrash || !slot.state) {
        const was = before.servers[lane]!.state;
        return { lane, attrs: red({ ...base, shape: 'octagon', style: 'filled', fillcolor: '#ffb3b3', color: '#b00000', class: 'crash event',
          label: lines([title(what), 'CRASH mid-step (after its first effects)', `disk: ${persistentLine(slot.persisted)}`,
            ...(was ? [`(was ${was.role} t${was.currentTerm})`] : []), ...lost]) }) };
      }
      return { lane, attrs: red({ ...base, fillcolor: ROLE_FILL[slot.state.role], class: 'event',
        label: lines([title(what), ...stateLines(slot.state, slot.persisted)]) }) };
    }
  }
}

function serverSummary(slot: SystemState['servers'][number]): string[] {
  return slot.state ? stateLines(slot.state, slot.persisted) : ['DOWN (crashed)', `disk: ${persistentLine(slot.persisted)}`];
}

/**
 * The key to the marks. Plain text: the WASM Graphviz has no HTML-like labels (it draws their
 * node's name instead).
 */
export const LEGEND: readonly string[] = [
  'legend (arrows carry no text: the node an arrow ends at says what arrived)',
  'blue arrow: RequestVote / vote reply',
  'green arrow: AppendEntries / AE reply',
  'purple arrow: InstallSnapshot / IS reply',
  'dashed arrow: a duplicated copy (from its DUPLICATED mark)',
  'arrow ending in a bar: dropped (DROPPED mark)',
  'grey dots ending in a circle: lost in a crash',
  'dotted arrow into "in flight": still in the network',
  'red octagon: crash; red dotted lane: server down',
  'green box: restart from disk',
  'yellow: leader, beige: candidate; "disk:" when it differs',
];

/** The lane diagram of a trace, as a DOT digraph. */
export function traceToDot(trace: TraceFile): string {
  const servers = trace.initial.servers.length;
  const rows = trace.steps.length;
  const flows = messageFlows(trace);
  const inFlight = flows.filter((f) => f.end === 'in-flight');
  const sinkLanes = new Set(inFlight.map((f) => f.message.to));
  const stateAt = (row: number): SystemState => (row === 0 ? trace.initial : trace.steps[row - 1]!.state);
  const out: string[] = [];
  const emit = (s: string): void => void out.push(s);

  emit('digraph trace {');
  emit(`  graph ${attrs({ rankdir: 'TB', newrank: 'true', nodesep: 0.35, ranksep: 0.3, fontname: 'Arial', fontsize: 13, labelloc: 't', labeljust: 'l',
    label: lines(traceTitle(trace)), fontcolor: trace.invariant === null ? '#000000' : '#a00000' })};`);
  emit(`  node ${attrs({ fontname: 'Arial', fontsize: 10, margin: '0.1,0.05' })};`);
  emit(`  edge ${attrs({ fontname: 'Arial', fontsize: 9, arrowsize: 0.7 })};`);

  // Row 0: the servers and their initial states, then the legend to their right.
  const header: string[] = [];
  for (let s = 0; s < servers; s++) {
    const slot = trace.initial.servers[s]!;
    emit(`  ${cell(s, 0)} ${attrs({ shape: 'box', style: 'filled,bold', fillcolor: '#e8eef8', color: '#333333', class: 'lane-head',
      label: lines([`server s${s}`, ...serverSummary(slot)]) })};`);
    header.push(cell(s, 0));
  }
  emit(`  legend ${attrs({ shape: 'box', color: '#aaaaaa', fontsize: 9, fontcolor: '#444444', class: 'legend', label: lines(LEGEND) })};`);

  // One row per step: the acting lane's event node, invisible points in the other lanes.
  const rowNodes: string[][] = [[...header, 'legend']];
  for (let row = 1; row <= rows; row++) {
    const ev = eventNode(trace, row, flows);
    const ids: string[] = [];
    for (let s = 0; s < servers; s++) {
      const id = cell(s, row);
      if (s === ev.lane) emit(`  ${id} ${attrs(ev.attrs)};`);
      else emit(`  ${id} ${attrs(INVISIBLE)};`);
      ids.push(id);
    }
    rowNodes.push(ids);
  }

  // Messages still in flight end in a sink in their addressee's lane.
  const sinkRow: string[] = [];
  if (sinkLanes.size > 0) {
    for (let s = 0; s < servers; s++) {
      const id = sink(s);
      if (sinkLanes.has(s)) {
        // The messages are listed here rather than on their arrows: long labelled arrows wander.
        const listed = inFlight.filter((f) => f.message.to === s).map((f) => `${shortMessage(f.message)} ${sentBy(f)}`);
        emit(`  ${id} ${attrs({ shape: 'box', style: 'dashed', color: '#888888', fontcolor: '#555555', class: 'inflight', label: lines([`in flight to s${s}:`, ...listed]) })};`);
      } else emit(`  ${id} ${attrs(INVISIBLE)};`);
      sinkRow.push(id);
    }
    rowNodes.push(sinkRow);
  }

  // The final state of every server; red when it breaks the invariant.
  const end = stateAt(rows);
  const broken = trace.invariant !== null;
  const finalRow: string[] = [];
  for (let s = 0; s < servers; s++) {
    const slot = end.servers[s]!;
    const fill = broken ? '#ffe0e0' : slot.state ? ROLE_FILL[slot.state.role] : '#eeeeee';
    emit(`  ${finalNode(s)} ${attrs({ shape: 'box', style: 'filled,bold', fillcolor: fill, color: broken ? '#d00000' : '#333333', penwidth: broken ? 2 : 1,
      class: 'final', label: lines([`s${s} final${rows > 0 ? ` (after #${rows})` : ''}`, ...serverSummary(slot)]) })};`);
    finalRow.push(finalNode(s));
  }
  if (broken) {
    const why = traceSentence(trace);
    const banner = [`VIOLATED: ${trace.invariant}`, ...(why !== undefined ? [why] : [])];
    emit(`  verdict ${attrs({ shape: 'box', style: 'filled,bold', fillcolor: '#d00000', fontcolor: '#ffffff', color: '#900000', fontsize: 12, class: 'verdict',
      label: lines(banner) })};`);
    finalRow.push('verdict');
  }
  rowNodes.push(finalRow);

  // Ranks: one per row, kept left to right by invisible flat edges.
  for (const ids of rowNodes) {
    emit(`  { rank=same; ${ids.join('; ')}; }`);
    for (let i = 1; i < ids.length; i++) emit(`  ${ids[i - 1]} -> ${ids[i]} [style=invis];`);
  }

  // Lifelines: grey while the server is up, red dots while it is down.
  for (let s = 0; s < servers; s++) {
    const lane = rowNodes.map((ids) => ids[s]!);
    for (let i = 1; i < lane.length; i++) {
      const down = stateAt(Math.min(i - 1, rows)).servers[s]!.state === null;
      emit(`  ${lane[i - 1]} -> ${lane[i]} ${attrs(down
        ? { arrowhead: 'none', weight: 100, color: '#d00000', style: 'dotted', penwidth: 2, class: 'lifeline down' }
        : { arrowhead: 'none', weight: 100, color: '#bbbbbb', class: 'lifeline' })};`);
    }
  }

  // Messages, one arrow per copy.
  const origin = (f: MessageFlow): string => (f.sentAt === 0 ? cell(f.message.from, 0) : cell(laneOf(trace.steps[f.sentAt - 1]!.action), f.sentAt));
  for (const f of flows) {
    const colour = MESSAGE_COLOUR[f.message.type];
    const style = f.duplicate ? 'dashed' : 'solid';
    const label = `${f.duplicate ? 'dup: ' : ''}${shortMessage(f.message)}`;
    const cls = `msg ${f.end}${f.duplicate ? ' dup' : ''}`;
    const common: Attrs = { constraint: 'false', color: colour, style, class: cls };
    // No labels on the arrows: the node at the head says what arrived (a Receive, a DROPPED mark,
    // the crash's "lost:" lines, the in-flight sink), and labelled arrows wander around the lanes.
    switch (f.end) {
      case 'delivered':
        emit(`  ${origin(f)} -> ${cell(f.message.to, f.endedAt!)} ${attrs({ ...common, tooltip: label })};`);
        break;
      case 'dropped':
        emit(`  ${origin(f)} -> ${cell(f.message.to, f.endedAt!)} ${attrs({ ...common, arrowhead: 'tee', tooltip: label })};`);
        break;
      case 'lost':
        emit(`  ${origin(f)} -> ${cell(laneOf(trace.steps[f.endedAt! - 1]!.action), f.endedAt!)} ${attrs({ ...common, color: '#888888', style: 'dotted', arrowhead: 'odot',
          tooltip: `lost in crash: ${label}` })};`);
        break;
      case 'in-flight':
        emit(`  ${origin(f)} -> ${sink(f.message.to)} ${attrs({ ...common, style: 'dotted', arrowhead: 'empty', tooltip: label })};`);
        break;
    }
  }
  emit('}');
  return `${out.join('\n')}\n`;
}
