import type { Model } from '../../../model/engine/model.js';

/**
 * A toy model given as an explicit graph: states are numbers, edges a list per state (action i
 * goes to edges[s][i]), state 0 initial. `goal` is the recoverable property's set of P-states,
 * `truncated` the states whose successors the bound cut.
 */
export interface GraphOptions {
  readonly edges: readonly (readonly number[])[];
  readonly goal: readonly number[];
  readonly truncated?: readonly number[];
}

export function createModel(o: GraphOptions): Model<number, number, string> {
  return {
    name: 'graph',
    initialStates: () => [0],
    actions: (s) => (o.edges[s] ?? []).map((_, i) => i),
    next: (s, i) => o.edges[s]?.[i] ?? null,
    invariants: [],
    goals: [],
    recoverable: [{ name: 'ReachesGoal', holds: (s) => o.goal.includes(s), stuck: (s) => `from ${s} no goal state is reachable` }],
    truncated: (s) => o.truncated?.includes(s) === true,
    canonicalKey: (s) => String(s),
    formatAction: (i) => `edge ${i}`,
  };
}
