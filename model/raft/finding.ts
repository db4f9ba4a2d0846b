import type { LogEntry } from '../../src/core/index.js';
import { entryWords, sameKind } from './configs.js';
import { formatCommand } from './describe.js';
import { knownEntry, type SnapshotView } from './snapshot-data.js';

/**
 * What an invariant or a step property found broken, as data: the rule, the servers, log
 * indices and terms it is about, where in each server's state it shows, and a sentence made
 * from them. Views outline the places; the terminal prints the sentence; nothing parses it.
 */

/** A part of one server's state: a field of memory, or its disk. */
export type FindingField = 'server' | 'role' | 'currentTerm' | 'votedFor' | 'log' | 'commitIndex' | 'matchIndex' | 'disk';

export interface FindingPlace {
  readonly server: number;
  readonly field: FindingField;
  /** 'log' and 'disk': the log index (1-based) the rule is about, when it is one entry. */
  readonly index?: number;
  /** 'matchIndex': the follower whose slot is wrong. */
  readonly peer?: number;
  /** 'log' and 'disk' at an index: the entry that should be there (a view can draw it as missing). */
  readonly expected?: LogEntry;
}

export interface Finding {
  /** The invariant broken (what the checker reports). */
  readonly invariant: string;
  /** Every server the finding names, in the order the sentence names them. */
  readonly servers: readonly number[];
  /** The log indices it is about (1-based, ascending). */
  readonly indices: readonly number[];
  /** The terms it is about. */
  readonly terms: readonly number[];
  readonly places: readonly FindingPlace[];
  readonly sentence: string;
}

/** A finding; `servers` adds to the servers of the places, `indices` are those of the places. */
export function finding(
  invariant: string,
  places: readonly FindingPlace[],
  terms: readonly number[],
  sentence: string,
  servers: readonly number[] = [],
): Finding {
  const named: number[] = [];
  for (const s of [...servers, ...places.map((p) => p.server)]) if (!named.includes(s)) named.push(s);
  const indices = [...new Set(places.flatMap((p) => (p.index !== undefined ? [p.index] : [])))].sort((a, b) => a - b);
  return { invariant, servers: named, indices, terms: [...new Set(terms)], places, sentence };
}

// ---- words for the sentences (as the lane diagrams write them) ----

/** Both entries exist and hold the same term and command. */
export const sameEntry = (a: LogEntry | undefined, b: LogEntry | undefined): boolean =>
  a !== undefined && b !== undefined && (a === b || (a.term === b.term && a.command === b.command && sameKind(a, b)));

export const serverName = (id: number): string => `s${id}`;
export const entryText = (e: LogEntry): string => entryWords(e, formatCommand);
export const entryAt = (log: readonly LogEntry[], index: number): string => {
  const e = log[index - 1];
  return e ? entryText(e) : 'nothing';
};

/** The entry at absolute `index` of a whole log (snapshot and log), in words. */
export const knownEntryText = (v: SnapshotView, index: number): string => {
  const e = knownEntry(v, index);
  return e ? entryText(e) : 'nothing';
};
