import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { replayTrace } from '../../model/raft/replay-trace.js';
import { lastLogIndex } from '../../src/core/index.js';
import {
  advance, clientRequest, clientRequestToLeader, crash, createSim, currentLeader, flightsMatchNetwork, happenings, playgroundBounds, restart, toggleIsolation, toggleLink,
  type Sim, type SimOptions,
} from '../../web/playground/sim.js';
import { exportTrace } from '../../web/playground/trace.js';

/** Advances the clock in 5 ms slices until `done` holds (at most `limitMs` of simulated time). */
function runUntil(sim: Sim, done: (s: Sim) => boolean, limitMs = 5_000): Sim {
  let s = sim;
  const deadline = s.timeline.now + limitMs;
  while (!done(s)) {
    if (s.timeline.now >= deadline) throw new Error(`not reached within ${limitMs} ms of simulated time`);
    s = advance(s, 5);
  }
  return s;
}

/** The long seeded run of playground-sim.test.ts: partitions, crashes, restarts and requests from a fixed LCG. */
function longRun(options: SimOptions, rounds: number, r0: number): Sim {
  const n = options.servers;
  let s = createSim(options);
  let r = r0;
  const rand = (k: number): number => { r = (Math.imul(r, 1103515245) + 12345) >>> 0; return (r >>> 8) % k; };
  for (let round = 0; round < rounds; round++) {
    s = advance(s, 100);
    switch (rand(6)) {
      case 0: s = clientRequestToLeader(s); break;
      case 1: s = toggleLink(s, rand(n), rand(n)); break;
      case 2: { const i = rand(n); s = s.system.servers[i]!.state ? crash(s, i) : restart(s, i); break; }
      case 3: s = toggleIsolation(s, rand(n)); break;
      default: break;
    }
  }
  return s;
}

/** Every happening, in order: when, and what (the model action's words, or the note). */
const digest = (s: Sim): string =>
  createHash('sha256').update(happenings(s).map((h) => (h.kind === 'step' ? `${h.at}|${h.label}` : `${h.at}|note|${h.text}`)).join('\n')).digest('hex');

/**
 * The same runs on the playground of commit 90a8a4a, before snapshots existed (its sim.ts, the
 * digest above, run with tsx): [servers, seed, rounds, LCG seed, steps, digest].
 */
const BEFORE_SNAPSHOTS: readonly (readonly [number, number, number, number, number, string])[] = [
  [5, 2024, 60, 99, 729, 'a1a305d758784f5b7ce22b6c7266bcaaf64405091e4ad7cc3e0a8384277c276e'],
  [3, 7, 80, 5, 338, 'cc48cff1c1f4748312a8c88f48bfcba6b6b3ea93f4ee97750fec1f6a1d8e161e'],
  [5, 11, 120, 17, 1071, 'deb3c58280466d2a8a696c74f9f2028db384f0b1c79fb6007a3942869c32e586'],
];

/** The plain algorithm (PreVote and CheckQuorum off), as the playground ran before those options: the runs above compare with it. */
const plain = (servers: number): NonNullable<SimOptions['bounds']> => ({ ...playgroundBounds(servers), preVote: false, checkQuorum: false });

const kinds = (s: Sim): Set<string> => new Set(happenings(s).flatMap((h) => (h.kind === 'step' ? [h.action.kind === 'Receive' ? h.action.message.type : h.action.kind] : [])));

describe('the playground\'s service snapshots every N applied entries', () => {
  it('with snapshots off, every seeded run takes exactly the moves it took before snapshots existed', () => {
    for (const [servers, seed, rounds, r0, steps, hash] of BEFORE_SNAPSHOTS) {
      const s = longRun({ servers, seed, snapshotEvery: 0, bounds: plain(servers) }, rounds, r0);
      expect([servers, seed, s.steps, digest(s)]).toEqual([servers, seed, steps, hash]);
      expect(kinds(s).has('Snapshot')).toBe(false);
    }
  });

  it('with snapshots on (every 5, the default), the same runs snapshot and so differ, stay deterministic, and replay', () => {
    const [servers, seed, rounds, r0, , hash] = BEFORE_SNAPSHOTS[0]!;
    const s = longRun({ servers, seed, bounds: plain(servers) }, rounds, r0);
    expect(s.snapshotEvery).toBe(5);
    expect(kinds(s).has('Snapshot')).toBe(true);
    expect(digest(s)).not.toBe(hash);
    expect(digest(longRun({ servers, seed, bounds: plain(servers) }, rounds, r0))).toBe(digest(s));
    expect(flightsMatchNetwork(s)).toBe(true);
    expect(replayTrace(exportTrace(s))).toEqual({ ok: true, steps: s.steps, invariantBroken: null });
  });

  it('a server snapshots in the same instant it has applied N entries past its last snapshot, through everything it applied', () => {
    let s = runUntil(createSim({ servers: 3, seed: 7, snapshotEvery: 3 }), (x) => currentLeader(x) !== null);
    const leader = currentLeader(s)!;
    for (let i = 0; i < 3; i++) s = clientRequest(s, leader);
    s = runUntil(s, (x) => x.system.servers[leader]!.state!.lastApplied >= 3);
    const st = s.system.servers[leader]!.state!;
    expect([st.lastIncludedIndex, st.log.length, lastLogIndex(st)]).toEqual([3, 0, 3]);
    const snap = happenings(s).find((h) => h.kind === 'step' && h.action.kind === 'Snapshot' && h.action.server === leader)!;
    const applied = happenings(s).filter((h) => h.kind === 'step' && h.at === snap.at && h.state.servers[leader]!.state?.lastApplied === 3);
    expect(applied.length).toBeGreaterThan(0); // the step that applied the third entry happened at the same time
    expect(snap).toMatchObject({ kind: 'step', by: 'service' });
    expect(s.system.servers[leader]!.persisted.lastIncludedIndex).toBe(3);
  });

  it('a follower cut off while the leader compacts catches up through InstallSnapshot when the partition heals; the trace replays', () => {
    let s = runUntil(createSim({ servers: 3, seed: 7 }), (x) => currentLeader(x) !== null);
    const leader = currentLeader(s)!;
    const lagging = [0, 1, 2].find((i) => i !== leader)!;
    s = toggleIsolation(s, lagging);
    for (let i = 0; i < 6; i++) s = clientRequest(s, leader);
    s = runUntil(s, (x) => x.system.servers[leader]!.state!.lastIncludedIndex >= 5);
    expect(s.system.servers[lagging]!.state!.lastIncludedIndex).toBe(0);
    expect(lastLogIndex(s.system.servers[lagging]!.state!)).toBe(0);

    s = toggleIsolation(s, lagging); // heal
    // Caught up, and the leader knows it (the InstallSnapshotReply, or a later AppendEntriesReply, came back).
    s = runUntil(s, (x) => x.system.servers[lagging]!.state!.commitIndex >= 6 && x.system.servers[leader]!.state!.matchIndex[lagging]! >= 6);
    expect(kinds(s).has('InstallSnapshot')).toBe(true);
    expect(kinds(s).has('InstallSnapshotReply')).toBe(true);
    const st = s.system.servers[lagging]!.state!;
    expect(st.lastIncludedIndex).toBeGreaterThanOrEqual(5);
    expect(lastLogIndex(st)).toBe(6);
    expect(flightsMatchNetwork(s)).toBe(true);
    const trace = exportTrace(s);
    expect(trace.bounds.maxSnapshots).toBe(s.system.snapshots);
    expect(replayTrace(trace)).toEqual({ ok: true, steps: s.steps, invariantBroken: null });
  });

  it('takes no snapshot past the model\'s budget, and says so once', () => {
    let s = runUntil(createSim({ servers: 1, seed: 3, snapshotEvery: 1 }), (x) => currentLeader(x) !== null, 2_000);
    for (let i = 0; i < 25; i++) {
      s = clientRequest(s, 0);
      s = advance(s, 60);
    }
    expect(s.system.snapshots).toBe(s.bounds.maxSnapshots);
    expect(happenings(s).filter((h) => h.kind === 'note' && /snapshots the model allows are taken/.test(h.text))).toHaveLength(1);
    expect(replayTrace(exportTrace(s))).toEqual({ ok: true, steps: s.steps, invariantBroken: null });
  });

  it('refuses a snapshot interval it cannot take', () => {
    expect(() => createSim({ servers: 3, seed: 1, snapshotEvery: -1 })).toThrow(/snapshotEvery must be 0..50, got -1/);
    expect(() => createSim({ servers: 3, seed: 1, snapshotEvery: 2.5 })).toThrow(/snapshotEvery must be 0..50/);
  });
});
