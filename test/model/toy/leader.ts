import type { Model } from '../../../model/engine/model.js';
import type { Relabelling } from '../../../model/engine/relabelling.js';
import type { Sink } from '../../../model/engine/sink.js';
import { Canonicaliser, type Encoding } from '../../../model/engine/symmetry.js';

/**
 * k interchangeable nodes, each with a counter 0..m-1 (all 0 at first), and at most one leader.
 * Actions: Inc(i) (mod m), Elect(i) (skipped when i leads), Resign (skipped when none leads).
 * Every state is reachable and has 2k successors. Known by arithmetic:
 * - as they are: m^k (k + 1) states (counters, and no leader or one of k);
 * - with symmetry: C(m+k-1, k) + m C(m+k-2, k-1) (a multiset of counters without a leader; the
 *   leader's counter and a multiset of the others' with one).
 */
export interface LeaderOptions {
  readonly k: number;
  readonly m: number;
  readonly symmetry?: boolean;
  /** Default true: tell the engine each node's relabelling-invariant signature. */
  readonly signature?: boolean;
  /**
   * Declare what commutes (Model.partialOrder): an Inc with anything but an Inc of its own node
   * (it touches only that counter); Elect and Resign write the leader, so they commute with no
   * other Elect or Resign. Keys name nodes as relabelled, so sleep sets cross symmetry.
   */
  readonly partialOrder?: boolean;
}

export interface LeaderState {
  readonly counters: readonly number[];
  /** -1: none. */
  readonly leader: number;
}

export type LeaderAction = { readonly kind: 'Inc' | 'Elect'; readonly node: number } | { readonly kind: 'Resign' };

const writeInt = (n: number, _: unknown, sink: Sink): void => sink.int(n);

export function leaderEncoding(m: number, withSignature: boolean): Encoding<LeaderState> {
  return {
    ids: (s) => s.counters.length,
    encode(s: LeaderState, r: Relabelling, sink: Sink): void {
      sink.byId(s.counters, r, null, writeInt);
      sink.int(s.leader < 0 ? -1 : r.id(s.leader));
    },
    ...(withSignature ? { signature: (s: LeaderState, i: number) => s.counters[i]! + (s.leader === i ? m : 0) } : {}),
  };
}

export function createModel(options: LeaderOptions): Model<LeaderState, LeaderAction> {
  const { k, m, symmetry = false, signature = true, partialOrder = false } = options;
  const canonical = new Canonicaliser(leaderEncoding(m, signature), symmetry);
  const actions: LeaderAction[] = [
    ...Array.from({ length: k }, (_, node) => ({ kind: 'Inc' as const, node })),
    ...Array.from({ length: k }, (_, node) => ({ kind: 'Elect' as const, node })),
    { kind: 'Resign' },
  ];
  return {
    name: `leader(k=${k}, m=${m}${symmetry ? ', symmetric' : ''})`,
    initialStates: () => [{ counters: new Array<number>(k).fill(0), leader: -1 }],
    actions: () => actions,
    next(s, a) {
      switch (a.kind) {
        case 'Inc': {
          const counters = [...s.counters];
          counters[a.node] = (counters[a.node]! + 1) % m;
          return { counters, leader: s.leader };
        }
        case 'Elect':
          return s.leader === a.node ? null : { counters: s.counters, leader: a.node };
        case 'Resign':
          return s.leader < 0 ? null : { counters: s.counters, leader: -1 };
      }
    },
    invariants: [],
    goals: [{ name: 'SomeoneLeads', holds: (s) => s.leader >= 0 }],
    canonicalKey: (s) => canonical.key(s),
    fingerprint: (s, out) => canonical.fingerprint(s, out),
    ...(partialOrder
      ? {
          partialOrder: {
            key: (a: LeaderAction, r: Relabelling | undefined) => (a.kind === 'Resign' ? 'R' : `${a.kind}${r === undefined ? a.node : r.newId[a.node]}`),
            independent: (_: LeaderState, a: LeaderAction, b: LeaderAction) =>
              a.kind === 'Inc' ? b.kind !== 'Inc' || b.node !== a.node : b.kind === 'Inc',
          },
        }
      : {}),
    formatAction: (a) => (a.kind === 'Resign' ? 'Resign' : `${a.kind}(${a.node})`),
  };
}
