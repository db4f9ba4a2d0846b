import {
  entryAt, lastLogIndex, type ApplyMsg, type CommandApplyMsg, type LogIndex, type LogView, type SnapshotApplyMsg, type StartResult, type Term,
} from '../core/index.js';

/** The answer to a client's submit. */
export type SubmitReply =
  | {
    readonly ok: true;
    /** The Raft log index of the entry that carried the command, and its term. */
    readonly index: number;
    readonly term: Term;
    /** The command's place (1-based) in the replicated list of commands. */
    readonly position: number;
  }
  /**
   * not-leader: never appended; lost: a new leader overwrote the entry; unknown: a snapshot from
   * the leader replaced the entry before this server applied it, so whether it committed is not
   * known here (as after a timeout).
   */
  | { readonly ok: false; readonly error: 'not-leader' | 'lost' | 'unknown'; readonly index?: number; readonly term?: Term };

/**
 * When the service hands Raft a snapshot of its list: after this many entries, or this many
 * bytes of commands (their JSON), applied since the last one, whichever comes first; 0 turns
 * that trigger off (both 0: never).
 */
export interface SnapshotPolicy {
  readonly entries: number;
  readonly bytes: number;
}

export const DEFAULT_SNAPSHOT_POLICY: SnapshotPolicy = { entries: 10_000, bytes: 16 * 1024 * 1024 };

/** The term of the entry at `index` as a node's log view holds it (the snapshot's last one included); undefined when it holds none. */
export function termOfEntry(view: LogView, index: LogIndex): Term | undefined {
  if (index === view.lastIncludedIndex) return view.lastIncludedTerm;
  return index > view.lastIncludedIndex && index <= lastLogIndex(view) ? entryAt(view, index).term : undefined;
}

/** The service's snapshot: the whole list of commands applied through its index. */
export interface ListSnapshot {
  readonly list: readonly unknown[];
}

interface Waiting {
  readonly term: Term;
  /** Which command of the entry's batch is this submit's. */
  readonly offset: number;
  readonly resolve: (reply: SubmitReply) => void;
}

/**
 * The tiny application the node process replicates: an ordered list of commands.
 *
 * Batching: the submits that arrive in one turn of the event loop go into the log as one entry
 * whose command is the array of their commands (several entries when their JSON passes
 * MAX_ENTRY_BYTES), so a burst of client requests costs one step, one save and one
 * AppendEntries per follower, not one each. The list of commands is the concatenation of the
 * entries' batches, in log order.
 *
 * A submit is acknowledged once its entry is applied, and only if the entry applied at that
 * index is the one this leader appended (same term); otherwise a new leader overwrote it and
 * the client must retry. After a restart the list is rebuilt from the node's snapshot (its
 * first apply) and then the entries after it, as the core re-applies its log.
 *
 * Snapshots (Figure 13): after `policy.entries` entries or `policy.bytes` bytes of commands
 * applied since the last snapshot, the list so far is handed to `snapshot(index, {list})`
 * (RaftNode.snapshot), so the node's log and disk keep only the entries after it. A snapshot
 * applied (at restart, or an InstallSnapshot from the leader) replaces the list.
 */
/** The JSON bytes of commands one entry carries at most (one larger command goes alone). */
export const MAX_ENTRY_BYTES = 48 * 1024;

export class ReplicatedLog {
  private readonly applied: unknown[] = [];
  private readonly waiting = new Map<number, Waiting[]>();
  private batch: { readonly command: unknown; readonly resolve: (reply: SubmitReply) => void }[] = [];
  private lastAppliedIndex = 0;
  /** The position of the first command of the entry applied last (see startEntry). */
  private lastEntryFirstPosition = 1;
  /** Entries and command bytes applied since the last snapshot (taken or installed). */
  private entriesSinceSnapshot = 0;
  private bytesSinceSnapshot = 0;
  /** Snapshots handed to `snapshot` so far. */
  snapshotsTaken = 0;

  /**
   * @param start the node's start(command)
   * @param termAt the term of the (committed) entry at an index, read from the node's log
   * @param schedule runs the batch flush once the current turn's submits are in (setImmediate)
   * @param snapshot the node's snapshot(index, snapshot), with the policy saying when; null: never
   */
  constructor(
    private readonly start: (command: unknown) => StartResult,
    private readonly termAt: (index: number) => Term | undefined,
    private readonly schedule: (flush: () => void) => void = (flush) => { setImmediate(flush); },
    private readonly snapshots: { readonly policy: SnapshotPolicy; readonly snapshot: (index: LogIndex, snapshot: ListSnapshot) => void } | null = null,
  ) {}

  /** How many commands have been applied. */
  get length(): number {
    return this.applied.length;
  }

  /** The Raft index of the last entry applied. */
  get lastApplied(): number {
    return this.lastAppliedIndex;
  }

  /** Commands applied so far, from position `from` (1-based), at most `limit`. */
  read(from: number, limit: number): readonly unknown[] {
    return this.applied.slice(from - 1, from - 1 + limit);
  }

  submit(command: unknown): Promise<SubmitReply> {
    return new Promise((resolve) => {
      if (this.batch.length === 0) this.schedule(() => this.flush());
      this.batch.push({ command, resolve });
    });
  }

  /** Starts entries for every submit so far: one, or more when their JSON passes MAX_ENTRY_BYTES. */
  flush(): void {
    const batch = this.batch;
    this.batch = [];
    let from = 0;
    let bytes = 0;
    for (let i = 0; i < batch.length; i++) {
      const size = Buffer.byteLength(JSON.stringify(batch[i]!.command), 'utf8');
      if (i > from && bytes + size > MAX_ENTRY_BYTES) {
        this.startEntry(batch.slice(from, i));
        from = i;
        bytes = 0;
      }
      bytes += size;
    }
    if (from < batch.length) this.startEntry(batch.slice(from));
  }

  private startEntry(batch: readonly { readonly command: unknown; readonly resolve: (reply: SubmitReply) => void }[]): void {
    const started = this.start(batch.map((b) => b.command));
    if (!started.isLeader) {
      for (const b of batch) b.resolve({ ok: false, error: 'not-leader' });
      return;
    }
    if (started.index <= this.lastAppliedIndex) {
      // Committed and applied inside start (a one-server cluster on a synchronous disk).
      const applied = started.index === this.lastAppliedIndex && this.termAt(started.index) === started.term;
      batch.forEach((b, offset) => b.resolve(applied
        ? { ok: true, index: started.index, term: started.term, position: this.lastEntryFirstPosition + offset }
        : { ok: false, error: 'lost', index: started.index, term: started.term }));
      return;
    }
    this.waiting.set(started.index, batch.map((b, offset) => ({ term: started.term, offset, resolve: b.resolve })));
  }

  /** The node's apply callback: entries (and snapshots, standing for every index they cover) arrive once each, in index order. */
  apply(msg: ApplyMsg): void {
    if ('snapshotValid' in msg) this.installSnapshot(msg);
    // A configuration entry or no-op (membership, issue 16): not a command; to be handled with membership in this layer.
    else if ('configValid' in msg) return;
    else this.applyCommand(msg);
  }

  private installSnapshot(msg: SnapshotApplyMsg): void {
    if (msg.snapshotIndex <= this.lastAppliedIndex) {
      throw new Error(`apply out of order: a snapshot through index ${msg.snapshotIndex} after ${this.lastAppliedIndex}`);
    }
    const list = (msg.snapshot as Partial<ListSnapshot> | null)?.list;
    if (!Array.isArray(list)) throw new Error(`the snapshot through index ${msg.snapshotIndex} is not a replicated list`);
    this.applied.length = 0;
    for (const c of list as unknown[]) this.applied.push(c);
    this.lastAppliedIndex = msg.snapshotIndex;
    this.lastEntryFirstPosition = this.applied.length + 1;
    this.entriesSinceSnapshot = 0;
    this.bytesSinceSnapshot = 0;
    for (const [index, list] of this.waiting) {
      if (index > msg.snapshotIndex) continue;
      this.waiting.delete(index);
      for (const w of list) w.resolve({ ok: false, error: 'unknown', index, term: w.term });
    }
  }

  private applyCommand(msg: CommandApplyMsg): void {
    if (msg.commandIndex !== this.lastAppliedIndex + 1) {
      throw new Error(`apply out of order: index ${msg.commandIndex} after ${this.lastAppliedIndex}`);
    }
    this.lastAppliedIndex = msg.commandIndex;
    const before = this.applied.length;
    this.lastEntryFirstPosition = before + 1;
    const commands = Array.isArray(msg.command) ? msg.command : [msg.command];
    for (const c of commands) this.applied.push(c);
    const list = this.waiting.get(msg.commandIndex);
    if (list) {
      this.waiting.delete(msg.commandIndex);
      const term = this.termAt(msg.commandIndex);
      for (const w of list) {
        w.resolve(w.term === term
          ? { ok: true, index: msg.commandIndex, term: w.term, position: before + w.offset + 1 }
          : { ok: false, error: 'lost', index: msg.commandIndex, term: w.term });
      }
    }
    this.maybeSnapshot(msg);
  }

  /** Hands the list to Raft once the policy says enough was applied since the last snapshot. */
  private maybeSnapshot(msg: CommandApplyMsg): void {
    if (this.snapshots === null) return;
    const { entries, bytes } = this.snapshots.policy;
    if (entries === 0 && bytes === 0) return;
    this.entriesSinceSnapshot++;
    if (bytes > 0) this.bytesSinceSnapshot += Buffer.byteLength(JSON.stringify(msg.command), 'utf8');
    if (!((entries > 0 && this.entriesSinceSnapshot >= entries) || (bytes > 0 && this.bytesSinceSnapshot >= bytes))) return;
    this.entriesSinceSnapshot = 0;
    this.bytesSinceSnapshot = 0;
    this.snapshotsTaken++;
    // A new value each time (Raft keeps it as given): the list goes on growing after it.
    this.snapshots.snapshot(msg.commandIndex, Object.freeze({ list: Object.freeze(this.applied.slice()) }));
  }

  /** How many submits wait for their entry to be applied. */
  get pending(): number {
    let n = this.batch.length;
    for (const list of this.waiting.values()) n += list.length;
    return n;
  }
}
