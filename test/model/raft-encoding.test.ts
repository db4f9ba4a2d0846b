import { describe, expect, it } from 'vitest';
import type { Message, RaftState } from '../../src/core/index.js';
import { explore } from '../../model/engine/index.js';
import { relabellings, type Relabelling } from '../../model/engine/relabelling.js';
import type { RaftAction } from '../../model/raft/actions.js';
import type { Bounds } from '../../model/raft/bounds.js';
import { plainMessageKey } from '../../model/raft/keys.js';
import { createModel } from '../../model/raft/model.js';
import type { SystemState } from '../../model/raft/system.js';

/** Counts at a small bound, as the hand-written key and hash gave them before the one encoding (the plain algorithm, duplication on, no snapshots). */
const BOUNDS: Partial<Bounds> = { maxTerm: 1, maxLog: 1, maxCrashes: 0, maxMessages: 2, maxSnapshots: 0, duplicate: true, preVote: false, checkQuorum: false };

/** A small bound with snapshots, InstallSnapshot and a restart from a snapshot. */
const SNAPSHOT_BOUNDS: Partial<Bounds> = { maxTerm: 1, maxLog: 1, maxCommands: 1, maxCrashes: 1, maxMessages: 2, maxSnapshots: 1, crashMidStep: false, preVote: false, checkQuorum: false };

/** BOUNDS with PreVote and CheckQuorum on: their state (heardFromLeader, recentActive, the quorumHeard ghost) and messages. */
const OPTION_BOUNDS: Partial<Bounds> = { ...BOUNDS, preVote: true, checkQuorum: true };

/** Every state the BFS generates at `bounds` (duplicates included). */
async function generated(symmetry: boolean, bounds: Partial<Bounds> = BOUNDS): Promise<{ states: SystemState[]; distinct: number; total: number; depth: number }> {
  const model = createModel({ bounds, symmetry });
  const states: SystemState[] = [];
  const recording = { ...model, fingerprint: (s: SystemState, out: { hi: number; lo: number }) => (states.push(s), model.fingerprint!(s, out)) };
  const r = await explore<SystemState, RaftAction>(recording, {});
  expect(r.result).toBe('ok');
  return { states, distinct: r.distinctStates, total: r.generatedStates, depth: r.depth };
}

/** A system state with its servers renamed by r, written out by hand (not through the encoding). */
function relabel(s: SystemState, r: Relabelling): SystemState {
  const id = (x: number): number => r.newId[x]!;
  const vote = (x: number | null): number | null => (x === null ? null : id(x));
  const message = (m: Message): Message => {
    const envelope = { ...m, from: id(m.from), to: id(m.to) };
    if (m.type === 'RequestVote' || m.type === 'PreVote') return { ...envelope, type: m.type, candidateId: id(m.candidateId) } as Message;
    if (m.type === 'AppendEntries' || m.type === 'InstallSnapshot') return { ...envelope, type: m.type, leaderId: id(m.leaderId) } as Message;
    return envelope as Message;
  };
  const state = (st: RaftState, j: number): RaftState => ({
    ...st, id: j, votedFor: vote(st.votedFor),
    votesGranted: r.reorder(st.votesGranted), nextIndex: r.reorder(st.nextIndex), matchIndex: r.reorder(st.matchIndex),
    recentActive: r.reorder(st.recentActive),
  });
  const mask = (m: number): number => s.servers.reduce((out, _, i) => (m & (1 << i) ? out | (1 << id(i)) : out), 0);
  return {
    ...s,
    servers: s.servers.map((_, j) => {
      const slot = s.servers[r.oldId[j]!]!;
      return { state: slot.state === null ? null : state(slot.state, j), persisted: { ...slot.persisted, votedFor: vote(slot.persisted.votedFor) } };
    }),
    network: s.network.map(message),
    candidates: s.candidates.map(mask),
    elected: s.elected.map((e) => (e < 0 ? e : id(e))),
    restartedFromSnapshot: s.servers.reduce((out, _, i) => (s.restartedFromSnapshot & (1 << i) ? out | (1 << id(i)) : out), 0),
    quorumHeard: r.reorder(s.quorumHeard).map(mask),
  };
}

describe('the Raft model\'s one encoding', () => {
  it('gives the counts it gave before, with symmetry and without', async () => {
    const sym = await generated(true);
    expect([sym.distinct, sym.total, sym.depth]).toEqual([909, 2577, 21]);
    const plain = await generated(false);
    expect([plain.distinct, plain.total, plain.depth]).toEqual([5384, 15277, 21]);
  });

  for (const [what, bounds] of [['the plain algorithm', BOUNDS], ['with snapshots', SNAPSHOT_BOUNDS], ['PreVote and CheckQuorum on', OPTION_BOUNDS]] as const) {
  it(`key and fingerprint draw the same classes, and every relabelling of a state stays in its class (${what})`, async () => {
    const { states, distinct } = await generated(false, bounds);
    const classes = (await generated(true, bounds)).distinct;
    if (bounds === SNAPSHOT_BOUNDS) {
      // The walk reaches snapshots in memory, on disk and in flight.
      expect(states.some((s) => s.servers.some((x) => x.persisted.lastIncludedIndex > 0 && x.state === null))).toBe(true);
      expect(states.some((s) => s.network.some((m) => m.type === 'InstallSnapshot'))).toBe(true);
      expect(states.some((s) => s.restartedFromSnapshot !== 0)).toBe(true);
    }
    for (const symmetry of [true, false]) {
      const model = createModel({ bounds, symmetry });
      const out = { hi: 0, lo: 0 };
      const fingerprintOf = (s: SystemState): string => (model.fingerprint!(s, out), `${out.hi}:${out.lo}`);
      const byKey = new Map<string, string>();
      const byFingerprint = new Map<string, string>();
      for (const s of states) {
        const key = model.canonicalKey(s);
        const fp = fingerprintOf(s);
        expect(byKey.get(key) ?? fp).toBe(fp);
        expect(byFingerprint.get(fp) ?? key).toBe(key);
        byKey.set(key, fp);
        byFingerprint.set(fp, key);
      }
      expect(byKey.size).toBe(symmetry ? classes : distinct);
      // Relabelled by hand, a state is the same class under symmetry; without, the identity keeps
      // its key and some other relabellings give another.
      let moved = 0;
      const compacted = states.filter((s) => s.servers.some((x) => x.persisted.lastIncludedIndex > 0));
      for (const s of [...states.slice(0, 2000), ...compacted.slice(0, 1000)]) {
        for (const r of relabellings(3)) {
          const t = relabel(s, r);
          if (symmetry) {
            expect(model.canonicalKey(t)).toBe(model.canonicalKey(s));
            expect(fingerprintOf(t)).toBe(fingerprintOf(s));
          } else if (r.rank === 0) expect(model.canonicalKey(t)).toBe(model.canonicalKey(s));
          else if (model.canonicalKey(t) !== model.canonicalKey(s)) moved++;
        }
      }
      if (!symmetry) expect(moved).toBeGreaterThan(0);
    }
  });
  }

  it('orders messages by type, then sender, receiver and fields left to right, as the network did before', () => {
    const rv = (from: number, term: number, lastLogIndex: number): Message => ({ type: 'RequestVote', from, to: 2, term, candidateId: from, lastLogIndex, lastLogTerm: 1 });
    const ae = (term: number, entries: { term: number; command: number }[]): Message => ({ type: 'AppendEntries', from: 0, to: 1, term, leaderId: 0, prevLogIndex: 0, prevLogTerm: 0, entries, leaderCommit: 0 });
    const reply: Message = { type: 'RequestVoteReply', from: 1, to: 0, term: 1, voteGranted: true };
    const ack: Message = { type: 'AppendEntriesReply', from: 1, to: 0, term: 1, success: true, matchIndex: 1, conflictTerm: 0, conflictIndex: 0 };
    const expected = [
      // Numbers compare as text ('10|' before '1|'), as the keys always did; shorter logs first.
      ae(10, []), ae(1, []), ae(1, [{ term: 1, command: 1 }]), ae(1, [{ term: 1, command: 1 }, { term: 1, command: 2 }]), ae(1, [{ term: 1, command: 10 }]), ae(2, []),
      ack, rv(0, 1, 0), rv(0, 1, 10), rv(0, 1, 1), rv(0, 1, 2), rv(1, 1, 0), reply,
    ];
    const shuffled = [...expected].reverse();
    expect(shuffled.sort((a, b) => (plainMessageKey(a) < plainMessageKey(b) ? -1 : plainMessageKey(a) > plainMessageKey(b) ? 1 : 0))).toEqual(expected);
  });
});
