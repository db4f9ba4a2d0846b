import type {
  AppendEntriesArgs, AppendEntriesReply, InstallSnapshotArgs, InstallSnapshotReply, Message, PreVoteArgs, PreVoteReply,
  RequestVoteArgs, RequestVoteReply,
} from '../core/index.js';

/**
 * The seam between a node and the world is messages both ways, as the core's is: a node sends
 * every message it steps out (requests and replies alike) through `send`, and everything that
 * arrives for it reaches its one `Receiver`. Nothing matches a reply to a request: the core
 * never waits on one, and retries on its own timers, so a lost message is silence.
 */
export interface Transport {
  /** Server ids are 0..clusterSize-1. */
  readonly clusterSize: number;
  /** Sends `message` to `message.to`, or loses it; never delivers synchronously. */
  send(message: Message): void;
}

/** Where a transport delivers what arrives for a node. */
export interface Receiver {
  onReceive(message: Message): void;
}

/** The messages that open an exchange; a network's fault model may treat them apart (the lab's does). */
export type RequestMessage = RequestVoteArgs | AppendEntriesArgs | InstallSnapshotArgs | PreVoteArgs;
export type ReplyMessage = RequestVoteReply | AppendEntriesReply | InstallSnapshotReply | PreVoteReply;

export function isRequest(m: Message): m is RequestMessage {
  return m.type === 'RequestVote' || m.type === 'AppendEntries' || m.type === 'InstallSnapshot' || m.type === 'PreVote';
}
