/**
 * The vocabulary of the Raft core, named as in Figure 2 of the Raft paper
 * (Ongaro & Ousterhout, "In Search of an Understandable Consensus Algorithm").
 *
 * Servers are numbered 0..clusterSize-1. Log indices are absolute and start at 1; index 0
 * stands for "before the first entry" (its term is 0). A snapshot (Figure 13 of the extended
 * paper; the lab's part D) replaces the entries 1..lastIncludedIndex, so the log array holds only
 * the entries after it: entry `i` lives at `log[i - lastIncludedIndex - 1]`. Read it through the
 * helpers of log.ts (termAt, entryAt, lastLogIndex, ...), which take absolute indices.
 */

export type ServerId = number;
export type Term = number;
export type LogIndex = number;

/**
 * Who is in the cluster (thesis §4.1): voters count in quorums (votes, commitment, CheckQuorum);
 * learners are replicated to but never vote or stand. Ids ascending, disjoint, each < clusterSize.
 * A server in neither list is outside the cluster: it waits to be added.
 */
export interface Configuration {
  readonly voters: readonly ServerId[];
  readonly learners: readonly ServerId[];
}

export interface LogEntry {
  readonly term: Term;
  readonly command: unknown;
  /**
   * A configuration entry: in effect on a server as soon as it is in its log, committed or not
   * (thesis §4.1). Its `command` is the host's context for the change (e.g. the new server's
   * address), opaque to Raft, or null.
   */
  readonly config?: Configuration;
  /**
   * A leader's no-op (command null): appended when a change is asked for before the leader has
   * committed an entry of its term (the 2015 fix, thesis §4.1 and Ongaro's raft-dev post).
   */
  readonly noop?: true;
}

/** 'preCandidate': asking for pre-votes before standing (StepConfig.preVote; thesis §9.6). */
export type Role = 'follower' | 'preCandidate' | 'candidate' | 'leader';

/**
 * A log as the helpers of log.ts read it: the entries after the snapshot, and the index and
 * term of the snapshot's last entry (0 and 0 without a snapshot). Every PersistentState and
 * RaftState is one.
 */
export interface LogView {
  /** The entries lastIncludedIndex + 1 .. lastLogIndex, in order. */
  readonly log: readonly LogEntry[];
  /** Figure 13: the snapshot replaces every entry up to and including this index (0: no snapshot). */
  readonly lastIncludedIndex: LogIndex;
  /** The term of the entry at lastIncludedIndex (0 when lastIncludedIndex is 0). */
  readonly lastIncludedTerm: Term;
}

/**
 * Persistent state on all servers (Figure 2, with Figure 13's snapshot): written before
 * answering any RPC. The snapshot and the Raft state are saved together, atomically.
 */
export interface PersistentState extends LogView {
  readonly currentTerm: Term;
  readonly votedFor: ServerId | null;
  /**
   * The service's snapshot of every entry up to lastIncludedIndex, opaque to Raft (null without a
   * snapshot). Never edited: a new snapshot is a new value. Part of the state, so with
   * StepConfig.autoFreeze (the default) a plain object or array given as a snapshot is
   * deep-frozen, and the one a SnapshotApplyMsg hands the service is frozen too: a service
   * passes a copy of its live state and copies what it installs before changing it.
   */
  readonly snapshot: unknown;
  /**
   * The configuration in effect at lastIncludedIndex: that of the last configuration entry the
   * snapshot compacted. Absent when the snapshot compacted none (or there is no snapshot).
   */
  readonly lastIncludedConfig?: Configuration;
}

/** One server's whole state: Figure 2's persistent and volatile state, plus the election tally. */
export interface RaftState extends PersistentState {
  readonly id: ServerId;
  readonly clusterSize: number;
  /**
   * The configuration this server starts with, before any configuration entry (the same for
   * every server of a cluster; a server outside it waits to be added). Absent: every server
   * 0..clusterSize-1 is a voter, which is Raft without membership change. Never changes.
   */
  readonly bootstrapConfig?: Configuration;
  readonly role: Role;
  /** Volatile state on all servers. */
  readonly commitIndex: LogIndex;
  readonly lastApplied: LogIndex;
  /**
   * Candidate: votesGranted[i] when server i granted its vote in currentTerm; preCandidate: when
   * server i granted its pre-vote for currentTerm + 1 (empty otherwise).
   */
  readonly votesGranted: readonly boolean[];
  /** Volatile state on leaders (empty otherwise), indexed by server id; the leader's own slot tracks its log. */
  readonly nextIndex: readonly LogIndex[];
  readonly matchIndex: readonly LogIndex[];
  /**
   * PreVote's leader stickiness (StepConfig.preVote; false otherwise): a current-term
   * AppendEntries arrived since this server's last election timeout, so a leader is alive and
   * pre-votes are refused. Volatile: false after a restart.
   */
  readonly heardFromLeader: boolean;
  /**
   * CheckQuorum (StepConfig.checkQuorum, leaders only; empty otherwise), indexed by server id:
   * recentActive[i] when server i answered an AppendEntries of currentTerm since the last quorum
   * check (the leader's own slot is always true). Named as etcd-io/raft's Progress.RecentActive.
   */
  readonly recentActive: readonly boolean[];
}

// ---- RPCs, as messages -----------------------------------------------------------------------

interface Envelope {
  readonly from: ServerId;
  readonly to: ServerId;
  readonly term: Term;
}

export interface RequestVoteArgs extends Envelope {
  readonly type: 'RequestVote';
  readonly candidateId: ServerId;
  readonly lastLogIndex: LogIndex;
  readonly lastLogTerm: Term;
}

export interface RequestVoteReply extends Envelope {
  readonly type: 'RequestVoteReply';
  readonly voteGranted: boolean;
}

export interface AppendEntriesArgs extends Envelope {
  readonly type: 'AppendEntries';
  readonly leaderId: ServerId;
  readonly prevLogIndex: LogIndex;
  readonly prevLogTerm: Term;
  readonly entries: readonly LogEntry[];
  readonly leaderCommit: LogIndex;
}

export interface AppendEntriesReply extends Envelope {
  readonly type: 'AppendEntriesReply';
  readonly success: boolean;
  /** On success: prevLogIndex + entries.length of the request answered (the follower now matches up to here). */
  readonly matchIndex: LogIndex;
  /**
   * On rejection (fast backup): the term of the follower's conflicting entry at prevLogIndex
   * (0 when the follower's log is too short) and the first index the follower holds for that
   * term (or its lastLogIndex + 1 when too short).
   */
  readonly conflictTerm: Term;
  readonly conflictIndex: LogIndex;
}

/**
 * InstallSnapshot RPC (Figure 13), sent whole (no chunking: offset 0, done true): the leader's
 * snapshot, for a follower whose nextIndex is at or below the leader's lastIncludedIndex.
 */
export interface InstallSnapshotArgs extends Envelope {
  readonly type: 'InstallSnapshot';
  readonly leaderId: ServerId;
  readonly lastIncludedIndex: LogIndex;
  readonly lastIncludedTerm: Term;
  readonly data: unknown;
  /** The leader's lastIncludedConfig, present when its snapshot has one. */
  readonly lastIncludedConfig?: Configuration;
}

/**
 * Figure 13's reply is the term alone; this one also echoes the request's lastIncludedIndex as
 * `matchIndex` (the follower now holds every entry up to it), so a leader can tell which request
 * a late or duplicated reply answers.
 */
export interface InstallSnapshotReply extends Envelope {
  readonly type: 'InstallSnapshotReply';
  readonly matchIndex: LogIndex;
}


/**
 * PreVote (thesis §9.6): "would you vote for me in term `term`?", asked with term = the asker's
 * currentTerm + 1 and answered without changing the receiver's term or vote. Types of their own
 * rather than RequestVote with a flag (etcd-io/raft also has MsgPreVote/MsgPreVoteResp): the
 * receiver's rules differ (no term rule, nothing recorded), and every switch over message types
 * must then decide about pre-votes explicitly, so no RequestVote rule can apply to one unnoticed.
 */
export interface PreVoteArgs extends Envelope {
  readonly type: 'PreVote';
  readonly candidateId: ServerId;
  readonly lastLogIndex: LogIndex;
  readonly lastLogTerm: Term;
}

/**
 * Granted: term is the request's (the asker's currentTerm + 1), so the asker counts it for that
 * round only. Refused: term is the receiver's currentTerm, a real term the asker adopts when higher.
 */
export interface PreVoteReply extends Envelope {
  readonly type: 'PreVoteReply';
  readonly voteGranted: boolean;
}


export type Message =
  | RequestVoteArgs | RequestVoteReply | AppendEntriesArgs | AppendEntriesReply
  | InstallSnapshotArgs | InstallSnapshotReply | PreVoteArgs | PreVoteReply;
export type MessageType = Message['type'];

// ---- Inputs ----------------------------------------------------------------------------------

/**
 * A single-server membership change (thesis §4.2 and §4.2.1): a new server joins as a learner,
 * is promoted to voter once it has caught up, and any member can be removed.
 */
export interface MembershipChange {
  readonly kind: 'AddLearner' | 'PromoteLearner' | 'RemoveServer';
  readonly server: ServerId;
}

export type Input =
  | { readonly type: 'ElectionTimeout' }
  | { readonly type: 'HeartbeatTick' }
  | { readonly type: 'Start'; readonly command: unknown }
  | { readonly type: 'Receive'; readonly message: Message }
  /**
   * The service's snapshot of every entry up to and including `index` (the lab's
   * Snapshot(index, snapshot)): the log is trimmed through `index`. Ignored when `index` is at
   * or below lastIncludedIndex or above lastApplied (the service cannot hold what was not applied).
   */
  | { readonly type: 'Snapshot'; readonly index: LogIndex; readonly snapshot: unknown }
  /**
   * A membership change, asked of a leader (answered in StepResult.membership). `context` (absent:
   * null) becomes the configuration entry's command: the host's note about the change.
   */
  | { readonly type: 'ChangeMembership'; readonly change: MembershipChange; readonly context?: unknown };

// ---- Outputs ---------------------------------------------------------------------------------

/**
 * The persistent state to write durably before anything else of the step happens, the snapshot
 * with it in one atomic save. Present exactly when currentTerm, votedFor, the log or the snapshot
 * changed. `logChangedFrom` is the first absolute log index, after lastIncludedIndex, whose entry
 * differs from what was persisted before (lastLogIndex + 1 when no entry changed), so a disk
 * persister can truncate there and append only the tail; entries up to lastIncludedIndex are
 * dropped. `snapshotChanged` says whether snapshot, lastIncludedIndex and lastIncludedTerm are
 * new (a persister rewrites the snapshot only then); lastIncludedConfig, present when the state has
 * one, is written with the snapshot and covered by snapshotChanged.
 */
export interface PersistEffect extends PersistentState {
  readonly logChangedFrom: LogIndex;
  readonly snapshotChanged: boolean;
}

/** A committed command, for the service to apply. */
export interface CommandApplyMsg {
  readonly commandValid: true;
  readonly command: unknown;
  readonly commandIndex: LogIndex;
}

/**
 * A snapshot a leader sent (InstallSnapshot), for the service to install in place of everything
 * it applied so far. The next command applied after it is snapshotIndex + 1.
 */
export interface SnapshotApplyMsg {
  readonly snapshotValid: true;
  readonly snapshot: unknown;
  readonly snapshotTerm: Term;
  readonly snapshotIndex: LogIndex;
}

/**
 * A committed configuration entry (config: the new configuration, context: the entry's command)
 * or a leader's no-op (config and context null). Never a command: a service skips it or notes
 * the configuration; it is in the stream so that every index is applied exactly once, in order.
 */
export interface ConfigApplyMsg {
  readonly configValid: true;
  readonly configIndex: LogIndex;
  readonly config: Configuration | null;
  readonly context: unknown;
}

/** One ordered apply stream of every kind (the lab's ApplyMsg, and configuration entries). */
export type ApplyMsg = CommandApplyMsg | SnapshotApplyMsg | ConfigApplyMsg;

export type TimerDirective = 'resetElectionTimer' | 'startHeartbeat' | 'stopHeartbeat';

export interface StartResult {
  readonly index: LogIndex;
  readonly term: Term;
  readonly isLeader: boolean;
}

/**
 * How a server is configured (not state: the same for every step of a run).
 * `maxEntriesPerAppend` caps the entries of one AppendEntries, so a follower far behind is
 * brought up in requests of bounded size (Infinity: every entry from nextIndex on).
 * `autoFreeze` (absent: true, as immer's own default) deep-freezes every state a step produces;
 * a host that never mutates states (a model checker, a benchmark) may turn it off for speed.
 * The log is frozen either way, and the results are deep-equal either way.
 */
export interface StepConfig {
  readonly maxEntriesPerAppend: number;
  readonly autoFreeze?: boolean;
  /**
   * PreVote (thesis §9.6; absent: off): a server whose election timer fires first asks for
   * pre-votes for currentTerm + 1 and stands only with a majority of them, so a server that
   * cannot win (partitioned, or behind) never raises the cluster's term; a pre-vote is refused
   * while a leader is heard (leader stickiness).
   */
  readonly preVote?: boolean;
  /**
   * CheckQuorum (thesis §6.2 and §9.6; absent: off): a leader whose election timer fires and that
   * heard from no majority (itself included) since the last firing steps down, so a leader cut
   * off from a majority (a deaf one, too) stops holding the cluster.
   */
  readonly checkQuorum?: boolean;
}

export const DEFAULT_STEP_CONFIG: StepConfig = { maxEntriesPerAppend: Infinity, autoFreeze: true };

/** Why a leader refused a ChangeMembership, in the order the reasons are checked (membership.ts). */
export type MembershipRefusal =
  | 'not-leader' | 'no-such-server' | 'already-member' | 'not-a-learner' | 'last-voter'
  | 'no-commit-in-term' | 'change-in-progress';

/** The answer to a ChangeMembership: the index and term of the configuration entry, or a refusal. */
export type MembershipResult =
  | { readonly ok: true; readonly index: LogIndex; readonly term: Term }
  | { readonly ok: false; readonly reason: MembershipRefusal };

export interface StepResult {
  readonly state: RaftState;
  /** Outbound messages, in the order they were produced. */
  readonly messages: readonly Message[];
  readonly persist: PersistEffect | null;
  /**
   * Newly committed entries and installed snapshots, in index order, each index exactly once over
   * a node's life between restarts (an installed snapshot stands for every index it covers).
   */
  readonly apply: readonly ApplyMsg[];
  readonly timers: readonly TimerDirective[];
  /** Only for a Start input: the answer to hand back to the client at once. */
  readonly start?: StartResult;
  /** Only for a ChangeMembership input: the answer to hand back to the host at once. */
  readonly membership?: MembershipResult;
}
