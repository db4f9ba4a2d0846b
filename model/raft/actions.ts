import type { MembershipChange, Message } from '../../src/core/index.js';
import { configText, entryWords } from './configs.js';

/**
 * The environment's and the servers' moves, named as in Ongaro's raft.tla. Server steps
 * (Timeout, Heartbeat, ClientRequest, Snapshot, Receive) may carry `crashMidStep`: the server crashes
 * after carrying out only the first group of its step's effects (the contract's first kind of
 * operation), so a step that sends before it persists is caught.
 */
export type ServerStepAction =
  | { readonly kind: 'Timeout'; readonly server: number; readonly crashMidStep: boolean }
  | { readonly kind: 'Heartbeat'; readonly server: number; readonly crashMidStep: boolean }
  | { readonly kind: 'ClientRequest'; readonly server: number; readonly crashMidStep: boolean }
  /** The service compacts the log through what the server applied (the core's Snapshot input). */
  | { readonly kind: 'Snapshot'; readonly server: number; readonly crashMidStep: boolean }
  | { readonly kind: 'Receive'; readonly message: Message; readonly crashMidStep: boolean }
  /** The host asks leader `server` for a membership change (the core's ChangeMembership input). */
  | { readonly kind: 'ChangeMembership'; readonly server: number; readonly change: MembershipChange; readonly crashMidStep: boolean };

export type RaftAction =
  | ServerStepAction
  | { readonly kind: 'DropMessage'; readonly message: Message }
  | { readonly kind: 'DuplicateMessage'; readonly message: Message }
  | { readonly kind: 'Crash'; readonly server: number }
  | { readonly kind: 'Restart'; readonly server: number };

export function formatMessage(m: Message): string {
  switch (m.type) {
    case 'RequestVote':
      return `RequestVote ${m.from}->${m.to} term=${m.term} lastLogIndex=${m.lastLogIndex} lastLogTerm=${m.lastLogTerm}`;
    case 'RequestVoteReply':
      return `RequestVoteReply ${m.from}->${m.to} term=${m.term} voteGranted=${m.voteGranted}`;
    case 'AppendEntries':
      return `AppendEntries ${m.from}->${m.to} term=${m.term} prevLogIndex=${m.prevLogIndex} prevLogTerm=${m.prevLogTerm} entries=[${m.entries.map((e) => entryWords(e, String)).join(',')}] leaderCommit=${m.leaderCommit}`;
    case 'AppendEntriesReply':
      return `AppendEntriesReply ${m.from}->${m.to} term=${m.term} success=${m.success}` +
        (m.success ? ` matchIndex=${m.matchIndex}` : ` conflictTerm=${m.conflictTerm} conflictIndex=${m.conflictIndex}`);
    case 'InstallSnapshot':
      return `InstallSnapshot ${m.from}->${m.to} term=${m.term} lastIncludedIndex=${m.lastIncludedIndex} lastIncludedTerm=${m.lastIncludedTerm}` +
        (m.lastIncludedConfig !== undefined ? ` lastIncludedConfig=${configText(m.lastIncludedConfig)}` : '');
    case 'InstallSnapshotReply':
      return `InstallSnapshotReply ${m.from}->${m.to} term=${m.term} matchIndex=${m.matchIndex}`;
    case 'PreVote':
      return `PreVote ${m.from}->${m.to} term=${m.term} lastLogIndex=${m.lastLogIndex} lastLogTerm=${m.lastLogTerm}`;
    case 'PreVoteReply':
      return `PreVoteReply ${m.from}->${m.to} term=${m.term} voteGranted=${m.voteGranted}`;
  }
}

export function formatAction(a: RaftAction): string {
  const crash = 'crashMidStep' in a && a.crashMidStep ? ' (crash after its first effects)' : '';
  switch (a.kind) {
    case 'Timeout':
    case 'Heartbeat':
    case 'ClientRequest':
    case 'Snapshot':
    case 'Crash':
    case 'Restart':
      return `${a.kind}(${a.server})${crash}`;
    case 'Receive':
      return `Receive ${formatMessage(a.message)}${crash}`;
    case 'ChangeMembership':
      return `ChangeMembership(${a.server}, ${a.change.kind} s${a.change.server})${crash}`;
    case 'DropMessage':
      return `DropMessage ${formatMessage(a.message)}`;
    case 'DuplicateMessage':
      return `DuplicateMessage ${formatMessage(a.message)}`;
  }
}

/** Equal exactly for the same move (used to match a recorded action on replay). */
export function actionKey(a: RaftAction, messageKey: (m: Message) => string): string {
  switch (a.kind) {
    case 'Timeout':
    case 'Heartbeat':
    case 'ClientRequest':
    case 'Snapshot':
      return `${a.kind}(${a.server})${a.crashMidStep ? '!' : ''}`;
    case 'Crash':
    case 'Restart':
      return `${a.kind}(${a.server})`;
    case 'Receive':
      return `${a.kind}(${messageKey(a.message)})${a.crashMidStep ? '!' : ''}`;
    case 'ChangeMembership':
      return `${a.kind}(${a.server},${a.change.kind},${a.change.server})${a.crashMidStep ? '!' : ''}`;
    case 'DropMessage':
    case 'DuplicateMessage':
      return `${a.kind}(${messageKey(a.message)})`;
  }
}
