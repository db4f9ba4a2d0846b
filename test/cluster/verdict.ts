/**
 * The durability test's verdict, apart from the processes, so that it can be shown to fail.
 * Given what each node finally applied, what the cluster acknowledged, and what nodes applied
 * earlier, it lists every way the history breaks durability (empty when it holds).
 */
export interface History {
  /** Each node's applied commands at the end. */
  readonly finals: readonly (readonly unknown[])[];
  /** How many commands every node must have applied (the position of the last acknowledged one). */
  readonly upTo: number;
  /** Acknowledged commands and the position (1-based) they were acknowledged at. */
  readonly acked: ReadonlyMap<string, number>;
  /** What each node had applied at earlier moments. */
  readonly snapshots: readonly (readonly (readonly unknown[])[])[];
}

export function durabilityProblems(h: History): string[] {
  const problems: string[] = [];
  const reference = h.finals[0]?.slice(0, h.upTo) ?? [];
  if (reference.length < h.upTo) problems.push(`node 0 applied ${reference.length} commands, fewer than ${h.upTo}`);
  h.finals.forEach((applied, id) => {
    const mine = applied.slice(0, h.upTo);
    const at = firstDifference(mine, reference);
    if (at !== -1) problems.push(`node ${id} differs from node 0 at position ${at + 1}: ${JSON.stringify(mine[at])} vs ${JSON.stringify(reference[at])}`);
  });
  const seen = new Set<unknown>();
  reference.forEach((c, i) => {
    if (seen.has(c)) problems.push(`${JSON.stringify(c)} applied twice (again at position ${i + 1})`);
    seen.add(c);
  });
  for (const [command, position] of h.acked) {
    if (reference[position - 1] !== command) {
      problems.push(`acknowledged ${command} at position ${position}, but position ${position} holds ${JSON.stringify(reference[position - 1])}`);
    }
  }
  h.snapshots.forEach((list, id) => {
    for (const snapshot of list) {
      const at = firstDifference(snapshot, reference.slice(0, snapshot.length));
      if (at !== -1 || snapshot.length > reference.length) {
        problems.push(`node ${id} once applied ${JSON.stringify(snapshot[at === -1 ? reference.length : at])} at position ${(at === -1 ? reference.length : at) + 1}, which the final sequence does not hold there`);
      }
    }
  });
  return problems;
}

function firstDifference(a: readonly unknown[], b: readonly unknown[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return -1;
}
