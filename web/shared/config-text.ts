import type { Configuration, LogEntry, MembershipChange } from '../../src/core/index.js';
import { configText } from '../../model/raft/configs.js';

/**
 * Configurations (thesis §4.1) in a few characters, for the pages: voters, then learners after a
 * plus; a configuration entry as the one-server change it makes.
 */

/** "{0,1,2|3}": voters 0, 1 and 2, learner 3 ("{0,1,2|}" with no learner), as the model and the core write it. */
export { configText };

const missing = (xs: readonly number[], ys: readonly number[]): number[] => ys.filter((y) => !xs.includes(y));

/** The single-server change that turns `before` into `after`, or null when it is none (or more than one). */
export function configChange(before: Configuration, after: Configuration): MembershipChange | null {
  const newLearners = missing(before.learners, after.learners);
  const newVoters = missing(before.voters, after.voters);
  const gone = missing([...after.voters, ...after.learners], [...before.voters, ...before.learners]);
  const moves = newLearners.length + newVoters.length + gone.length;
  if (moves !== 1) return null;
  if (newLearners.length === 1 && !before.voters.includes(newLearners[0]!)) return { kind: 'AddLearner', server: newLearners[0]! };
  if (newVoters.length === 1 && before.learners.includes(newVoters[0]!)) return { kind: 'PromoteLearner', server: newVoters[0]! };
  if (gone.length === 1) return { kind: 'RemoveServer', server: gone[0]! };
  return null;
}

const CHANGE_MARK: Readonly<Record<MembershipChange['kind'], string>> = { AddLearner: '+', PromoteLearner: '↑', RemoveServer: '−' };

/** A change in two or three characters: "+3" (s3 added as a learner), "↑3" (promoted to voter), "−3" (removed). */
export const changeGlyph = (c: MembershipChange): string => `${CHANGE_MARK[c.kind]}${c.server}`;

/** A change in words: "AddLearner s3". */
export const changeWords = (c: MembershipChange): string => `${c.kind} s${c.server}`;

/**
 * What a log cell shows for an entry: its command, or for a configuration entry the change it
 * makes from `before` (the configuration in effect just before it; "cfg" when it is no single
 * change), or "·" for a leader's no-op.
 */
export function entryGlyph(e: LogEntry, before: Configuration, command: (c: unknown) => string): string {
  if (e.config !== undefined) {
    const c = configChange(before, e.config);
    return c === null ? 'cfg' : changeGlyph(c);
  }
  if (e.noop === true) return '·';
  return command(e.command);
}
