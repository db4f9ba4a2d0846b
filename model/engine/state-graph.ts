import { fingerprintHex } from './fingerprint.js';
import type { Model } from './model.js';

export interface StateGraph {
  readonly nodes: readonly { readonly id: string; readonly label: string; readonly violates: readonly string[] }[];
  readonly edges: readonly { readonly from: string; readonly to: string; readonly label: string }[];
}

/**
 * The whole reachable state graph, for tiny bounds only: every distinct state (by canonical key)
 * and every transition between them. Throws when there are more than `maxStates` states, since
 * a drawing of more is unreadable anyway.
 */
export function stateGraph<S, A>(model: Model<S, A>, describe: (s: S) => string, maxStates = 2000): StateGraph {
  const ids = new Map<string, string>();
  const nodes: { id: string; label: string; violates: string[] }[] = [];
  const edges: { from: string; to: string; label: string }[] = [];
  const queue: S[] = [];
  const visit = (s: S): string => {
    const key = model.canonicalKey(s);
    let id = ids.get(key);
    if (id === undefined) {
      if (ids.size >= maxStates) throw new RangeError(`the state graph has more than ${maxStates} states: use smaller bounds with --dump-graph`);
      id = `s${fingerprintHex(key)}`;
      ids.set(key, id);
      nodes.push({ id, label: describe(s), violates: model.invariants.filter((p) => p.check(s) !== null).map((p) => p.name) });
      queue.push(s);
    }
    return id;
  };
  for (const s of model.initialStates()) visit(s);
  for (let i = 0; i < queue.length; i++) {
    const s = queue[i]!;
    const from = ids.get(model.canonicalKey(s))!;
    for (const a of model.actions(s)) {
      const n = model.next(s, a);
      if (n !== null) edges.push({ from, to: visit(n), label: model.formatAction(a) });
    }
  }
  return { nodes, edges };
}

const esc = (s: string): string => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

export function stateGraphDot(g: StateGraph, title: string): string {
  const lines = [`digraph "${esc(title)}" {`, '  node [shape=box, fontname="monospace", fontsize=9];', '  edge [fontname="monospace", fontsize=8];'];
  for (const n of g.nodes) {
    const bad = n.violates.length ? `, color=red, penwidth=2, xlabel="${esc(n.violates.join(', '))}"` : '';
    lines.push(`  ${n.id} [label="${esc(n.label)}"${bad}];`);
  }
  for (const e of g.edges) lines.push(`  ${e.from} -> ${e.to} [label="${esc(e.label)}"];`);
  lines.push('}');
  return lines.join('\n') + '\n';
}
