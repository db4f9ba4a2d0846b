import type { AppendEntriesArgs, AppendEntriesReply, Message, RequestVoteArgs, RequestVoteReply } from '../core/index.js';

/**
 * The core is message-passing; a transport carries its messages as RPCs: a request goes out
 * with a callback, and the reply the receiver's step produces for it comes back through that
 * callback, at most once. A lost request or reply is silence: the core needs no failure input,
 * since it retries on its own timers.
 */
export type RequestMessage = RequestVoteArgs | AppendEntriesArgs;
export type ReplyMessage = RequestVoteReply | AppendEntriesReply;

export type ReplyCallback = (reply: ReplyMessage) => void;

/** How a node reaches its peers (server ids 0..clusterSize-1). */
export interface Transport {
  readonly clusterSize: number;
  call(request: RequestMessage, onReply: ReplyCallback): void;
}

/** How a transport hands a request to a node; `respond` is called once the reply is ready to leave. */
export interface RpcHandler {
  handle(request: RequestMessage, respond: ReplyCallback): void;
}

export function isRequest(m: Message): m is RequestMessage {
  return m.type === 'RequestVote' || m.type === 'AppendEntries';
}
