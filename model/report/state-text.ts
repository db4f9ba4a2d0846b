import type { LogEntry, LogView, Message } from '../../src/core/index.js';
import { entryWords } from '../raft/configs.js';
import { formatCommand, shortMessage } from './dot.js';

/**
 * The words for a system state's parts, one set for every view: the explorer page (through
 * web/shared/format.ts), the terminal's compact trace and the replay's field differences.
 */

export const entryText = (e: LogEntry): string => entryWords(e, formatCommand);

export const serverName = (id: number): string => `s${id}`;

/** "s0 → s1": who sent a message to whom. */
export const route = (m: Message): string => `${serverName(m.from)} → ${serverName(m.to)}`;

/** A snapshot's extent: "≤7@t2", everything through index 7, whose entry was of term 2. */
export const snapshotExtent = (lastIncludedIndex: number, lastIncludedTerm: number): string => `≤${lastIncludedIndex}@t${lastIncludedTerm}`;

/** A whole log: the snapshot (when there is one), then the entries after it, e.g. "[≤7@t2 | 3:8 3:9]". */
export const logText = (v: LogView): string =>
  `[${v.lastIncludedIndex > 0 ? `${snapshotExtent(v.lastIncludedIndex, v.lastIncludedTerm)} |${v.log.length > 0 ? ' ' : ''}` : ''}${v.log.map(entryText).join(' ')}]`;

/**
 * A message in a few words (its route apart), e.g. "RequestVote t2 last 1@t1", "IS ≤7 t2": the
 * leader's snapshot through index 7, in its term 2; its reply "IS ok t2 match 7" (or "IS stale t3"
 * when the request's term was stale, matchIndex 0); the others as the Graphviz diagram words them.
 */
export function messageText(m: Message): string {
  switch (m.type) {
    case 'InstallSnapshot':
      return `IS ≤${m.lastIncludedIndex} t${m.term}`;
    case 'InstallSnapshotReply':
      return m.matchIndex > 0 ? `IS ok t${m.term} match ${m.matchIndex}` : `IS stale t${m.term}`;
    default:
      return shortMessage(m);
  }
}
