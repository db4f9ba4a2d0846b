import type { LogEntry, LogView } from '../../src/core/index.js';
import { configText } from './config-text.js';
import { SNAPSHOT_SWATCH, termStyle } from './colours.js';
import { h } from './dom.js';
import { commandText, entryText } from './format.js';
import { type LogChip, logChips, type LogViewOptions } from './log-chips.js';

export type { LogViewOptions };

/** A chip's words: the command; a configuration entry's configuration ("{0,1 +2}"); a no-op "no-op". */
const chipText = (e: LogEntry): string => (e.config !== undefined ? configText(e.config) : e.noop === true ? 'no-op' : commandText(e.command));

function chipElement(c: LogChip): HTMLElement {
  switch (c.kind) {
    case 'snapshot': {
      const n = c.lastIncludedIndex;
      return h('span', {
        class: `pr-snapshot${c.isNew ? ' is-new' : ''}${c.culprit ? ' is-culprit' : ''}`,
        style: `background:${SNAPSHOT_SWATCH.bg};color:${SNAPSHOT_SWATCH.fg};border-color:${SNAPSHOT_SWATCH.border}`,
        title: `entries 1..${n} are compacted into a snapshot; the last of them, index ${n}, is of term ${c.lastIncludedTerm} (lastIncludedIndex ${n}, lastIncludedTerm ${c.lastIncludedTerm})`,
        'data-testid': 'log-snapshot',
        'data-last-included-index': n,
        'data-last-included-term': c.lastIncludedTerm,
        'data-culprit': String(c.culprit),
        'data-new': String(c.isNew),
      }, c.text);
    }
    case 'entry': {
      const e = c.entry;
      return h('span', {
        class: `pr-entry${c.committed ? ' is-committed' : ''}${c.isNew ? ' is-new' : ''}${c.culprit ? ' is-culprit' : ''}`,
        style: termStyle(e.term),
        title: `index ${c.index}, term ${e.term}, ${e.config !== undefined ? `configuration entry ${configText(e.config)}` : e.noop === true ? 'a leader\'s no-op' : `command ${commandText(e.command)}`}${c.committed ? ' (committed)' : ''}${c.expected ? `; should be ${entryText(c.expected)}` : ''}`,
        'data-testid': 'log-entry',
        'data-index': c.index,
        'data-term': e.term,
        'data-entry': entryText(e),
        'data-committed': String(c.committed),
        'data-culprit': String(c.culprit),
        'data-new': String(c.isNew),
      }, h('sup', {}, c.index), chipText(e));
    }
    case 'missing':
      return h('span', {
        class: 'pr-entry is-missing',
        title: `missing: index ${c.index} should hold ${entryText(c.entry)}`,
        'data-testid': 'log-entry-missing',
        'data-index': c.index,
        'data-entry': entryText(c.entry),
      }, h('sup', {}, c.index), chipText(c.entry));
  }
}

/**
 * A log as a row of chips (logChips): the snapshot block, then the entries coloured by term, the
 * command large, the absolute index small. The block is data-testid="log-snapshot" with
 * data-last-included-index, data-last-included-term (and data-culprit, data-new); entries are
 * data-testid="log-entry" with data-index, data-term, data-committed (and data-culprit, data-new).
 */
export function logView(view: LogView, options: LogViewOptions = {}): HTMLElement {
  const chips = logChips(view, options);
  if (chips.length === 0) return h('span', { class: 'pr-log pr-log-empty', 'data-testid': 'log' }, options.emptyText ?? 'empty');
  return h('span', { class: 'pr-log', 'data-testid': 'log' }, chips.map(chipElement));
}
