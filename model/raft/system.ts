import { initialState, type Configuration, type Message, type PersistentState, type RaftState, EMPTY_PERSISTENT_STATE } from '../../src/core/index.js';
import type { Finding } from './finding.js';

/**
 * The state of the whole system the checker explores: servers (each with its volatile state
 * while alive and its disk), the network, the environment's budgets, and ghost variables
 * (history the invariants need, never read by the servers).
 */
export interface ServerSlot {
  /** The server's in-memory state; null while it is crashed. */
  readonly state: RaftState | null;
  /** What its disk holds: the fold of every persist effect it carried out. */
  readonly persisted: PersistentState;
}

/** A committed entry as first recorded by the leader that committed it. */
export interface CommittedEntry {
  readonly term: number;
  readonly command: unknown;
  /** The term of the leader that advanced commitIndex over it. */
  readonly commitTerm: number;
  /** A configuration entry's configuration, a no-op's mark (absent on a command, as before membership). */
  readonly config?: Configuration;
  readonly noop?: true;
}

export interface SystemState {
  readonly servers: readonly ServerSlot[];
  /** Messages in flight: a multiset kept sorted by the message's key, duplicates allowed. */
  readonly network: readonly Message[];
  readonly commandsIssued: number;
  readonly crashes: number;
  readonly restarts: number;
  /** Snapshots taken over the run (the Snapshot action's budget). */
  readonly snapshots: number;
  // ---- ghosts ----
  /** candidates[t] = bitmask of the servers that stood for election (voted for themselves) in term t. */
  readonly candidates: readonly number[];
  /** elected[t] = the server that became leader in term t, or -1. */
  readonly elected: readonly number[];
  /** committed[i - 1] = the entry first committed at index i. */
  readonly committed: readonly CommittedEntry[];
  /** applied[i - 1] = the command first applied at index i by any server. */
  readonly applied: readonly unknown[];
  /** Set once an entry commits after some server has crashed and restarted. */
  readonly committedAfterRestart: boolean;
  /**
   * Goal witnesses of the step that led here, false after any other step (a flag kept for good
   * would double every state after it): a follower installed a leader's snapshot
   * (InstallSnapshot) and applied it; a server restarted from a snapshot raised its commitIndex.
   */
  readonly installedSnapshot: boolean;
  readonly committedAfterSnapshotRestart: boolean;
  /** Bitmask of the servers whose current life began with a restart from a snapshot and that have not raised their commitIndex since. */
  readonly restartedFromSnapshot: number;
  /**
   * CheckQuorum's ghost (all 0 unless bounds.checkQuorum), indexed by server: quorumHeard[i] is
   * the bitmask of the peers whose AppendEntriesReply of its term leader i received since its
   * election or its last election timeout (its quorum check). Meaningful only while i leads.
   */
  readonly quorumHeard: readonly number[];
  /**
   * The first safety rule a transition broke (not visible in one state alone), as its step
   * property found it: the invariant of that name reports it. Only `invariant` is part of the key.
   */
  readonly breach: Finding | null;
  // ---- membership (all at their first value, and no part of the encoding, unless it is on) ----
  /** Membership changes the leaders accepted over the run (the ChangeMembership action's budget). */
  readonly configChanges: number;
  /** The configuration every server starts with (null: every server a voter): a constant of the run. */
  readonly bootstrapConfig: Configuration | null;
  /** Ghost: the first term in which a leader stepped down on committing its own removal (0: none yet). */
  readonly removedLeaderTerm: number;
}

export function initialSystem(servers: number, bootstrapConfig?: Configuration): SystemState {
  return {
    servers: Array.from({ length: servers }, (_, id) => ({ state: initialState(id, servers, bootstrapConfig), persisted: EMPTY_PERSISTENT_STATE })),
    network: [],
    commandsIssued: 0,
    crashes: 0,
    restarts: 0,
    snapshots: 0,
    candidates: [],
    elected: [],
    committed: [],
    applied: [],
    committedAfterRestart: false,
    installedSnapshot: false,
    restartedFromSnapshot: 0,
    committedAfterSnapshotRestart: false,
    quorumHeard: Array.from({ length: servers }, () => 0),
    breach: null,
    configChanges: 0,
    bootstrapConfig: bootstrapConfig ?? null,
    removedLeaderTerm: 0,
  };
}
