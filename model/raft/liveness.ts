import type { Recoverable } from '../engine/model.js';
import type { Bounds } from './bounds.js';
import { formatCommand } from './describe.js';
import { type Finding, finding, serverName as sn } from './finding.js';
import type { Reducer } from './reducer.js';
import { clientRequestCut, truncatedByBound } from './recovery.js';
import { knownEntry } from './snapshot-data.js';
import type { SystemState } from './system.js';

/**
 * Recoverability (liveness) properties of Raft: from every reachable state, the system can still
 * get to a state where the property holds (checked with `--liveness` over the explored graph,
 * model/engine/recoverability.ts). "Can": some schedule of the environment (deliveries, losses,
 * timeouts) gets there, as a fair network and timers eventually would. The bound's cuts count
 * as may-recover (recovery.ts), so a stuck state is stuck past the bound too.
 */
export type RaftRecoverable = Recoverable<SystemState, Finding>;

/** The highest currentTerm any live server holds. */
const highestLiveTerm = (s: SystemState): number => {
  let top = 0;
  for (const x of s.servers) if (x.state !== null && x.state.currentTerm > top) top = x.state.currentTerm;
  return top;
};

/** Some live leader holds the highest term of the live servers (a stale leader of an older term does not count). */
const leaderOfHighestTerm = (s: SystemState): boolean => {
  const top = highestLiveTerm(s);
  return s.servers.some((x) => x.state?.role === 'leader' && x.state.currentTerm === top);
};

/** §5.2: a leader can still be elected: a leader of the highest term is reachable. */
export const LeaderCanBeElected: RaftRecoverable = {
  name: 'LeaderCanBeElected',
  holds: leaderOfHighestTerm,
  stuck: (s) => {
    const top = highestLiveTerm(s);
    const live = s.servers.flatMap((x, i) => (x.state !== null ? [i] : []));
    return finding('LeaderCanBeElected', live.map((server) => ({ server, field: 'role' as const })), [top],
      `from here no state where a leader of the highest term (${top}) is live is reachable: no election can succeed`);
  },
};

/** The commands the system holds (in some server's memory or on its disk) that were never committed, ascending. */
function pendingCommands(s: SystemState): number[] {
  const committed = new Set(s.committed.map((c) => c.command));
  const pending = new Set<number>();
  for (const x of s.servers) {
    for (const log of x.state === null ? [x.persisted] : [x.persisted, x.state]) {
      // Entries in a snapshot were applied, so committed: only the log past it is looked at.
      for (let i = log.lastIncludedIndex + 1; i <= log.lastIncludedIndex + log.log.length; i++) {
        const c = knownEntry(log, i)!.command;
        // (Configuration entries and no-ops carry no client command.)
        if (typeof c === 'number' && !committed.has(c)) pending.add(c);
      }
    }
  }
  return [...pending].sort((a, b) => a - b);
}

/**
 * A client command a leader took and some server holds can still commit (§5.3): a state where
 * no server holds an uncommitted command is reachable (committed, or overwritten by a leader's
 * log: a command never committed may be lost, but not left hanging).
 */
export function pendingCommandCanCommit(b: Bounds): RaftRecoverable {
  return {
    name: 'PendingCommandCanCommit',
    holds: (s) => pendingCommands(s).length === 0,
    truncated: (s) => clientRequestCut(s, b),
    stuck: (s) => {
      const pending = pendingCommands(s);
      const holders = s.servers.flatMap((x, i) => (x.state !== null ? [i] : []));
      return finding('PendingCommandCanCommit', holders.map((server) => ({ server, field: 'commitIndex' as const })), [],
        `from here no state is reachable where command${pending.length > 1 ? 's' : ''} ${pending.map(formatCommand).join(', ')} ` +
          `${pending.length > 1 ? 'are' : 'is'} committed or gone (held by ${holders.map(sn).join(', ')})`);
    },
  };
}

/** The recoverability properties and the bound's cut for a model within `b` running `reducer`. */
export function livenessOf(b: Bounds, reducer: Reducer): { recoverable: readonly RaftRecoverable[]; truncated: (s: SystemState) => boolean } {
  return { recoverable: [LeaderCanBeElected, pendingCommandCanCommit(b)], truncated: (s) => truncatedByBound(s, b, reducer) };
}
