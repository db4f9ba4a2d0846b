import type { ApplyMsg, StartResult, Term } from '../core/index.js';

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
  | { readonly ok: false; readonly error: 'not-leader' | 'lost'; readonly index?: number; readonly term?: Term };

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
 * the client must retry. After a restart the list is rebuilt from index 1 as the core re-applies
 * its log.
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

  /**
   * @param start the node's start(command)
   * @param termAt the term of the (committed) entry at an index, read from the node's log
   * @param schedule runs the batch flush once the current turn's submits are in (setImmediate)
   */
  constructor(
    private readonly start: (command: unknown) => StartResult,
    private readonly termAt: (index: number) => Term | undefined,
    private readonly schedule: (flush: () => void) => void = (flush) => { setImmediate(flush); },
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

  /** The node's apply callback: entries arrive once each, in index order. */
  apply(msg: ApplyMsg): void {
    if (msg.commandIndex !== this.lastAppliedIndex + 1) {
      throw new Error(`apply out of order: index ${msg.commandIndex} after ${this.lastAppliedIndex}`);
    }
    this.lastAppliedIndex = msg.commandIndex;
    const before = this.applied.length;
    this.lastEntryFirstPosition = before + 1;
    const commands = Array.isArray(msg.command) ? msg.command : [msg.command];
    for (const c of commands) this.applied.push(c);
    const list = this.waiting.get(msg.commandIndex);
    if (!list) return;
    this.waiting.delete(msg.commandIndex);
    const term = this.termAt(msg.commandIndex);
    for (const w of list) {
      w.resolve(w.term === term
        ? { ok: true, index: msg.commandIndex, term: w.term, position: before + w.offset + 1 }
        : { ok: false, error: 'lost', index: msg.commandIndex, term: w.term });
    }
  }

  /** How many submits wait for their entry to be applied. */
  get pending(): number {
    let n = this.batch.length;
    for (const list of this.waiting.values()) n += list.length;
    return n;
  }
}
