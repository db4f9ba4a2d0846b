import type { LogEntry } from '../../src/core/index.js';
import { termStyle } from './colours.js';
import { h } from './dom.js';
import { commandText, entryText } from './format.js';

export interface LogViewOptions {
  /** Entries at or below it are drawn committed (solid), the rest tentative (dashed). */
  readonly commitIndex?: number;
  /** Log indices (1-based) to outline in red: the entries an invariant is about. */
  readonly highlight?: ReadonlySet<number>;
  /** Entries an invariant says belong at an index (1-based): past the end of the log they are drawn as missing. */
  readonly expected?: ReadonlyMap<number, LogEntry>;
  /** The same log one step earlier: entries that differ from it are marked new. */
  readonly previous?: readonly LogEntry[];
  /** Shown for an empty log. */
  readonly emptyText?: string;
}

/**
 * A log as a row of chips, one per entry, coloured by term: the command large, the index small.
 * data-testid="log-entry" with data-index, data-term, data-committed (and data-culprit, data-new).
 */
export function logView(log: readonly LogEntry[], options: LogViewOptions = {}): HTMLElement {
  const commit = options.commitIndex ?? 0;
  const missing = [...(options.expected ?? new Map<number, LogEntry>()).entries()].filter(([index]) => index > log.length).sort(([a], [b]) => a - b);
  if (log.length === 0 && missing.length === 0) return h('span', { class: 'pr-log pr-log-empty', 'data-testid': 'log' }, options.emptyText ?? 'empty');
  return h('span', { class: 'pr-log', 'data-testid': 'log' },
    log.map((e, i) => {
      const index = i + 1;
      const committed = index <= commit;
      const before = options.previous?.[i];
      const isNew = options.previous !== undefined && (before === undefined || before.term !== e.term || before.command !== e.command);
      const culprit = options.highlight?.has(index) ?? false;
      const want = options.expected?.get(index);
      return h('span', {
        class: `pr-entry${committed ? ' is-committed' : ''}${isNew ? ' is-new' : ''}${culprit ? ' is-culprit' : ''}`,
        style: termStyle(e.term),
        title: `index ${index}, term ${e.term}, command ${commandText(e.command)}${committed ? ' (committed)' : ''}${want ? `; should be ${entryText(want)}` : ''}`,
        'data-testid': 'log-entry',
        'data-index': index,
        'data-term': e.term,
        'data-entry': entryText(e),
        'data-committed': String(committed),
        'data-culprit': String(culprit),
        'data-new': String(isNew),
      }, h('sup', {}, index), commandText(e.command));
    }),
    missing.map(([index, e]) => h('span', {
      class: 'pr-entry is-missing',
      title: `missing: index ${index} should hold ${entryText(e)}`,
      'data-testid': 'log-entry-missing',
      'data-index': index,
      'data-entry': entryText(e),
    }, h('sup', {}, index), commandText(e.command))));
}
