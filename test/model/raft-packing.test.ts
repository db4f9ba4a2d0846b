import { describe, expect, it } from 'vitest';
import { explore } from '../../model/engine/index.js';
import { Packer, type DecodeState } from '../../model/engine/packer.js';
import type { RaftAction } from '../../model/raft/actions.js';
import type { Bounds } from '../../model/raft/bounds.js';
import { decodeSystem } from '../../model/raft/decode.js';
import { plainSystemKey } from '../../model/raft/keys.js';
import { createModel, type RaftModel } from '../../model/raft/model.js';
import { RAFT_ENCODING } from '../../model/raft/symmetry.js';
import type { SystemState } from '../../model/raft/system.js';

/** Small bounds that reach every kind of field: crashes and restarts, every message type, snapshots, PreVote and CheckQuorum. */
const PLAIN: Partial<Bounds> = { maxTerm: 1, maxLog: 1, maxCrashes: 1, maxMessages: 2, maxSnapshots: 0, duplicate: true, preVote: false, checkQuorum: false };
const SNAPSHOTS: Partial<Bounds> = { maxTerm: 1, maxLog: 1, maxCommands: 1, maxCrashes: 1, maxMessages: 2, maxSnapshots: 1, crashMidStep: false, preVote: false, checkQuorum: false };
const OPTIONS: Partial<Bounds> = { ...PLAIN, maxCrashes: 0, preVote: true, checkQuorum: true };

/** Every distinct state (without symmetry: as they are) the BFS reaches at `bounds`. */
async function reachable(bounds: Partial<Bounds>): Promise<{ model: RaftModel; states: SystemState[] }> {
  const model = createModel({ bounds, symmetry: false, pack: false });
  const states: SystemState[] = [];
  const first = model.invariants[0]!;
  // The first invariant's check sees every discovered state once.
  const recording = { ...model, invariants: [{ ...first, check: (s: SystemState) => (states.push(s), first.check(s)) }, ...model.invariants.slice(1)] };
  const r = await explore<SystemState, RaftAction>(recording, {});
  expect(r.result).toBe('ok');
  return { model, states };
}

/** What tells two states apart for the model: keys, fingerprint, invariants, goals, actions and successors. */
function profile(model: RaftModel, s: SystemState): string {
  const out = { hi: 0, lo: 0 };
  model.fingerprint!(s, out);
  const actions = model.actions(s);
  return JSON.stringify({
    key: plainSystemKey(s),
    canonical: model.canonicalKey(s),
    fingerprint: [out.hi, out.lo],
    invariants: model.invariants.map((inv) => inv.check(s) !== null),
    goals: model.goals.map((g) => g.holds(s)),
    actions: actions.map((a) => model.formatAction(a)),
    next: actions.map((a) => {
      const t = model.next(s, a);
      return t === null ? null : plainSystemKey(t);
    }),
  });
}

/** The first state whose unpacked copy the model can tell from it, or null. */
function firstMismatch(model: RaftModel, states: readonly SystemState[], decode: DecodeState<SystemState>): string | null {
  const packer = new Packer(RAFT_ENCODING, decode);
  for (const s of states) {
    const t = packer.unpack(packer.pack(s).slice());
    if (profile(model, t) !== profile(model, s)) return plainSystemKey(s);
  }
  return null;
}

describe('packed states (the one encoding read back, decode.ts)', () => {
  for (const [what, bounds] of [['the plain algorithm', PLAIN], ['snapshots', SNAPSHOTS], ['PreVote and CheckQuorum', OPTIONS]] as const) {
    it(`unpack(pack(s)) is s for every purpose of the model, at every reachable state (${what})`, async () => {
      const { model, states } = await reachable(bounds);
      expect(states.length).toBeGreaterThan(1000);
      if (bounds === SNAPSHOTS) expect(states.some((s) => s.network.some((m) => m.type === 'InstallSnapshot'))).toBe(true);
      if (bounds === OPTIONS) expect(states.some((s) => s.network.some((m) => m.type === 'PreVoteReply'))).toBe(true);
      expect(firstMismatch(model, states, decodeSystem)).toBeNull();
    });
  }

  it('a decoder that misreads one field is caught', async () => {
    const { model, states } = await reachable(PLAIN);
    const forgetsCrashes: DecodeState<SystemState> = (src, n) => ({ ...decodeSystem(src, n), crashes: 0 });
    expect(firstMismatch(model, states, forgetsCrashes)).not.toBeNull();
    const swapsTheFirstLog: DecodeState<SystemState> = (src, n) => {
      const s = decodeSystem(src, n);
      const [a, ...rest] = s.servers;
      return a?.state ? { ...s, servers: [{ ...a, state: { ...a.state, log: a.persisted.log === a.state.log ? [] : a.persisted.log } }, ...rest] } : s;
    };
    expect(firstMismatch(model, states, swapsTheFirstLog)).not.toBeNull();
  });

  it('equal parts unpack to one object, so object-keyed caches keep hitting', async () => {
    const { states } = await reachable(PLAIN);
    const packer = new Packer(RAFT_ENCODING, decodeSystem);
    const s = states[states.length - 1]!;
    const a = packer.unpack(packer.pack(s).slice());
    const b = packer.unpack(packer.pack(s).slice());
    expect(a).not.toBe(b);
    a.servers.forEach((slot, i) => {
      expect(slot.state).toBe(b.servers[i]!.state);
      expect(slot.persisted).toBe(b.servers[i]!.persisted);
    });
    expect(Object.isFrozen(a.servers[0]!.persisted.log)).toBe(true);
  });

  it('counts the same states packed and unpacked, in one thread and with two workers', async () => {
    const module = new URL('../../model/raft/model.ts', import.meta.url).pathname;
    const runs = await Promise.all(
      [true, false].flatMap((pack) =>
        [1, 2].map((workers) => explore<SystemState, RaftAction>({ module, options: { bounds: PLAIN, pack } }, { workers })),
      ),
    );
    const counts = runs.map((r) => [r.distinctStates, r.generatedStates, r.depth, r.workers]);
    expect(counts[0]!.slice(0, 3)).toEqual(counts[2]!.slice(0, 3));
    expect(counts.map((c) => c.slice(0, 3))).toEqual(Array(4).fill(counts[0]!.slice(0, 3)));
    expect(counts.map((c) => c[3])).toEqual([1, 2, 1, 2]);
  });
});
