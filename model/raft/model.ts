import type { Input, Operation, RaftState, StepResult } from '../../src/core/index.js';
import type { Model } from '../engine/model.js';
import { formatAction, type RaftAction } from './actions.js';
import { bootstrapConfigOf, type Bounds, DEFAULT_BOUNDS, validateBounds } from './bounds.js';
import type { Finding } from './finding.js';
import { goalsFor } from './goals.js';
import { raftPartialOrder } from './independence.js';
import { optionGoals } from './option-goals.js';
import { INVARIANTS, type RaftInvariant } from './invariants.js';
import { livenessOf } from './liveness.js';
import { Packer } from '../engine/packer.js';
import { Canonicaliser } from '../engine/symmetry.js';
import { decodeSystem } from './decode.js';
import { plainMessageKey, plainRaftStateKey } from './keys.js';
import { productionReducer, type Reducer, type ReducerVariant } from './reducer.js';
import { RAFT_ENCODING } from './symmetry.js';
import { initialSystem, type SystemState } from './system.js';
import { enabledActions, nextState } from './transitions.js';

export interface RaftModelOptions {
  readonly bounds?: Partial<Bounds>;
  readonly symmetry?: boolean;
  /**
   * Run this reducer instead of the production core (a mutant, say). Plain data cannot carry a
   * function, so worker threads rebuild the model through a module of the caller's that
   * resolves a name to the variant.
   */
  readonly variant?: ReducerVariant;
  /** Memoise each server's step on (state, input): safe because the core is pure. */
  readonly memo?: boolean;
  /** Default true: the BFS keeps its levels as packed bytes (encode.ts, read back by decode.ts), not objects. */
  readonly pack?: boolean;
  /** Also the recoverability (liveness) properties (liveness.ts): the BFS keeps the state graph. */
  readonly liveness?: boolean;
}

export type RaftModel = Model<SystemState, RaftAction, Finding> & { readonly bounds: Bounds; readonly reducer: Reducer };

/**
 * Pure step => a (state, input) pair always gives the same result, so results can be shared.
 * Two levels: by object identity first (the server state object and the message object, or the
 * input's type; no key is built), then by content (the state's and input's keys), so an equal
 * state reached along another path shares the result too. Sharing results also shares their
 * state objects, which the fingerprint caches key on. `operations` is pure as well: its list is
 * kept per result.
 */
function memoised(r: Reducer, limit = 500_000): Reducer {
  const table = new Map<string, StepResult>();
  const byObject = new WeakMap<RaftState, Map<unknown, StepResult>>();
  const opsOf = new WeakMap<StepResult, readonly Operation[]>();
  const inputKey = (input: Input): string =>
    input.type === 'Receive' ? plainMessageKey(input.message) : input.type === 'Start' ? `S${String(input.command)}` : input.type === 'Snapshot' ? `P${input.index}`
      : input.type === 'ChangeMembership' ? `M${input.change.kind}${input.change.server}` : input.type;
  const step = (state: RaftState, input: Input): StepResult => {
    let mine = byObject.get(state);
    if (mine === undefined) byObject.set(state, (mine = new Map()));
    // (A Snapshot input is one object per server state, a ChangeMembership one per change: see transitions.ts.)
    const fast = input.type === 'Receive' ? input.message : input.type === 'Snapshot' || input.type === 'ChangeMembership' ? input : input.type === 'Start' ? `S${String(input.command)}` : input.type;
    let hit = mine.get(fast);
    if (hit !== undefined) return hit;
    const key = `${state.id}/${plainRaftStateKey(state)}#${inputKey(input)}`;
    hit = table.get(key);
    if (hit === undefined) {
      if (table.size >= limit) table.clear();
      table.set(key, (hit = r.step(state, input)));
    }
    mine.set(fast, hit);
    return hit;
  };
  const operations = (result: StepResult): readonly Operation[] => {
    let ops = opsOf.get(result);
    if (ops === undefined) opsOf.set(result, (ops = r.operations(result)));
    return ops;
  };
  return { step, operations };
}

/** The invariants a run at these bounds checks: all but the skipped ones; an unknown name is a RangeError. */
export function checkedInvariants(bounds: Bounds): readonly RaftInvariant[] {
  const skip = bounds.skipInvariants ?? [];
  for (const name of skip) {
    if (!INVARIANTS.some((i) => i.name === name)) throw new RangeError(`--skip: no invariant is named '${name}' (they are ${INVARIANTS.map((i) => i.name).join(', ')})`);
  }
  return skip.length === 0 ? INVARIANTS : INVARIANTS.filter((i) => !skip.includes(i.name));
}

export function createModel(options: RaftModelOptions = {}): RaftModel {
  const { variant } = options;
  // A variant runs the options it was written for (its own, or off), whatever the bounds ask: so
  // that what is printed and what the transitions enable is what its reducer does.
  const asked = { ...DEFAULT_BOUNDS, ...options.bounds };
  const bounds = validateBounds(variant ? { ...asked, preVote: variant.preVote === true, checkQuorum: variant.checkQuorum === true } : asked);
  // A variant wraps the core's step with its own config, so a cap would not reach it.
  if (variant && bounds.maxEntriesPerAppend !== undefined) throw new RangeError(`--max-entries-per-append is not supported with ${variant.name}`);
  const base = variant?.reducer ?? productionReducer(bounds);
  const reducer = options.memo === false ? base : memoised(base);
  // The engine picks each state's representative; the caches live in this model's canonicaliser.
  // Servers that start outside the bootstrap configuration are not interchangeable with its
  // voters as the run begins: symmetry is off then (the spec's choice; see the README).
  const bootstrap = bootstrapConfigOf(bounds);
  const canonical = new Canonicaliser(RAFT_ENCODING, options.symmetry !== false && bootstrap === undefined);
  const packer = options.pack === false ? null : new Packer(RAFT_ENCODING, decodeSystem);
  return {
    name: variant ? `raft[${variant.name}]` : 'raft',
    bounds,
    reducer,
    initialStates: () => [initialSystem(bounds.servers, bootstrap)],
    actions: (s) => enabledActions(s, bounds),
    next: (s, a) => nextState(s, a, bounds, reducer),
    invariants: checkedInvariants(bounds),
    goals: [...goalsFor(bounds), ...optionGoals(bounds)],
    ...(options.liveness === true ? livenessOf(bounds, reducer) : {}),
    canonicalKey: (s) => canonical.key(s),
    fingerprint: (s, out) => canonical.fingerprint(s, out),
    partialOrder: raftPartialOrder(bounds),
    ...(packer === null ? {} : { pack: (s: SystemState) => packer.pack(s), unpack: (b: Uint8Array) => packer.unpack(b) }),
    formatAction,
  };
}
