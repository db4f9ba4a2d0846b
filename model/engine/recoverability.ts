import { FingerprintIds } from './fingerprint-ids.js';
import type { Model } from './model.js';
import { ROOT } from './parent-links.js';

/**
 * Recoverability (liveness) properties: "from every reachable state, a state where P holds is
 * reachable" (the model's `recoverable`). During an exhaustive BFS the recorder keeps the state
 * graph: a dense id per distinct state (FingerprintIds) and every edge from -> to in Int32Array
 * chunks, plus, per state, which properties hold there and whether the bound cut its successors.
 * After the search, a backward reachability over the reversed edges from every state where P
 * holds finds the states that can reach P; any other explored state is stuck.
 *
 * The bound. The explored graph is a subgraph of the unbounded system's, so P reachable here is
 * P reachable there; the converse fails only through edges the bound cut. A state whose
 * successors the bound cut (`Model.truncated`) therefore counts as one that may recover: it
 * seeds the backward search like a P-state, so neither it nor any state that can reach it is
 * reported. That makes every report sound (no false alarm caused by the bound: a reported state
 * reaches, within the bound, only states whose every successor the bound kept, none where P
 * holds, so the unbounded system cannot reach P from it either). What it can miss: a state that
 * can reach a truncated state is never reported, even when P is out of reach past the cut too.
 *
 * Symmetry: ids are of canonical states, so an edge joins two representatives. That is sound for
 * a P that is symmetric (holds on a state exactly when on its relabellings, as P of Raft servers
 * that do not name a server is), and for a symmetric `truncated`.
 *
 * Ids: the recorder gives a new fingerprint the next id when it first sees it, and the search
 * calls it for each successor just before inserting it, so in the in-thread BFS, where a new
 * state is inserted (and given its parent-link id) at once, the two ids agree by construction
 * (checked at the end: the counts must match). Parallel search is not supported (explore says so).
 */

const CHUNK = 1 << 20; // edges per chunk (8 MB)
const TRUNCATED = 0x80;
/** At most 7 properties: one bit each, beside the truncated bit. */
export const MAX_RECOVERABLE = 7;

/** What the check found for one property. */
export interface Recovery {
  readonly name: string;
  /** The shallowest stuck state (least id: ids are in BFS order), when there is one. */
  readonly stuck: number | null;
  /** How many explored states cannot reach a P-state nor a truncated one (for this property or all). */
  readonly stuckStates: number;
}

export interface RecoverySummary {
  readonly properties: readonly Recovery[];
  readonly states: number;
  /** Edges recorded (successors, duplicates and self-loops aside). */
  readonly edges: number;
  readonly truncatedStates: number;
  /** Bytes the graph took: the id map, the edges, the marks and the reversed index. */
  readonly bytes: number;
}

export class RecoveryRecorder<S> {
  private readonly ids = new FingerprintIds();
  private readonly chunks: Int32Array[] = [];
  private chunk = new Int32Array(2 * CHUNK);
  private inChunk = 0;
  private marks = new Uint8Array(1024);
  private readonly properties: NonNullable<Model<S, unknown>['recoverable']>;

  constructor(private readonly model: Model<S, unknown>) {
    this.properties = model.recoverable ?? [];
    if (this.properties.length > MAX_RECOVERABLE) throw new RangeError(`at most ${MAX_RECOVERABLE} recoverable properties, got ${this.properties.length}`);
  }

  get states(): number {
    return this.ids.size;
  }

  /** A successor `state` (fingerprint hi, lo) of the state `from` (ROOT for an initial state). */
  record(from: number, state: S, hi: number, lo: number): void {
    const to = this.ids.idOf(hi, lo);
    if (this.ids.isNew) this.mark(to, state);
    if (from === ROOT || from === to) return;
    if (this.inChunk === CHUNK) {
      this.chunks.push(this.chunk);
      this.chunk = new Int32Array(2 * CHUNK);
      this.inChunk = 0;
    }
    this.chunk[2 * this.inChunk] = from;
    this.chunk[2 * this.inChunk + 1] = to;
    this.inChunk++;
  }

  private mark(id: number, state: S): void {
    if (id === this.marks.length) {
      const grown = new Uint8Array(this.marks.length * 2);
      grown.set(this.marks);
      this.marks = grown;
    }
    let m = this.model.truncated?.(state) === true ? TRUNCATED : 0;
    for (let k = 0; k < this.properties.length; k++) {
      const p = this.properties[k]!;
      if (p.holds(state) || p.truncated?.(state) === true) m |= 1 << k;
    }
    this.marks[id] = m;
  }

  /** The backward reachability, once the search has explored every state (`distinct` of them). */
  check(distinct: number): RecoverySummary {
    const n = this.ids.size;
    if (n !== distinct) throw new Error(`recoverability: the graph has ${n} states, the search ${distinct}`);
    const all = [...this.chunks, this.chunk.subarray(0, 2 * this.inChunk)];
    const edges = this.chunks.length * CHUNK + this.inChunk;
    // The reversed index: preds[start[t] .. start[t + 1]) are the states with an edge into t.
    const start = new Int32Array(n + 1);
    for (const c of all) for (let e = 1; e < c.length; e += 2) start[c[e]! + 1]!++;
    for (let t = 0; t < n; t++) start[t + 1]! += start[t]!;
    const fill = start.slice(0, n);
    const preds = new Int32Array(edges);
    for (const c of all) for (let e = 0; e < c.length; e += 2) preds[fill[c[e + 1]!]!++] = c[e]!;
    const reached = new Uint8Array(n);
    const queue = new Int32Array(n);
    let truncatedStates = 0;
    for (let id = 0; id < n; id++) if ((this.marks[id]! & TRUNCATED) !== 0) truncatedStates++;
    const properties = this.properties.map(({ name }, k): Recovery => {
      const seeds = TRUNCATED | (1 << k);
      reached.fill(0);
      let tail = 0;
      for (let id = 0; id < n; id++) {
        if ((this.marks[id]! & seeds) !== 0) {
          reached[id] = 1;
          queue[tail++] = id;
        }
      }
      for (let head = 0; head < tail; head++) {
        const t = queue[head]!;
        for (let p = start[t]!; p < start[t + 1]!; p++) {
          const f = preds[p]!;
          if (reached[f] === 0) {
            reached[f] = 1;
            queue[tail++] = f;
          }
        }
      }
      const first = reached.indexOf(0);
      return { name, stuck: first < 0 ? null : first, stuckStates: n - tail };
    });
    const bytes = this.ids.byteLength + (this.chunks.length + 1) * 8 * CHUNK + this.marks.byteLength + start.byteLength * 2 + preds.byteLength + reached.byteLength + queue.byteLength;
    return { properties, states: n, edges, truncatedStates, bytes };
  }
}

/**
 * The recorder's verdicts after a search that stopped for `stopReason` (null: exhaustive): the
 * shallowest stuck state of each property that has one, as a violation found at that state.
 * A search that was not exhaustive saw only part of the graph, so it is not judged (a note says so).
 */
export function recoveryVerdicts<S>(
  recorder: RecoveryRecorder<S>,
  stopReason: string | null,
  distinct: number,
  notes: string[],
): { summary?: RecoverySummary; stuck: Map<string, number> } {
  const stuck = new Map<string, number>();
  if (stopReason !== null) {
    notes.push(`recoverability not checked: the search stopped early (${stopReason}), so its state graph is partial`);
    return { stuck };
  }
  const summary = recorder.check(distinct);
  for (const p of summary.properties) if (p.stuck !== null) stuck.set(p.name, p.stuck);
  return { summary, stuck };
}
