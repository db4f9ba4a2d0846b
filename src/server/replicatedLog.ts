import type { ApplyMsg, StartResult, Term } from '../core/index.js';

/** The answer to a client's submit. */
export type SubmitReply =
  | { readonly ok: true; readonly index: number; readonly term: Term }
  | { readonly ok: false; readonly error: 'not-leader' | 'lost'; readonly index?: number; readonly term?: Term };

interface Waiting {
  readonly term: Term;
  readonly resolve: (reply: SubmitReply) => void;
}

/**
 * The tiny application the node process replicates: an ordered list of commands. A submit is
 * acknowledged once its entry is applied, and only if the entry applied at its index is the one
 * this leader appended (same term); otherwise it was lost to a new leader and the client must
 * retry. After a restart the list is rebuilt from index 1 as the core re-applies its log.
 */
export class ReplicatedLog {
  private readonly applied: unknown[] = [];
  private readonly waiting = new Map<number, Waiting[]>();

  /**
   * @param start the node's start(command)
   * @param termAt the term of the (committed) entry at an index, read from the node's log
   */
  constructor(
    private readonly start: (command: unknown) => StartResult,
    private readonly termAt: (index: number) => Term | undefined,
  ) {}

  get length(): number {
    return this.applied.length;
  }

  /** Commands applied so far, from index `from` (1-based), at most `limit`. */
  read(from: number, limit: number): readonly unknown[] {
    return this.applied.slice(from - 1, from - 1 + limit);
  }

  submit(command: unknown): Promise<SubmitReply> {
    const started = this.start(command);
    if (!started.isLeader) return Promise.resolve({ ok: false, error: 'not-leader' });
    if (started.index <= this.applied.length) {
      // Cannot happen: a leader appends past its commitIndex. Answer rather than wait forever.
      return Promise.resolve({ ok: false, error: 'lost', index: started.index, term: started.term });
    }
    return new Promise((resolve) => {
      const list = this.waiting.get(started.index) ?? [];
      list.push({ term: started.term, resolve });
      this.waiting.set(started.index, list);
    });
  }

  /** The node's apply callback: entries arrive once each, in index order. */
  apply(msg: ApplyMsg): void {
    if (msg.commandIndex !== this.applied.length + 1) {
      throw new Error(`apply out of order: index ${msg.commandIndex} after ${this.applied.length}`);
    }
    this.applied.push(msg.command);
    const list = this.waiting.get(msg.commandIndex);
    if (!list) return;
    this.waiting.delete(msg.commandIndex);
    const term = this.termAt(msg.commandIndex);
    for (const w of list) {
      w.resolve(w.term === term
        ? { ok: true, index: msg.commandIndex, term: w.term }
        : { ok: false, error: 'lost', index: msg.commandIndex, term: w.term });
    }
  }

  /** How many submits wait for their entry to be applied. */
  get pending(): number {
    let n = 0;
    for (const list of this.waiting.values()) n += list.length;
    return n;
  }
}
