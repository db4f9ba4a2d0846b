import { describe, expect, it } from 'vitest';
import { restore, type Configuration, type LogEntry, type Message, type PersistentState, type RaftState } from '../../src/core/index.js';
import { parseArgs } from '../../model/cli/args.js';
import { createModel as createCheckModel } from '../../model/cli/model.js';
import { explore } from '../../model/engine/index.js';
import { Packer } from '../../model/engine/packer.js';
import { relabellings, type Relabelling } from '../../model/engine/relabelling.js';
import type { RaftAction } from '../../model/raft/actions.js';
import { type Bounds, DEFAULT_BOUNDS, formatBounds, validateBounds } from '../../model/raft/bounds.js';
import { internConfig, isAppliedConfig } from '../../model/raft/configs.js';
import { decodeSystem } from '../../model/raft/decode.js';
import { plainSystemKey } from '../../model/raft/keys.js';
import { createModel, type RaftModel } from '../../model/raft/model.js';
import { randomCheck } from '../../model/random/random-check.js';
import { RAFT_ENCODING } from '../../model/raft/symmetry.js';
import type { SystemState } from '../../model/raft/system.js';

/** A small bound with membership and a snapshot: config entries and no-ops, a compacted configuration, InstallSnapshot carrying it. */
const WITH_SNAPSHOT: Partial<Bounds> = {
  servers: 3, maxTerm: 1, maxLog: 2, maxCommands: 0, maxCrashes: 0, crashMidStep: false, maxMessages: 2, maxSnapshots: 1,
  maxConfigChanges: 1, configChanges: ['RemoveServer'], preVote: false, checkQuorum: false,
};

/**
 * A server starts outside (bootstrapConfig), is added as a learner and promoted; a learner lags
 * behind a snapshot that compacted its addition, so InstallSnapshot carries a configuration.
 */
const JOIN: Partial<Bounds> = {
  servers: 3, initialVoters: 2, maxTerm: 1, maxLog: 3, maxCommands: 0, maxCrashes: 0, crashMidStep: false, maxMessages: 2, maxSnapshots: 1,
  maxConfigChanges: 2, configChanges: ['AddLearner', 'PromoteLearner'], preVote: false, checkQuorum: false,
};

/** Every distinct state the BFS reaches at `bounds` (the first invariant sees each once). */
async function reachable(bounds: Partial<Bounds>, symmetry: boolean): Promise<{ model: RaftModel; states: SystemState[] }> {
  const model = createModel({ bounds, symmetry, pack: false });
  const states: SystemState[] = [];
  const first = model.invariants[0]!;
  const recording = { ...model, invariants: [{ ...first, check: (s: SystemState) => (states.push(s), first.check(s)) }, ...model.invariants.slice(1)] };
  const r = await explore<SystemState, RaftAction>(recording, {});
  expect(r.result, r.violation?.invariant).toBe('ok');
  return { model, states };
}

const hasConfigEntry = (log: readonly LogEntry[]): boolean => log.some((e) => e.config !== undefined);

describe('membership in the model', () => {
  it('the named bounds reach every goal they aim for with no violation on the correct core', { timeout: 600_000 }, async () => {
    for (const [flag, goal, states] of [['--membership', 'LeaderRemovesItselfSuccessorCommits', 375_142], ['--membership-join', 'ServerAddedCatchesUpAndVotes', 519_062]] as const) {
      const c = parseArgs([flag]);
      const model = createCheckModel({ bounds: c.bounds, symmetry: c.symmetry });
      const r = await explore<SystemState, RaftAction>(model, c.maxDepth !== undefined ? { maxDepth: c.maxDepth } : {});
      expect(r.violation?.invariant, flag).toBeUndefined();
      expect(r.result === 'ok' || r.stoppedBy === 'maxDepth', `${flag}: ${r.result}`).toBe(true);
      expect(r.goals.filter((g) => !g.reached).map((g) => g.name), flag).toEqual([]);
      expect(r.goals.map((g) => g.name), flag).toContain(goal);
      expect(r.distinctStates, flag).toBe(states); // the README's figure
    }
  });

  it('random walks with membership on the correct core break nothing: a leader commits on the voters of the configuration it appended, before that entry commits (CommittedSurvivesCrash counts those voters too)', { timeout: 180_000 }, async () => {
    // This seed's 75th run has a leader remove a server and commit an entry on the new
    // configuration's majority in the same step: safe (one change at a time, so the two
    // configurations' majorities overlap), and what CommittedSurvivesCrash first reported.
    const r = await randomCheck({ bounds: { servers: 4, maxConfigChanges: 8 }, runs: 300, seed: 1003489572, timeLimitMs: 120_000 });
    expect(r.failure?.finding.sentence).toBeUndefined();
    expect(r.result).toBe('ok');
    expect(r.goalsReached).toContain('LeaderRemovesItselfSuccessorCommits');
  });

  it('packs and unpacks every reachable state with config entries, no-ops, lastIncludedConfig and bootstrapConfig', { timeout: 300_000 }, async () => {
    for (const bounds of [WITH_SNAPSHOT, JOIN]) {
      const { model, states } = await reachable(bounds, false);
      const packer = new Packer(RAFT_ENCODING, decodeSystem);
      states.forEach((s, k) => {
        const t = packer.unpack(packer.pack(s).slice());
        expect(plainSystemKey(t)).toBe(plainSystemKey(s));
        if (k % 5 !== 0) return; // (the model's other views of a state, on a fifth of them)
        expect(model.actions(t).map(model.formatAction)).toEqual(model.actions(s).map(model.formatAction));
        expect(model.invariants.map((i) => i.check(t) === null)).toEqual(model.invariants.map((i) => i.check(s) === null));
        expect(model.goals.map((g) => g.holds(t))).toEqual(model.goals.map((g) => g.holds(s)));
      });
      // The walk reached what the encoding must carry.
      const some = (f: (s: SystemState) => boolean): boolean => states.some(f);
      expect(some((s) => s.servers.some((x) => hasConfigEntry(x.persisted.log)))).toBe(true);
      expect(some((s) => s.servers.some((x) => x.persisted.log.some((e) => e.noop === true)))).toBe(true);
      expect(some((s) => s.network.some((m) => m.type === 'AppendEntries' && hasConfigEntry(m.entries)))).toBe(true);
      expect(some((s) => s.applied.some(isAppliedConfig) && s.committed.some((c) => c.config !== undefined))).toBe(true);
      expect(some((s) => s.servers.some((x) => x.persisted.lastIncludedConfig !== undefined))).toBe(true);
      if (bounds === WITH_SNAPSHOT) {
        expect(some((s) => s.removedLeaderTerm > 0)).toBe(true);
        // A restart from such a disk: the state restore() builds, packed and read back.
        const disk = states.flatMap((s) => s.servers.map((x) => x.persisted)).find((d) => d.lastIncludedConfig !== undefined)!;
        const restarted = { ...states[0]!, servers: states[0]!.servers.map((x, i) => (i === 0 ? { state: restore(0, 3, disk), persisted: disk } : x)) };
        expect(plainSystemKey(packer.unpack(packer.pack(restarted).slice()))).toBe(plainSystemKey(restarted));
        expect(restarted.servers[0]!.state!.lastIncludedConfig).toEqual(disk.lastIncludedConfig);
      } else {
        expect(some((s) => s.network.some((m) => m.type === 'InstallSnapshot' && m.lastIncludedConfig !== undefined))).toBe(true);
        expect(states.every((s) => s.bootstrapConfig !== null && s.servers.every((x) => x.state === null || x.state.bootstrapConfig !== undefined))).toBe(true);
        expect(some((s) => s.servers.some((x) => x.state !== null && x.state.log.some((e) => e.config?.learners.includes(2) === true)))).toBe(true);
      }
    }
  });

  it('symmetry relabels configurations: every relabelling of a state is in its class, and a configuration is not read as it is', { timeout: 300_000 }, async () => {
    const { model, states } = await reachable(WITH_SNAPSHOT, true);
    const plain = createModel({ bounds: WITH_SNAPSHOT, symmetry: false });
    const out = { hi: 0, lo: 0 };
    const fp = (m: RaftModel, s: SystemState): string => (m.fingerprint!(s, out), `${out.hi}:${out.lo}`);
    let asymmetric = 0;
    for (const s of states.filter((x) => x.servers.some((slot) => hasConfigEntry(slot.persisted.log)))) {
      for (const r of relabellings(3)) {
        const t = relabel(s, r);
        expect(model.canonicalKey(t)).toBe(model.canonicalKey(s));
        expect(fp(model, t)).toBe(fp(model, s));
        if (plain.canonicalKey(t) !== plain.canonicalKey(s)) asymmetric++;
      }
    }
    expect(asymmetric).toBeGreaterThan(0);
  });

  it('symmetry is off when a server starts outside the configuration', () => {
    expect(parseArgs(['--initial-voters', '2']).symmetry).toBe(false);
    expect(parseArgs(['--initial-voters', '3']).symmetry).toBe(true);
    expect(() => parseArgs(['--initial-voters', '2', '--symmetry'])).toThrow(/not interchangeable/);
    const m = createModel({ bounds: { initialVoters: 2 } });
    const [s] = m.initialStates();
    expect(s!.bootstrapConfig).toEqual({ voters: [0, 1], learners: [] });
    expect(s!.servers.map((x) => x.state!.bootstrapConfig)).toEqual([s!.bootstrapConfig, s!.bootstrapConfig, s!.bootstrapConfig]);
  });

  it('the membership bounds are flags, validated, and printed only when set', () => {
    expect(formatBounds(DEFAULT_BOUNDS)).not.toMatch(/config|voters/);
    const c = parseArgs(['--max-config-changes', '2', '--config-changes', 'AddLearner,RemoveServer', '--initial-voters', '2']);
    expect(c.bounds).toMatchObject({ maxConfigChanges: 2, configChanges: ['AddLearner', 'RemoveServer'], initialVoters: 2 });
    expect(formatBounds(c.bounds)).toContain('max-config-changes=2 config-changes=AddLearner,RemoveServer initial-voters=2');
    expect(c.boundFlags).toEqual(['--max-config-changes', '2', '--config-changes', 'AddLearner,RemoveServer', '--initial-voters', '2']);
    expect(() => parseArgs(['--config-changes', 'AddVoter'])).toThrow("--config-changes: no change is named 'AddVoter'");
    expect(() => parseArgs(['--initial-voters', '4'])).toThrow('--initial-voters must be an integer in 1..3, got 4');
    expect(() => validateBounds({ ...DEFAULT_BOUNDS, configChanges: [] })).toThrow(/at least one/);
    expect(() => parseArgs(['--membership', '--max-term', '3'])).toThrow('--max-term is given twice');
    expect(parseArgs(['--membership']).bounds).toMatchObject({ maxConfigChanges: 2, configChanges: ['RemoveServer'] });
  });

  it('ChangeMembership is a leader\'s move within the budget, and only an accepted change spends it', () => {
    const m = createModel({ bounds: { ...WITH_SNAPSHOT, maxSnapshots: 0, maxCrashes: 0 }, symmetry: false, memo: false });
    const take = (s: SystemState, f: (a: RaftAction) => boolean): SystemState => {
      const a = m.actions(s).find(f);
      if (!a) throw new Error(`not enabled among ${m.actions(s).map(m.formatAction).join('; ')}`);
      return m.next(s, a)!;
    };
    const receive = (type: string, to: number) => (a: RaftAction): boolean => a.kind === 'Receive' && a.message.type === type && a.message.to === to;
    const change = (target: number) => (a: RaftAction): boolean => a.kind === 'ChangeMembership' && a.change.server === target;
    let s = m.initialStates()[0]!;
    expect(m.actions(s).some((a) => a.kind === 'ChangeMembership')).toBe(false);
    s = take(s, (a) => a.kind === 'Timeout' && a.server === 0);
    s = take(s, receive('RequestVote', 1));
    s = take(s, (a) => a.kind === 'DropMessage');
    s = take(s, receive('RequestVoteReply', 0));
    expect(m.actions(s).filter((a) => a.kind === 'ChangeMembership').map(m.formatAction)).toEqual([
      'ChangeMembership(0, RemoveServer s0)', 'ChangeMembership(0, RemoveServer s1)', 'ChangeMembership(0, RemoveServer s2)',
    ]);
    // No entry of term 1 is committed: refused, and one no-op appended (not a change: the budget stays).
    s = take(s, (a) => a.kind === 'DropMessage');
    s = take(s, (a) => a.kind === 'DropMessage');
    s = take(s, change(2));
    expect(s.servers[0]!.state!.log).toEqual([{ term: 1, command: null, noop: true }]);
    expect(s.configChanges).toBe(0);
    // Asked again before the no-op commits: refused with nothing appended, so no new state.
    const again = m.actions(s).find(change(2))!;
    expect(m.next(s, again)).toBeNull();
    s = take(s, receive('AppendEntries', 1));
    s = take(s, receive('AppendEntriesReply', 0));
    s = take(s, change(2));
    expect(s.configChanges).toBe(1);
    expect(s.servers[0]!.state!.log[1]).toEqual({ term: 1, command: null, config: { voters: [0, 1], learners: [] } });
    expect(m.actions(s).some((a) => a.kind === 'ChangeMembership')).toBe(false); // the budget is spent
  });
});

// ---- a system state relabelled by hand, configurations included (not through the encoding) ----

function relabel(s: SystemState, r: Relabelling): SystemState {
  const id = (x: number): number => r.newId[x]!;
  const ids = (xs: readonly number[]): number[] => xs.map(id).sort((a, b) => a - b);
  const config = (c: Configuration): Configuration => ({ voters: ids(c.voters), learners: ids(c.learners) });
  const entry = (e: LogEntry): LogEntry => (e.config === undefined ? e : { ...e, config: config(e.config) });
  const log = (l: readonly LogEntry[]): LogEntry[] => l.map(entry);
  const snapshot = (data: unknown): unknown => (data === null ? null : log(data as LogEntry[]));
  const vote = (x: number | null): number | null => (x === null ? null : id(x));
  const withConfig = <T extends { lastIncludedConfig?: Configuration }>(o: T): T => (o.lastIncludedConfig === undefined ? o : { ...o, lastIncludedConfig: config(o.lastIncludedConfig) });
  const disk = (p: PersistentState): PersistentState => withConfig({ ...p, votedFor: vote(p.votedFor), log: log(p.log), snapshot: snapshot(p.snapshot) });
  const message = (m: Message): Message => {
    const envelope = { ...m, from: id(m.from), to: id(m.to) };
    switch (m.type) {
      case 'RequestVote':
      case 'PreVote':
        return { ...envelope, type: m.type, candidateId: id(m.candidateId) } as Message;
      case 'AppendEntries':
        return { ...envelope, type: m.type, leaderId: id(m.leaderId), entries: log(m.entries) } as Message;
      case 'InstallSnapshot':
        return withConfig({ ...envelope, type: m.type, leaderId: id(m.leaderId), data: snapshot(m.data) } as typeof m);
      default:
        return envelope as Message;
    }
  };
  const state = (st: RaftState, j: number): RaftState => {
    const out = withConfig({
      ...st, id: j, votedFor: vote(st.votedFor), log: log(st.log), snapshot: snapshot(st.snapshot),
      votesGranted: r.reorder(st.votesGranted), nextIndex: r.reorder(st.nextIndex), matchIndex: r.reorder(st.matchIndex), recentActive: r.reorder(st.recentActive),
    });
    return out.bootstrapConfig === undefined ? out : { ...out, bootstrapConfig: config(out.bootstrapConfig) };
  };
  const mask = (m: number): number => s.servers.reduce((acc, _, i) => (m & (1 << i) ? acc | (1 << id(i)) : acc), 0);
  return {
    ...s,
    servers: s.servers.map((_, j) => {
      const slot = s.servers[r.oldId[j]!]!;
      return { state: slot.state === null ? null : state(slot.state, j), persisted: disk(slot.persisted) };
    }),
    network: s.network.map(message),
    candidates: s.candidates.map(mask),
    elected: s.elected.map((e) => (e < 0 ? e : id(e))),
    committed: s.committed.map((c) => (c.config === undefined ? c : { ...c, config: config(c.config) })),
    applied: s.applied.map((a) => (isAppliedConfig(a) ? internConfig(ids(a.voters), ids(a.learners)) : a)),
    restartedFromSnapshot: mask(s.restartedFromSnapshot),
    quorumHeard: r.reorder(s.quorumHeard).map(mask),
    bootstrapConfig: s.bootstrapConfig === null ? null : config(s.bootstrapConfig),
  };
}
