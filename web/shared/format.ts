import type { LogView } from '../../src/core/index.js';
import { formatCommand } from '../../model/report/dot.js';
import { entryText, logText, messageText, route, serverName, snapshotExtent } from '../../model/report/state-text.js';

/** Text for people, worded as in the Graphviz lane diagram so the two views read alike (the terminal's words too: model/report/state-text.ts). */

/** A command as written in a log (as the Graphviz diagram writes it). */
export const commandText = formatCommand;

export { entryText, logText, messageText, route, serverName, snapshotExtent };

/** The compacted prefix of a log in words: "snapshot ..7 (term 2)". */
export const snapshotText = (v: Pick<LogView, 'lastIncludedIndex' | 'lastIncludedTerm'>): string =>
  `snapshot ..${v.lastIncludedIndex} (term ${v.lastIncludedTerm})`;
