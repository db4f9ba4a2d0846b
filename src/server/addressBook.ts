import { lastLogIndex, type RaftState, type ServerId } from '../core/index.js';
import { formatAddress, parseAddress } from '../runtime/net/index.js';

/**
 * A configuration entry's context, as the node process writes it (add-server): the server it
 * adds and where that server listens. Raft keeps it opaque; this is its one reader.
 */
export interface MemberAddress {
  readonly server: ServerId;
  readonly address: string;
}

/** The context of a configuration entry that adds `server` at `address`. */
export function memberContext(server: ServerId, address: string): MemberAddress {
  return { server, address };
}

/** A context that names a server and a well-formed host:port, else null (any other context is no address). */
export function memberAddress(context: unknown): MemberAddress | null {
  if (typeof context !== 'object' || context === null) return null;
  const { server, address } = context as Record<string, unknown>;
  if (typeof server !== 'number' || !Number.isSafeInteger(server) || server < 0 || typeof address !== 'string') return null;
  try {
    return { server, address: formatAddress(parseAddress(address)) };
  } catch {
    return null;
  }
}

/**
 * Where each server listens, as this node knows it: the founding servers from --peers, every
 * other one from the context of the configuration entry that added it. Raft itself persists
 * what this reads, so the book survives restarts and snapshots without a file of its own: the
 * entries are in the log (restored at start and re-read here), and once a snapshot compacts them
 * the replicated list's snapshot carries the addresses they named (ListSnapshot.addresses), which
 * a restart or an InstallSnapshot hands back here. Uncommitted entries count as soon as they are
 * in the log (a leader must reach a learner it just added), and the latest entry for a server wins.
 */
export class AddressBook {
  private readonly known = new Map<ServerId, string>();
  /** The last log index read (the entries after it are new). */
  private scanned = 0;
  private snapshotIndex = -1;

  /**
   * @param me this server (its own address is where it listens, never learned)
   * @param founders the --peers addresses, ids 0..k-1
   * @param update told of every address learned or changed (the transport's setAddress), and why
   */
  constructor(
    private readonly me: ServerId,
    founders: readonly string[],
    private readonly update: (id: ServerId, address: string, source: string) => void,
  ) {
    founders.forEach((address, id) => this.known.set(id, address));
  }

  address(id: ServerId): string | undefined {
    return this.known.get(id);
  }

  /** Every known address by id (tests, status). */
  entries(): [ServerId, string][] {
    return [...this.known].sort(([a], [b]) => a - b);
  }

  /**
   * Reads what a step changed: a new snapshot's addresses and the log entries from the first that
   * differs from `before` (only the tail changes, so this costs what changed). True when the
   * configuration in effect may have changed with them (a configuration entry among them, entries
   * dropped, or a new snapshot).
   */
  observe(before: RaftState | null, after: RaftState): boolean {
    let changed = before === null;
    if (after.lastIncludedIndex !== this.snapshotIndex) {
      changed = true;
      this.snapshotIndex = after.lastIncludedIndex;
      for (const [id, address] of snapshotAddresses(after.snapshot)) this.learn(id, address, `the snapshot through index ${after.lastIncludedIndex}`);
    }
    if (lastLogIndex(after) < this.scanned) changed = true;
    let from = Math.min(this.scanned, lastLogIndex(after));
    if (before !== null && before.lastIncludedIndex === after.lastIncludedIndex && before.log !== after.log) {
      // Walk back over a replaced tail (a truncation and new entries of the same length or longer).
      const base = after.lastIncludedIndex;
      while (from > base && before.log[from - base - 1] !== after.log[from - base - 1]) {
        from--;
        changed = true;
      }
    }
    from = Math.max(from, after.lastIncludedIndex);
    for (let index = from + 1; index <= lastLogIndex(after); index++) {
      const entry = after.log[index - after.lastIncludedIndex - 1]!;
      if (entry.config === undefined) continue;
      changed = true;
      const named = memberAddress(entry.command);
      if (named !== null) this.learn(named.server, named.address, `the configuration entry at index ${index}`);
    }
    this.scanned = lastLogIndex(after);
    return changed;
  }

  private learn(id: ServerId, address: string, source: string): void {
    if (id === this.me || this.known.get(id) === address) return;
    this.known.set(id, address);
    this.update(id, address, source);
  }
}

/** The addresses a snapshot of the replicated list carries (ListSnapshot.addresses; none in one written before membership). */
export function snapshotAddresses(snapshot: unknown): [ServerId, string][] {
  const addresses = (snapshot as { readonly addresses?: unknown } | null)?.addresses;
  if (typeof addresses !== 'object' || addresses === null) return [];
  return Object.entries(addresses).flatMap(([id, address]) => {
    const known = memberAddress({ server: Number(id), address });
    return known === null ? [] : [[known.server, known.address] as [ServerId, string]];
  });
}
