import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { validateBounds } from '../../model/raft/bounds.js';
import { replayTrace } from '../../model/raft/replay-trace.js';
import { runReplay } from '../../model/cli/replay.js';
import type { TraceFile } from '../../model/report/trace-file.js';
import {
  advance, clientRequest, clientRequestToLeader, crash, createSim, currentLeader, dropFlight, flights, flightsMatchNetwork, happenings,
  isCut, nextEvent, PLAYGROUND_TIMING, playgroundBounds, restart, stepEvent, timeoutNow, toggleIsolation, toggleLink, type Sim,
} from '../../web/playground/sim.js';
import { exportTrace, traceJson } from '../../web/playground/trace.js';

/** Advances the simulated clock in small slices until `done` holds; fails after `limitMs` of simulated time. */
function runUntil(sim: Sim, done: (s: Sim) => boolean, limitMs = 5_000): Sim {
  let s = sim;
  const deadline = s.timeline.now + limitMs;
  while (!done(s)) {
    if (s.timeline.now >= deadline) throw new Error(`not reached within ${limitMs} ms of simulated time (now ${s.timeline.now.toFixed(1)} ms)`);
    s = advance(s, 5);
    expect(flightsMatchNetwork(s)).toBe(true);
  }
  return s;
}

const leaderCommitted = (index: number) => (s: Sim): boolean => {
  const l = currentLeader(s);
  return l !== null && s.system.servers[l]!.state!.commitIndex >= index;
};

/** The exported trace replays: through the model's function, as JSON text, and through the CLI's --replay. */
function expectReplays(sim: Sim): TraceFile {
  const trace = exportTrace(sim);
  expect(trace.steps.length).toBe(sim.steps);
  expect(replayTrace(trace)).toEqual({ ok: true, steps: sim.steps, invariantBroken: null });
  const file = join(mkdtempSync(join(tmpdir(), 'playground-trace-')), 'trace.json');
  writeFileSync(file, traceJson(trace));
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    expect(runReplay(file)).toBe(0);
    expect(String(out.mock.calls[0]?.[0])).toMatch(new RegExp(`^replay: confirmed all ${sim.steps} steps`));
  } finally {
    out.mockRestore();
  }
  return trace;
}

/** The playground's bounds with PreVote and CheckQuorum off: the plain algorithm. */
const plain = (servers: number) => ({ ...playgroundBounds(servers), preVote: false, checkQuorum: false });

describe('playground simulation: the real core on a simulated clock', () => {
  it('elects a leader, commits a command, elects a new leader after the leader crashes, which commits; the trace replays', () => {
    let s = createSim({ servers: 3, seed: 7 });
    s = runUntil(s, (x) => currentLeader(x) !== null);
    const first = currentLeader(s)!;
    const firstTerm = s.system.servers[first]!.state!.currentTerm;

    s = clientRequestToLeader(s);
    expect(s.refusal).toBeNull();
    expect(s.system.servers[first]!.state!.log).toEqual([{ term: firstTerm, command: 1 }]);
    s = runUntil(s, leaderCommitted(1));

    s = crash(s, first);
    expect(s.system.servers[first]!.state).toBeNull();
    s = runUntil(s, (x) => currentLeader(x) !== null);
    const second = currentLeader(s)!;
    expect(second).not.toBe(first);
    expect(s.system.servers[second]!.state!.currentTerm).toBeGreaterThan(firstTerm);

    s = clientRequest(s, second);
    s = runUntil(s, leaderCommitted(2));
    expect(s.system.committed.map((c) => c.command)).toEqual([1, 2]);

    const trace = expectReplays(s);
    // The recorded bounds are the ones the run used, and the replay needs every one of them.
    expect(trace.bounds).toMatchObject({ servers: 3, maxCommands: 2, maxCrashes: 1, drop: true, duplicate: false, crashMidStep: false });
    expect(trace.bounds.maxTerm).toBe(s.system.servers[second]!.state!.currentTerm);
    const tooSmall = replayTrace({ ...trace, bounds: { ...trace.bounds, maxTerm: trace.bounds.maxTerm - 1 } });
    expect(tooSmall.ok).toBe(false);
    expect(replayTrace({ ...trace, bounds: { ...trace.bounds, maxCrashes: 0 } })).toMatchObject({ ok: false, reason: expect.stringMatching(/not enabled here: Crash/) });
  });

  it('every move is a model action, and the trace records which (Timeout, Heartbeat, ClientRequest, Receive, Crash)', () => {
    let s = runUntil(createSim({ servers: 3, seed: 1 }), (x) => currentLeader(x) !== null);
    s = clientRequestToLeader(s);
    s = runUntil(s, leaderCommitted(1));
    s = crash(s, currentLeader(s)!);
    s = advance(s, 1_000);
    const kinds = new Set(exportTrace(s).steps.map((st) => st.action.kind));
    for (const k of ['Timeout', 'Heartbeat', 'ClientRequest', 'Receive', 'Crash'] as const) expect(kinds).toContain(k);
    expectReplays(s);
  });

  it('a minority leader cut off by a partition cannot commit; after healing, its entry gives way to the majority\'s', () => {
    let s = runUntil(createSim({ servers: 5, seed: 3 }), (x) => currentLeader(x) !== null);
    const old = currentLeader(s)!;
    s = toggleIsolation(s, old);
    for (let peer = 0; peer < 5; peer++) if (peer !== old) expect(isCut(s, old, peer)).toBe(true);
    s = clientRequest(s, old); // command 1, in the old leader's log only
    s = runUntil(s, (x) => { const l = currentLeader(x); return l !== null && l !== old; });
    const fresh = currentLeader(s)!;
    s = clientRequest(s, fresh); // command 2, on the majority side
    s = runUntil(s, leaderCommitted(1));
    s = advance(s, 500);
    expect(s.system.servers[old]!.state!.commitIndex).toBe(0);
    expect(s.system.servers[old]!.state!.log.map((e) => e.command)).toEqual([1]);

    s = toggleIsolation(s, old); // rejoin
    s = runUntil(s, (x) => x.system.servers[old]!.state!.commitIndex >= 1);
    expect(s.system.servers[old]!.state!.role).toBe('follower');
    expect(s.system.servers[old]!.state!.log.map((e) => e.command)).toEqual([2]);
    expect(happenings(s).some((h) => h.kind === 'step' && h.action.kind === 'DropMessage')).toBe(true);
    expectReplays(s);
  });

  it('a cut link loses the messages on it; the user can drop a message, restart a server and time one out', () => {
    let s = createSim({ servers: 3, seed: 11, bounds: plain(3) }); // RequestVote at once: PreVote off
    s = toggleLink(s, 0, 1);
    s = timeoutNow(s, 0); // S0 stands at once: RequestVote to S1 (lost on the cut link) and S2
    expect(s.system.servers[0]!.state!.role).toBe('candidate');
    const toS2 = flights(s).find((f) => f.message.to === 2)!;
    s = dropFlight(s, toS2.id);
    expect(s.system.network.map((m) => m.to)).toEqual([1]);
    s = stepEvent(s); // the RequestVote to S1 arrives at a cut link
    expect(happenings(s).at(-1)).toMatchObject({ kind: 'step', action: { kind: 'DropMessage', message: { from: 0, to: 1 } } });
    s = crash(s, 2);
    s = restart(s, 2);
    expect(s.system.servers[2]!.state).not.toBeNull();
    s = runUntil(s, leaderCommitted(0));
    expectReplays(s);
  });

  it('refuses a move the model does not enable, and records nothing for it', () => {
    let s = runUntil(createSim({ servers: 3, seed: 5 }), (x) => currentLeader(x) !== null);
    const follower = [0, 1, 2].find((i) => s.system.servers[i]!.state!.role === 'follower')!;
    const steps = s.steps;
    s = clientRequest(s, follower);
    expect(s.refusal).toMatch(/only a leader takes client requests/);
    s = restart(s, follower);
    expect(s.refusal).toMatch(/the server is up/);
    expect(s.steps).toBe(steps);
    expect(s.system.commandsIssued).toBe(0);
  });

  it('an isolated server stands again and again, up to the model\'s largest term, and there it stops; the run still replays', () => {
    let s = toggleIsolation(createSim({ servers: 3, seed: 8, bounds: plain(3) }), 2); // with PreVote it would raise no term
    s = runUntil(s, (x) => x.system.servers[2]!.state!.currentTerm === s.bounds.maxTerm, 30_000);
    s = advance(s, 1_000);
    expect(s.system.servers[2]!.state!.currentTerm).toBe(50);
    const refusals = happenings(s).filter((h) => h.kind === 'note' && h.text.startsWith('Timeout(2)'));
    expect(refusals).toEqual([expect.objectContaining({ text: 'Timeout(2): not enabled in the model here (term 50 is the model\'s largest)' })]);
    const trace = expectReplays(s);
    expect(trace.bounds.maxTerm).toBe(50);
  });

  it('a delivery the model refuses (too many messages in flight) loses the message instead, and the clock goes on', () => {
    let s = createSim({ servers: 3, seed: 4, bounds: { ...playgroundBounds(3), maxMessages: 2 } });
    s = advance(s, 3_000);
    const notes = happenings(s).filter((h) => h.kind === 'note').map((h) => (h.kind === 'note' ? h.text : ''));
    expect(notes.some((t) => /^Receive .*: would leave the model's bounds \(more than 2 messages in flight\)$/.test(t))).toBe(true);
    expect(s.timeline.now).toBe(3_000);
    expect(flightsMatchNetwork(s)).toBe(true);
    expect(exportTrace(s).bounds.maxMessages).toBeLessThanOrEqual(2);
    expectReplays(s);
  });

  it('its network is the world\'s fault model with the playground\'s settings: 10-20 ms reliable, or labrpc\'s losses when unreliable', () => {
    let s = createSim({ servers: 3, seed: 6 });
    const latencies: number[] = [];
    for (let slice = 0; slice < 400; slice++) {
      s = advance(s, 5);
      latencies.push(...flights(s).map((f) => f.deliverAt - f.sentAt));
    }
    expect(latencies.length).toBeGreaterThan(100);
    expect(latencies.every((ms) => ms >= 10 && ms < 20)).toBe(true);
    expect(happenings(s).some((h) => h.kind === 'step' && h.action.kind === 'DropMessage')).toBe(false);
    const unreliable = { ...PLAYGROUND_TIMING, network: { ...PLAYGROUND_TIMING.network, reliable: false } };
    s = advance(createSim({ servers: 3, seed: 6, timing: unreliable }), 2_000);
    const drops = happenings(s).filter((h) => h.kind === 'step' && h.action.kind === 'DropMessage');
    expect(drops.length).toBeGreaterThan(0);
    expect(flightsMatchNetwork(s)).toBe(true);
    expectReplays(s);
  });

  it('is a function of its seed and the user\'s moves', () => {
    const run = (seed: number): string => {
      let s = runUntil(createSim({ servers: 5, seed }), (x) => currentLeader(x) !== null);
      s = clientRequestToLeader(s);
      s = advance(s, 300);
      return traceJson(exportTrace(s));
    };
    expect(run(42)).toBe(run(42));
    expect(run(42)).not.toBe(run(43));
  });

  it('the clock moves only when told to, and the next event is the earliest one due', () => {
    const s = createSim({ servers: 3, seed: 9 });
    const e = nextEvent(s)!;
    expect(e.event.kind).toBe('election');
    expect(e.at).toBe(Math.min(...s.clocks.map((c) => c.electionAt!)));
    // The clock's queue is the runtime's timeline: one election timer per server, nothing else yet.
    expect(s.timeline.events.map((x) => x.event)).toEqual(expect.arrayContaining([0, 1, 2].map((server) => ({ kind: 'election', server }))));
    expect(s.timeline.events).toHaveLength(3);
    expect(advance(s, e.at - 0.001).steps).toBe(0);
    const after = stepEvent(s);
    expect(after.timeline.now).toBe(e.at);
    expect(after.steps).toBe(1);
  });

  it('a long run with partitions, crashes and requests on 5 servers stays within the model\'s bounds and replays', () => {
    expect(() => validateBounds(playgroundBounds(5))).not.toThrow();
    let s = createSim({ servers: 5, seed: 2024 });
    let r = 99;
    const rand = (n: number): number => { r = (Math.imul(r, 1103515245) + 12345) >>> 0; return (r >>> 8) % n; };
    for (let round = 0; round < 60; round++) {
      s = advance(s, 100);
      switch (rand(6)) {
        case 0: s = clientRequestToLeader(s); break;
        case 1: s = toggleLink(s, rand(5), rand(5)); break;
        case 2: { const i = rand(5); s = s.system.servers[i]!.state ? crash(s, i) : restart(s, i); break; }
        case 3: s = toggleIsolation(s, rand(5)); break;
        default: break;
      }
      expect(flightsMatchNetwork(s)).toBe(true);
    }
    expect(happenings(s).filter((h) => h.kind === 'note' && /bounds/.test(h.text))).toEqual([]);
    expect(s.steps).toBeGreaterThan(500);
    expectReplays(s);
  });
});
