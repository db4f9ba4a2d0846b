import { configurationInEffect, everyoneVotes, type Configuration, type LogEntry, type PersistentState } from '../../src/core/index.js';

/**
 * The model's view of membership (thesis chapter 4): configurations as values, the words for
 * them, and what the ghosts record of configuration entries and no-ops. With membership off no
 * entry has a configuration and nothing here changes what the model did before.
 */

/** The same voters and learners (both absent counts as the same). */
export function sameConfig(a: Configuration | undefined, b: Configuration | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  return sameIds(a.voters, b.voters) && sameIds(a.learners, b.learners);
}

const sameIds = (x: readonly number[], y: readonly number[]): boolean => x.length === y.length && x.every((id, i) => id === y[i]);

/** Both entries are of one kind: the same configuration (or none), both no-ops or neither. */
export const sameKind = (a: LogEntry, b: LogEntry): boolean => a.noop === b.noop && sameConfig(a.config, b.config);

/** "{0,1}" (voters), "{0,1 +2}" (and learner 2). */
export const configText = (c: Configuration): string => `{${c.voters.join(',')}${c.learners.length > 0 ? ` +${c.learners.join(',')}` : ''}}`;

/** An entry's words: "2:cfg{0,1}", "2:noop", or the term and the command written by `command`. */
export function entryWords(e: LogEntry, command: (c: unknown) => string): string {
  if (e.config !== undefined) return `${e.term}:cfg${configText(e.config)}`;
  if (e.noop === true) return `${e.term}:noop`;
  return `${e.term}:${command(e.command)}`;
}

/** Whether any entry of `log` is a configuration entry (its encoding then reads ids). */
export function holdsConfig(log: readonly LogEntry[]): boolean {
  for (let i = 0; i < log.length; i++) if (log[i]!.config !== undefined) return true;
  return false;
}

// ---- what the applied ghost records ----

/** What the applied ghost records for a no-op (a value no command is). */
export const NOOP_APPLIED: object = Object.freeze({ noop: true });

const interned = new Map<string, Configuration>();

/** One frozen object per configuration: the applied ghost compares what it records by identity. */
export function internConfig(voters: readonly number[], learners: readonly number[]): Configuration {
  const key = `${voters.join(',')}/${learners.join(',')}`;
  let c = interned.get(key);
  if (c === undefined) interned.set(key, (c = Object.freeze({ voters: Object.freeze([...voters]), learners: Object.freeze([...learners]) })));
  return c;
}

/**
 * What applying `e` records in the applied ghost: a command as it is; a configuration entry its
 * (interned) configuration; a no-op NOOP_APPLIED. Two servers applied the same at an index
 * exactly when these are identical.
 */
export function appliedValue(e: LogEntry): unknown {
  if (e.config !== undefined) return internConfig(e.config.voters, e.config.learners);
  if (e.noop === true) return NOOP_APPLIED;
  return e.command;
}

/** Whether the applied ghost's value is a configuration (interned, or as a trace file holds it). */
export const isAppliedConfig = (v: unknown): v is Configuration => typeof v === 'object' && v !== null && Array.isArray((v as { voters?: unknown }).voters);

/** Whether the applied ghost's value is a no-op (NOOP_APPLIED, or as a trace file holds it). */
export const isAppliedNoop = (v: unknown): boolean => v === NOOP_APPLIED || (typeof v === 'object' && v !== null && (v as { noop?: unknown }).noop === true);

// ---- configurations of states and disks ----

/** The configuration in effect by a disk's log (its snapshot's, else the bootstrap one, else everyone). */
export function diskConfig(d: PersistentState, clusterSize: number, bootstrapConfig: Configuration | null | undefined): Configuration {
  return configurationInEffect({ log: d.log, lastIncludedIndex: d.lastIncludedIndex, lastIncludedTerm: d.lastIncludedTerm, clusterSize,
    ...(d.lastIncludedConfig !== undefined ? { lastIncludedConfig: d.lastIncludedConfig } : {}),
    ...(bootstrapConfig != null ? { bootstrapConfig } : {}) });
}

/** The bootstrap configuration of a run, or everyone a voter. */
export const startingConfig = (bootstrapConfig: Configuration | null | undefined, servers: number): Configuration => bootstrapConfig ?? everyoneVotes(servers);
