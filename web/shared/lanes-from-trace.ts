import type { RaftAction } from '../../model/raft/actions.js';
import type { SystemState } from '../../model/raft/system.js';
import { laneOf, messageFlows } from '../../model/report/dot.js';
import type { TraceFile } from '../../model/report/trace-file.js';
import { MESSAGE_COLOUR } from './colours.js';
import { configText } from './config-text.js';
import { commandText, messageText, route, serverName, snapshotText } from './format.js';
import type { LaneArrow, LaneDiagramData, LaneMark, LaneRow, LaneState } from './lane-diagram.js';

export { laneOf };

const laneStates = (s: SystemState): LaneState[] => s.servers.map((slot) => slot.state?.role ?? 'down');

function mark(a: RaftAction): LaneMark {
  const lane = laneOf(a);
  const crashAfter = 'crashMidStep' in a && a.crashMidStep;
  switch (a.kind) {
    case 'Timeout':
      return { lane, kind: 'timeout', crashAfter };
    case 'Heartbeat':
      return { lane, kind: 'heartbeat', crashAfter };
    case 'ClientRequest':
      return { lane, kind: 'client', crashAfter };
    case 'Snapshot':
      return { lane, kind: 'snapshot', crashAfter };
    case 'ChangeMembership':
      return { lane, kind: 'membership', crashAfter };
    case 'Receive':
      return { lane, kind: 'receive', colour: MESSAGE_COLOUR[a.message.type], crashAfter };
    case 'DropMessage':
      return { lane, kind: 'drop' };
    case 'DuplicateMessage':
      return { lane, kind: 'duplicate' };
    case 'Crash':
      return { lane, kind: 'crash' };
    case 'Restart':
      return { lane, kind: 'restart' };
  }
}

/** A step in a line: who did what, and what the acting server became when its role or term changed. */
export function stepLabel(a: RaftAction, before: SystemState, after: SystemState): string {
  let text: string;
  switch (a.kind) {
    case 'Timeout':
      text = `${serverName(a.server)} election timeout`;
      break;
    case 'Heartbeat':
      text = `${serverName(a.server)} heartbeat`;
      break;
    case 'ClientRequest':
      text = `${serverName(a.server)} client request ${commandText(after.commandsIssued)}`;
      break;
    case 'Snapshot': {
      // What the server compacted (on its disk too when it crashed mid-step).
      const slot = after.servers[a.server]!;
      text = `${serverName(a.server)} ${snapshotText(slot.state ?? slot.persisted)}`;
      break;
    }
    case 'ChangeMembership': {
      // What the leader answered, as the entry it appended says: a configuration entry, or a no-op (refused: no-commit-in-term).
      const slot = after.servers[a.server]!;
      const last = (slot.state ?? slot.persisted).log.at(-1);
      const what = last?.config !== undefined ? `appends ${configText(last.config)}` : last?.noop === true ? 'refuses (no commit in its term): appends a no-op' : 'refuses';
      text = `${serverName(a.server)} asked to ${a.change.kind} ${serverName(a.change.server)}: ${what}`;
      break;
    }
    case 'Receive':
      text = `${serverName(a.message.to)} ← ${serverName(a.message.from)}: ${messageText(a.message)}`;
      break;
    case 'DropMessage':
      text = `dropped ${route(a.message)}: ${messageText(a.message)}`;
      break;
    case 'DuplicateMessage':
      text = `duplicated ${route(a.message)}: ${messageText(a.message)}`;
      break;
    case 'Crash':
      return `${serverName(a.server)} crashes`;
    case 'Restart':
      return `${serverName(a.server)} restarts from its disk`;
  }
  if ('crashMidStep' in a && a.crashMidStep) return `${text} — then crashes mid-step`;
  const lane = laneOf(a);
  const was = before.servers[lane]?.state;
  const now = after.servers[lane]?.state;
  if (was && now && (was.role !== now.role || was.currentTerm !== now.currentTerm)) text += ` → ${now.role} t${now.currentTerm}`;
  return text;
}

/**
 * The lane diagram of a trace: row 0 the start, row i step i, lanes in each server's role after
 * the step (from `shown`, the states the page shows), arrows from model/report/dot.ts's message
 * flows (the same copies the Graphviz diagram draws). A window of a longer run passes its own
 * words for row 0 (its `initial` is then the state before the window).
 */
export function lanesFromTrace(
  trace: TraceFile,
  shown: (i: number) => SystemState,
  emphasis: (i: number) => 'violation' | 'disagreement' | null,
  startLabel?: string,
): LaneDiagramData {
  const n = trace.initial.servers.length;
  const rows: LaneRow[] = [{ label: startLabel ?? `${n} servers start as followers in term 0`, mark: null, lanes: laneStates(shown(0)), emphasis: emphasis(0) }];
  trace.steps.forEach((st, i) => {
    const before = shown(i);
    const after = shown(i + 1);
    rows.push({ label: stepLabel(st.action, before, after), title: `#${i + 1} ${st.label}`, mark: mark(st.action), lanes: laneStates(after), emphasis: emphasis(i + 1) });
  });
  const arrows: LaneArrow[] = messageFlows(trace).map((f) => {
    const fromLane = f.sentAt === 0 ? f.message.from : laneOf(trace.steps[f.sentAt - 1]!.action);
    const toLane = f.end === 'lost' ? laneOf(trace.steps[f.endedAt! - 1]!.action) : f.message.to;
    const what = `${route(f.message)} ${messageText(f.message)}`;
    const title = f.end === 'delivered' ? `${what}, sent #${f.sentAt}, delivered #${f.endedAt}`
      : f.end === 'dropped' ? `${what}, sent #${f.sentAt}, dropped #${f.endedAt}`
        : f.end === 'lost' ? `${what}, sent #${f.sentAt}, lost in the crash at #${f.endedAt}`
          : `${what}, sent #${f.sentAt}, still in flight`;
    return { fromRow: f.sentAt, fromLane, toRow: f.endedAt, toLane, colour: MESSAGE_COLOUR[f.message.type], kind: f.message.type, end: f.end, dashed: f.duplicate, title: f.duplicate ? `duplicate: ${title}` : title };
  });
  return { lanes: Array.from({ length: n }, (_, i) => serverName(i)), rows, arrows };
}
