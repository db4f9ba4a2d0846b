import { lastLogIndex, lastLogTerm } from '../../src/core/index.js';
import type { Bounds } from './bounds.js';
import type { Reducer } from './reducer.js';
import type { SystemState } from './system.js';
import { enabledActions, nextState } from './transitions.js';

/**
 * Where the bound cuts the Raft system's own moves, for the recoverability check (the engine's
 * Model.truncated, model/engine/recoverability.ts): a state counts as one that may recover when
 * an election timeout is disabled only by max-term, or a server step is not explored only
 * because its messages would overflow max-messages. Those are the moves progress is made of.
 *
 * Not cuts for this purpose: the budgets of faults (crashes, duplications) and of snapshots.
 * Recovery is asked of the system as it is, with no further faults: a crash, a duplicate or a
 * snapshot (log compaction) is never what makes progress possible. (Restart and drop have no
 * budget: a crashed server may always come back, a message may always be lost.)
 */
export function truncatedByBound(s: SystemState, b: Bounds, reducer: Reducer): boolean {
  return timeoutCut(s, b) || networkCut(s, b, reducer);
}

/** Some live server would time out (start an election, or a leader's quorum check) but is at max-term. */
export function timeoutCut(s: SystemState, b: Bounds): boolean {
  return s.servers.some((x) => x.state !== null && x.state.currentTerm >= b.maxTerm && (x.state.role !== 'leader' || b.checkQuorum === true));
}

/**
 * Some enabled action leads, in the model without max-messages, to more messages in flight than
 * max-messages: the bounded model drops that successor. (Its steps are the memo's, so this costs
 * about one more expansion of the state, most of it memo hits.)
 */
export function networkCut(s: SystemState, b: Bounds, reducer: Reducer): boolean {
  const unbounded: Bounds = { ...b, maxMessages: Number.POSITIVE_INFINITY };
  for (const a of enabledActions(s, b)) {
    const next = nextState(s, a, unbounded, reducer);
    if (next !== null && next.network.length > b.maxMessages) return true;
  }
  return false;
}

/**
 * A live leader that cannot commit any more without a new entry of its term (Figure 8: its last
 * entry is of an earlier term) but whose ClientRequest the command or log bound disabled: the
 * cut PendingCommandCanCommit alone may need to get past.
 */
export function clientRequestCut(s: SystemState, b: Bounds): boolean {
  return s.servers.some((x) => {
    const st = x.state;
    if (st === null || st.role !== 'leader') return false;
    return (s.commandsIssued >= b.maxCommands || lastLogIndex(st) >= b.maxLog) && lastLogTerm(st) < st.currentTerm;
  });
}
