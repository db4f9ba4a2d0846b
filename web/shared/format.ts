import type { LogEntry, Message } from '../../src/core/index.js';
import { formatCommand, shortMessage } from '../../model/report/dot.js';

/** Text for people, worded as in the Graphviz lane diagram so the two views read alike. */

/** A command as written in a log (as the Graphviz diagram writes it). */
export const commandText = formatCommand;

export const entryText = (e: LogEntry): string => `${e.term}:${commandText(e.command)}`;

export const serverName = (id: number): string => `s${id}`;

/** "s0 → s1": who sent a message to whom. */
export const route = (m: Message): string => `${serverName(m.from)} → ${serverName(m.to)}`;

/** A message in a few words (its route apart), e.g. "RequestVote t2 last 1@t1". */
export const messageText = (m: Message): string => shortMessage(m);
