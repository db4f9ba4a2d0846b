import type { Configuration, LogEntry } from '../../src/core/index.js';

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

/** `{0,1|2}`: voters 0 and 1, learner 2 (as the core's scenario transcripts write it). */
export const configText = (c: Configuration): string => `{${c.voters.join(',')}|${c.learners.join(',')}}`;

/** An entry's words: "2:config{0,1|}", "2:noop", or the term and the command written by `command`. */
export function entryWords(e: LogEntry, command: (c: unknown) => string): string {
  if (e.config !== undefined) return `${e.term}:config${configText(e.config)}`;
  if (e.noop === true) return `${e.term}:noop`;
  return `${e.term}:${command(e.command)}`;
}

/** A committed ghost's record as the log entry it records (its configuration or no-op mark only when present). */
export const entryOf = (c: LogEntry): LogEntry =>
  c.config !== undefined ? { term: c.term, command: c.command, config: c.config } : c.noop === true ? { term: c.term, command: c.command, noop: true } : { term: c.term, command: c.command };

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
  if (e.config !== undefined || e.noop === true) return appliedConfigValue(e.config ?? null);
  return e.command;
}

/** What the applied ghost records for a ConfigApplyMsg's configuration (null: a no-op), as appliedValue for its entry. */
export const appliedConfigValue = (config: Configuration | null): unknown =>
  config === null ? NOOP_APPLIED : internConfig(config.voters, config.learners);

/** Whether the applied ghost's value is a configuration (interned, or as a trace file holds it). */
export const isAppliedConfig = (v: unknown): v is Configuration => typeof v === 'object' && v !== null && Array.isArray((v as { voters?: unknown }).voters);

/** Whether the applied ghost's value is a no-op (NOOP_APPLIED, or as a trace file holds it). */
export const isAppliedNoop = (v: unknown): boolean => v === NOOP_APPLIED || (typeof v === 'object' && v !== null && (v as { noop?: unknown }).noop === true);
