import type { Message } from '../../src/core/index.js';
import type { PartialOrder } from '../engine/model.js';
import { identity, MAX_IDS, type Relabelling } from '../engine/relabelling.js';
import { StringSink } from '../engine/string-sink.js';
import type { RaftAction } from './actions.js';
import type { Bounds } from './bounds.js';
import { encodeMessage } from './encode.js';
import { plainMessageKey } from './keys.js';
import type { SystemState } from './system.js';

/**
 * Which Raft moves commute, for the engine's partial-order reduction (engine/por.ts): judged at
 * one state, with both successors at hand (conditional independence), and conservative: every
 * doubt is "dependent", which only prunes less.
 *
 * Two moves a and b are independent at s when all of these hold:
 * - They act on different servers (a Receive acts on its addressee; DropMessage and
 *   DuplicateMessage on no server): a server's step reads and writes only its own slot.
 * - They name different messages (by key): Receive, DropMessage and DuplicateMessage of the same
 *   message may disable each other (one copy left). Else the network is a multiset kept sorted,
 *   so removals and additions of different messages commute.
 * - Both orders fit the network bound: |network| + what a adds + what b adds <= maxMessages (a
 *   step that would overfill it is disabled, and DuplicateMessage needs room).
 * - They share no budget: two ClientRequests (commandsIssued: enabledness, and the command's
 *   value), two Snapshots (snapshots), two crash-budget moves (Crash or a step with a crash point:
 *   crashes decides whether the others are enabled).
 * - Neither touches a ghost the other's step reads or writes: a move whose successor changes
 *   elected, committed, applied, breach or committedAfterRestart (all read by every server step's
 *   history and step properties, and first-writer-wins), or sets the one-step goal flags
 *   (installedSnapshot, committedAfterSnapshotRestart, which every other move clears), is
 *   dependent with everything. The ghosts every step may write without conflict commute:
 *   candidates (a bitwise or), restartedFromSnapshot and quorumHeard (one slot per server).
 * A move that changes none of those shared ghosts at s changes none of them after the other
 * either: its server's state and input are the same there, and so are the ghosts it reads.
 * Restart raises `restarts`, which only a step that commits reads (it is dependent anyway).
 * ChangeMembership is dependent on everything (no argument for less has been made).
 */
export function raftPartialOrder(bounds: Bounds): PartialOrder<SystemState, RaftAction> {
  const keys = new StringSink();
  const plain = identity(MAX_IDS);
  const messageKey = (m: Message, r: Relabelling | undefined): string => (r === undefined ? plainMessageKey(m) : keys.partKey(m, r, encodeMessage));
  return {
    key(a, r) {
      switch (a.kind) {
        case 'Timeout':
        case 'Heartbeat':
        case 'ClientRequest':
        case 'Snapshot':
          return `${a.kind[0]}${(r ?? plain).newId[a.server]}${a.crashMidStep ? '!' : ''}`;
        case 'Crash':
        case 'Restart':
          return `${a.kind}${(r ?? plain).newId[a.server]}`;
        case 'Receive':
          return `R${messageKey(a.message, r)}${a.crashMidStep ? '!' : ''}`;
        case 'ChangeMembership':
          return `M${(r ?? plain).newId[a.server]}${a.change.kind[0]}${(r ?? plain).newId[a.change.server]}${a.crashMidStep ? '!' : ''}`;
        case 'DropMessage':
          return `D${messageKey(a.message, r)}`;
        case 'DuplicateMessage':
          return `U${messageKey(a.message, r)}`;
      }
    },
    independent(s, a, b, sa, sb) {
      // A membership change is dependent on every move: it changes whom the leader replicates to
      // and whose votes and acknowledgements count, which every other move's effect may read.
      if (a.kind === 'ChangeMembership' || b.kind === 'ChangeMembership') return false;
      const server = actor(a);
      if (server >= 0 && server === actor(b)) return false;
      const ma = messageOf(a);
      const mb = messageOf(b);
      if (ma !== null && mb !== null && (ma === mb || plainMessageKey(ma) === plainMessageKey(mb))) return false;
      const budget = budgetOf(a);
      if (budget !== 0 && budget === budgetOf(b)) return false;
      if (touchesSharedGhosts(s, sa) || touchesSharedGhosts(s, sb)) return false;
      const n = s.network.length;
      return n + (sa.network.length - n) + (sb.network.length - n) <= bounds.maxMessages;
    },
  };
}

/** The server a move acts on, or -1 (the network's own moves). */
function actor(a: RaftAction): number {
  switch (a.kind) {
    case 'Receive':
      return a.message.to;
    case 'DropMessage':
    case 'DuplicateMessage':
      return -1;
    default:
      return a.server;
  }
}

function messageOf(a: RaftAction): Message | null {
  return a.kind === 'Receive' || a.kind === 'DropMessage' || a.kind === 'DuplicateMessage' ? a.message : null;
}

const ISSUE = 1;
const SNAPSHOT = 2;
const CRASH = 3;

/** The system-wide budget a move draws on (0: none). */
function budgetOf(a: RaftAction): number {
  if (a.kind === 'Crash' || ('crashMidStep' in a && a.crashMidStep)) return CRASH;
  if (a.kind === 'ClientRequest') return ISSUE;
  if (a.kind === 'Snapshot') return SNAPSHOT;
  return 0;
}

/** Whether the move from `s` to `t` changed a ghost other moves read, or set a one-step goal flag. */
function touchesSharedGhosts(s: SystemState, t: SystemState): boolean {
  return (
    t.elected !== s.elected ||
    t.committed !== s.committed ||
    t.applied !== s.applied ||
    t.breach !== s.breach ||
    t.committedAfterRestart !== s.committedAfterRestart ||
    t.installedSnapshot ||
    t.committedAfterSnapshotRestart
  );
}
