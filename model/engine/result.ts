import type { Found, StopReason } from './level-expander.js';
import type { Model } from './model.js';
import { pathTo, type LinkLookup } from './parent-links.js';
import type { RecoverySummary } from './recoverability.js';
import { replay } from './replay.js';
import type { ExploreResult, GoalReport, Strategy, Violation } from './types.js';

/** What a finished search knows, in any strategy; turned into the public result here. */
export interface SearchOutcome {
  readonly strategy: Strategy;
  readonly stopReason: StopReason | null;
  readonly distinctStates: number;
  readonly generatedStates: number;
  readonly depth: number;
  readonly startedAt: number;
  /** First violating state per invariant, in the order found. */
  readonly violations: ReadonlyMap<string, Found>;
  readonly goals: ReadonlyMap<string, Found>;
  readonly link: LinkLookup;
  readonly fingerprintSetBytes: number;
  readonly parentLinkBytes: number;
  readonly workers: number;
  /** Set when partial-order reduction ran: the transitions it left asleep. */
  readonly asleep?: number;
  readonly notes: string[];
  /** States found and not expanded, when the search stopped early. */
  readonly unexplored?: number;
  /** The recoverability check, when the model has properties and the search was exhaustive. */
  readonly recovery?: RecoverySummary;
}

export function buildResult<S, A, F>(model: Model<S, A, F>, o: SearchOutcome): ExploreResult<S, A, F> {
  const violations: Violation<S, A, F>[] = [...o.violations].map(([invariant, found]) => {
    const { initial, actions } = pathTo(found.id, o.link);
    const path = [...actions];
    const trace = replay(model, path, initial);
    // The search keeps only where it broke; what broke is asked again of the replayed state (a
    // stuck state of a recoverability property: what the property says of it).
    const last = trace[trace.length - 1]!.state;
    const finding = model.invariants.find((inv) => inv.name === invariant)?.check(last) ??
      model.recoverable?.find((p) => p.name === invariant)?.stuck(last) ?? null;
    if (finding === null) throw new Error(`${invariant} holds on the replayed state: the model is not deterministic`);
    return { invariant, finding, initial, path, trace };
  });
  const goals: GoalReport[] = model.goals.map(({ name }) => {
    const found = o.goals.get(name);
    if (found === undefined) return { name, reached: false };
    const { initial, actions } = pathTo(found.id, o.link);
    return { name, reached: true, initial, path: [...actions] };
  });
  const limited = o.stopReason === 'maxStates' || o.stopReason === 'timeLimit' || o.stopReason === 'maxDepth' || o.stopReason === 'halted';
  const first = violations[0];
  return {
    result: first !== undefined ? 'violation' : limited ? 'incomplete' : 'ok',
    strategy: o.strategy,
    distinctStates: o.distinctStates,
    generatedStates: o.generatedStates,
    depth: o.depth,
    seconds: (Date.now() - o.startedAt) / 1000,
    ...(first !== undefined ? { violation: first } : {}),
    violations,
    goals,
    ...(limited ? { stoppedBy: o.stopReason } : {}),
    ...(limited && o.unexplored !== undefined ? { unexplored: o.unexplored } : {}),
    fingerprintSetBytes: o.fingerprintSetBytes,
    bytesPerState: o.distinctStates > 0 ? o.fingerprintSetBytes / o.distinctStates : 0,
    parentLinkBytes: o.parentLinkBytes,
    workers: o.workers,
    partialOrder: o.asleep !== undefined,
    asleep: o.asleep ?? 0,
    notes: o.notes,
    ...(o.recovery === undefined ? {} : { recovery: o.recovery }),
  };
}
