import type { Message, RaftState, ServerId, Term } from '../core/index.js';

/**
 * Which server leads, as this one knows it, for clients that asked the wrong server (thesis
 * §6.2: a follower redirects a client to the leader it last heard from). It is the sender of the
 * latest AppendEntries or InstallSnapshot, only while this server is still in the term it was
 * sent in: one leader at most per term (election safety), so the hint is never another term's.
 * The runtime's, not the core's: the core keeps no leader id, and needs none.
 */
export class LeaderHint {
  private heard: { readonly id: ServerId; readonly term: Term } | null = null;

  /** Every message that arrives for this server, before the node steps it. */
  observe(message: Message): void {
    if (message.type !== 'AppendEntries' && message.type !== 'InstallSnapshot') return;
    if (this.heard === null || message.term >= this.heard.term) this.heard = { id: message.leaderId, term: message.term };
  }

  /** The leader of `state`'s current term: itself when it leads, else the one heard from in that term, else null. */
  leaderId(state: RaftState): ServerId | null {
    if (state.role === 'leader') return state.id;
    return this.heard !== null && this.heard.term === state.currentTerm ? this.heard.id : null;
  }
}
