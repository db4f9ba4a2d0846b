import { everyoneVotes, lastLogIndex, type Configuration, type LogEntry, type LogView, type PersistentState } from '../../src/core/index.js';
import { SNAPSHOT_SWATCH, termSwatch } from '../shared/colours.js';
import { h } from '../shared/dom.js';
import { commandText, serverName, snapshotExtent, snapshotText } from '../shared/format.js';
import { changeWords, configChange, configText, entryGlyph } from '../shared/config-text.js';
import type { Sim } from './sim.js';

/**
 * Every server's log as a grid aligned by absolute index, so logs compare column by column: a
 * compacted prefix is one block across its columns ("snapshot ..5 (term 2)"), then each entry in
 * its term's colour with its command, solid once the server knows it committed, dashed before.
 * A crashed server shows what its disk holds. The last row is what the cluster has committed.
 * A configuration entry is a rounded cell with the change it makes ("+3": s3 added as a
 * learner, "↑3": promoted, "−3": removed), a leader's no-op a dot.
 * Cells are data-testid="log-entry" with data-server, data-index, data-term, data-command,
 * data-committed and data-kind (command, config or noop; a config entry also data-config, "{0,1,2 +3}");
 * a snapshot block is data-testid="log-snapshot" with data-server,
 * data-last-included-index and data-last-included-term.
 */

export interface LogPanel {
  readonly element: HTMLElement;
  update(sim: Sim): void;
}

/** Columns drawn even before the logs grow this long, so the grid does not jump about. */
const MIN_COLUMNS = 8;

/** What an entry is, in words: its command, or the configuration it puts in effect, or a no-op. */
function entryWhat(e: LogEntry, before: Configuration): string {
  if (e.config !== undefined) {
    const change = configChange(before, e.config);
    return `configuration entry ${configText(e.config)}${change ? ` (${changeWords(change)})` : ''}, in effect on a server once in its log`;
  }
  if (e.noop === true) return 'a leader\'s no-op (appended when a change was asked for before an entry of its term committed)';
  return `command ${commandText(e.command)}`;
}

function entryCell(server: number | 'committed', index: number, e: LogEntry | undefined, committed: boolean, before: Configuration): HTMLTableCellElement {
  if (!e) return h('td', {}, h('span', { class: 'pg-entry is-empty' }));
  const c = termSwatch(e.term);
  const kind = e.config !== undefined ? 'config' : e.noop === true ? 'noop' : 'command';
  return h('td', {},
    h('span', {
      class: `pg-entry${committed ? ' is-committed' : ''}${kind === 'command' ? '' : ` is-${kind}`}`,
      style: `background:${c.bg};color:${c.fg};border-color:${c.border}`,
      title: `index ${index}, term ${e.term}, ${entryWhat(e, before)}${committed ? ', committed' : ', not known committed'}`,
      'data-testid': 'log-entry',
      'data-server': server,
      'data-index': index,
      'data-term': e.term,
      'data-command': commandText(e.command),
      'data-committed': String(committed),
      'data-kind': kind,
      'data-config': e.config !== undefined ? configText(e.config) : null,
    }, entryGlyph(e, before, commandText), h('span', { class: 'pg-entry-term' }, `t${e.term}`)));
}

/**
 * The cells of one log row, left to right, each drawn knowing the configuration in effect just
 * before it (`start`: the one before the first entry), so a configuration entry shows its change.
 */
function entryCells(server: number | 'committed', indices: readonly number[], entryAt: (i: number) => LogEntry | undefined, committedTo: number, start: Configuration): HTMLTableCellElement[] {
  let config = start;
  return indices.map((i) => {
    const e = entryAt(i);
    const cell = entryCell(server, i, e, i <= committedTo, config);
    if (e?.config !== undefined) config = e.config;
    return cell;
  });
}

/** Below this many columns the block's words do not fit: it says "≤3@t1" instead. */
const SNAPSHOT_WORDS_FROM = 5;

function snapshotCell(server: number, v: LogView): HTMLTableCellElement {
  const c = SNAPSHOT_SWATCH;
  const n = v.lastIncludedIndex;
  return h('td', { colspan: n },
    h('span', {
      class: 'pg-snapshot',
      style: `background:${c.bg};color:${c.fg};border-color:${c.border}`,
      title: `entries 1..${n} compacted into a snapshot (lastIncludedIndex ${n}, lastIncludedTerm ${v.lastIncludedTerm})`,
      'data-testid': 'log-snapshot',
      'data-server': server,
      'data-last-included-index': n,
      'data-last-included-term': v.lastIncludedTerm,
    }, n >= SNAPSHOT_WORDS_FROM ? snapshotText(v) : snapshotExtent(n, v.lastIncludedTerm)));
}

export function logPanel(): LogPanel {
  const element = h('div', { class: 'pg-logs', 'data-testid': 'logs' });
  let key = '';
  let lastLogs: readonly PersistentState[] = [];

  function update(sim: Sim): void {
    const slots = sim.system.servers;
    // Redrawn only when a log, a commitIndex, a role or a server's liveness changed (logs are immutable: compare by identity).
    const k = slots.map((slot) => (slot.state ? `${slot.state.role[0]}${slot.state.commitIndex}` : 'd')).join(',') + `|${sim.system.committed.length}`;
    const logs: PersistentState[] = slots.map((slot) => slot.state ?? slot.persisted);
    if (k === key && logs.every((l, i) => l.log === lastLogs[i]?.log && l.lastIncludedIndex === lastLogs[i]?.lastIncludedIndex)) return;
    key = k;
    lastLogs = logs;
    const columns = Math.max(MIN_COLUMNS, sim.system.committed.length, ...logs.map(lastLogIndex));
    const indices = Array.from({ length: columns }, (_, i) => i + 1);
    const start = sim.bootstrapConfig ?? everyoneVotes(sim.servers);
    const rows = slots.map((slot, server) => {
      const st = slot.state;
      const log = logs[server]!;
      const base = log.lastIncludedIndex;
      const commit = st?.commitIndex ?? 0;
      return h('tr', { class: st ? '' : 'is-down', 'data-testid': `log-row-${server}` },
        h('th', { class: 'pg-rowhead', scope: 'row', title: st ? st.role : 'down: the log on its disk' },
          st?.role === 'leader' ? h('span', { class: 'pg-star' }, '★ ') : null, serverName(server), st ? '' : ' (disk)'),
        base > 0 ? snapshotCell(server, log) : null,
        entryCells(server, indices.filter((i) => i > base), (i) => log.log[i - base - 1], commit, log.lastIncludedConfig ?? start));
    });
    const committed = sim.system.committed;
    element.replaceChildren(
      h('table', {},
        h('thead', {}, h('tr', {}, h('th', { class: 'pg-rowhead' }, 'index'), indices.map((i) => h('th', { scope: 'col' }, i)))),
        h('tbody', {}, rows,
          h('tr', { 'data-testid': 'log-row-committed', title: 'each index as first committed by a leader (the model\'s record)' },
            h('th', { class: 'pg-rowhead', scope: 'row' }, 'committed'),
            entryCells('committed', indices, (i) => committed[i - 1], columns, start)))),
      h('div', { class: 'pg-log-caption' },
        'Entries are coloured by term (small tN) and show their command; solid once the server knows them committed, dashed before. A brown block is a snapshot: the entries up to its index, compacted. ',
        'A rounded entry changes the configuration (+3: s3 added as a learner, ↑3: promoted to voter, −3: removed); a dot is a leader\'s no-op.'));
  }
  return { element, update };
}
