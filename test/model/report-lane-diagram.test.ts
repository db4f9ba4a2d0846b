import { mkdirSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EMPTY_PERSISTENT_STATE, initialState, type Message, type RaftState } from '../../src/core/index.js';
import type { RaftAction } from '../../model/raft/actions.js';
import { DEFAULT_BOUNDS, type Bounds } from '../../model/raft/bounds.js';
import { mutantOptions } from '../../model/mutants/index.js';
import { createModel, type RaftModel } from '../../model/raft/model.js';
import { firstViolation } from '../../model/raft/invariants.js';
import { initialSystem, type SystemState } from '../../model/raft/system.js';
import { escapeDot, messageFlows, traceToDot } from '../../model/report/dot.js';
import { renderSvg } from '../../model/report/svg.js';
import type { TraceFile, TraceStepRecord } from '../../model/report/trace-file.js';

// ---- traces: found by the real model, picked by hand, or written out ---------------------------

function toTrace(model: RaftModel, mutant: string | undefined, initial: SystemState, path: readonly { action: RaftAction; state: SystemState }[]): TraceFile {
  const last = path.length > 0 ? path[path.length - 1]!.state : initial;
  const broken = firstViolation(last);
  const invariant = broken?.invariant ?? null;
  const steps: TraceStepRecord[] = path.map(({ action, state }) => ({ action, label: model.formatAction(action), state }));
  return {
    format: 'pure-raft-trace/1',
    model: model.name,
    ...(mutant !== undefined ? { mutant } : {}),
    bounds: model.bounds,
    symmetry: false,
    invariant,
    ...(broken !== null ? { finding: broken } : {}),
    initial,
    steps,
  };
}

/**
 * The shortest counterexample of a mutant, by a small BFS over the real model (states keyed by
 * their JSON, so it does not lean on the engine's symmetry reduction). Bounded by `maxStates`.
 */
function shortestCounterexample(mutant: string, bounds: Partial<Bounds>, maxStates = 50_000): TraceFile {
  const model = createModel({ ...mutantOptions(mutant), bounds, symmetry: false });
  interface Node { readonly state: SystemState; readonly parent: Node | null; readonly action: RaftAction | null }
  const [initial] = model.initialStates();
  if (!initial) throw new Error('no initial state');
  const seen = new Set<string>([JSON.stringify(initial)]);
  let frontier: Node[] = [{ state: initial, parent: null, action: null }];
  while (frontier.length > 0 && seen.size < maxStates) {
    const next: Node[] = [];
    for (const node of frontier) {
      for (const action of model.actions(node.state)) {
        const state = model.next(node.state, action);
        if (!state) continue;
        const key = JSON.stringify(state);
        if (seen.has(key)) continue;
        seen.add(key);
        const child: Node = { state, parent: node, action };
        if (firstViolation(state) !== null) {
          const path: { action: RaftAction; state: SystemState }[] = [];
          for (let n: Node | null = child; n?.action; n = n.parent) path.unshift({ action: n.action, state: n.state });
          return toTrace(model, mutant, initial, path);
        }
        next.push(child);
      }
    }
    frontier = next;
  }
  throw new Error(`no counterexample for ${mutant} within ${maxStates} states`);
}

/** What to pick among the enabled actions. */
interface Pick {
  readonly kind: RaftAction['kind'];
  readonly server?: number;
  readonly type?: Message['type'];
  readonly from?: number;
  readonly to?: number;
  readonly crashMidStep?: boolean;
}

function matches(a: RaftAction, p: Pick): boolean {
  if (a.kind !== p.kind) return false;
  if ('crashMidStep' in a && a.crashMidStep !== (p.crashMidStep ?? false)) return false;
  if ('server' in a) return p.server === undefined || a.server === p.server;
  const m = a.message;
  return (p.type === undefined || m.type === p.type) && (p.from === undefined || m.from === p.from) && (p.to === undefined || m.to === p.to);
}

/** Walks the real model along hand-picked actions (each must be enabled and stay in bounds). */
function pickedTrace(options: { mutant?: string; bounds: Partial<Bounds> }, picks: readonly Pick[]): TraceFile {
  const model = createModel({ ...mutantOptions(options.mutant), bounds: options.bounds, symmetry: false });
  const [initial] = model.initialStates();
  if (!initial) throw new Error('no initial state');
  let state = initial;
  const path: { action: RaftAction; state: SystemState }[] = [];
  for (const [i, p] of picks.entries()) {
    const action = model.actions(state).find((a) => matches(a, p));
    if (!action) throw new Error(`pick ${i} (${JSON.stringify(p)}) is not enabled; enabled: ${model.actions(state).map(model.formatAction).join(' | ')}`);
    const next = model.next(state, action);
    if (!next) throw new Error(`pick ${i} (${model.formatAction(action)}) leaves the bounds`);
    path.push({ action, state: next });
    state = next;
  }
  return toTrace(model, options.mutant, initial, path);
}

/**
 * votedFor-not-persisted: s1 votes for s0 (a duplicated RequestVote is delivered twice, one to
 * s2 is dropped), s0 wins term 1; s1 crashes (losing an AppendEntries), restarts having
 * forgotten its vote, and votes for s2 in the same term: two leaders in term 1.
 */
function doubleVoteTrace(): TraceFile {
  return pickedTrace({ mutant: 'votedFor-not-persisted', bounds: { servers: 3, maxTerm: 1, maxCrashes: 1, maxMessages: 6, maxSnapshots: 0, duplicate: true } }, [
    { kind: 'Timeout', server: 0 },
    { kind: 'DuplicateMessage', type: 'RequestVote', from: 0, to: 1 },
    { kind: 'Receive', type: 'RequestVote', from: 0, to: 1 },
    { kind: 'Receive', type: 'RequestVote', from: 0, to: 1 },
    { kind: 'DropMessage', type: 'RequestVote', from: 0, to: 2 },
    { kind: 'Receive', type: 'RequestVoteReply', from: 1, to: 0 },
    { kind: 'Crash', server: 1 },
    { kind: 'Restart', server: 1 },
    { kind: 'Timeout', server: 2 },
    { kind: 'Receive', type: 'RequestVote', from: 2, to: 1 },
    { kind: 'Receive', type: 'RequestVoteReply', from: 1, to: 2 },
  ]);
}

/** The production core: s0 is elected, then crashes in the middle of a ClientRequest (after persisting). */
function crashMidStepTrace(): TraceFile {
  return pickedTrace({ bounds: { servers: 3, maxTerm: 1, maxCrashes: 1, maxMessages: 4, maxCommands: 1, maxLog: 1, maxSnapshots: 0, duplicate: true, preVote: false, checkQuorum: false } }, [
    { kind: 'Timeout', server: 0 },
    { kind: 'Receive', type: 'RequestVote', from: 0, to: 1 },
    { kind: 'Receive', type: 'RequestVoteReply', from: 1, to: 0 },
    { kind: 'ClientRequest', server: 0, crashMidStep: true },
  ]);
}

/**
 * Written out by hand: two servers, a message already in flight in the initial state, a
 * command full of characters DOT must escape, and a detail with quotes and a line break.
 */
const NASTY_COMMAND = 'say "hi" \\ then\nbye';

function handBuiltTrace(): TraceFile {
  const s0: RaftState = initialState(0, 2);
  const s1: RaftState = initialState(1, 2);
  const initial0 = initialSystem(2);
  const ping: Message = { type: 'RequestVote', from: 1, to: 0, term: 1, candidateId: 1, lastLogIndex: 0, lastLogTerm: 0 };
  const initial: SystemState = { ...initial0, servers: [{ state: s0, persisted: initial0.servers[0]!.persisted }, { state: { ...s1, currentTerm: 1, votedFor: 1, role: 'candidate' }, persisted: { ...EMPTY_PERSISTENT_STATE, currentTerm: 1, votedFor: 1 } }], network: [ping] };
  const reply: Message = { type: 'RequestVoteReply', from: 0, to: 1, term: 1, voteGranted: true };
  const afterReceive: SystemState = {
    ...initial,
    servers: [{ state: { ...s0, currentTerm: 1, votedFor: 1 }, persisted: { ...EMPTY_PERSISTENT_STATE, currentTerm: 1, votedFor: 1 } }, initial.servers[1]!],
    network: [reply],
  };
  const leader: RaftState = { ...s1, currentTerm: 1, votedFor: 1, role: 'leader', log: [{ term: 1, command: NASTY_COMMAND }], nextIndex: [1, 2], matchIndex: [0, 1] };
  const afterElected: SystemState = { ...afterReceive, servers: [afterReceive.servers[0]!, { state: leader, persisted: { ...EMPTY_PERSISTENT_STATE, currentTerm: 1, votedFor: 1, log: leader.log } }], network: [] };
  return {
    format: 'pure-raft-trace/1',
    model: 'raft "hand-built"',
    bounds: { ...DEFAULT_BOUNDS, servers: 2 },
    symmetry: true,
    invariant: 'SomeRule',
    detail: 'a "quoted" detail\nover two lines \\ with a backslash',
    initial,
    steps: [
      { action: { kind: 'Receive', message: ping, crashMidStep: false }, label: 'Receive ping', state: afterReceive },
      { action: { kind: 'Receive', message: reply, crashMidStep: false }, label: 'Receive reply', state: afterElected },
    ],
  };
}

// ---- reading the DOT back ---------------------------------------------------------------------

/** The edges of a DOT graph whose class attribute contains every one of `classes`. */
function edges(dot: string, ...classes: string[]): { from: string; to: string; line: string }[] {
  const out: { from: string; to: string; line: string }[] = [];
  for (const line of dot.split('\n')) {
    const m = /^\s*(\w+) -> (\w+) \[.*class="([^"]*)"/.exec(line);
    if (!m) continue;
    const have = m[3]!.split(' ');
    if (classes.every((c) => have.includes(c))) out.push({ from: m[1]!, to: m[2]!, line });
  }
  return out;
}

/** The node statements of a DOT graph whose class attribute contains `cls`. */
function nodes(dot: string, cls: string): { id: string; line: string }[] {
  const out: { id: string; line: string }[] = [];
  for (const line of dot.split('\n')) {
    const m = /^\s*(\w+) \[.*class="([^"]*)"/.exec(line);
    if (m && !line.includes(' -> ') && m[2]!.split(' ').includes(cls)) out.push({ id: m[1]!, line });
  }
  return out;
}

const count = (trace: TraceFile, kind: string): number => trace.steps.filter((s) => s.action.kind === kind).length;
const finalState = (trace: TraceFile): SystemState => trace.steps[trace.steps.length - 1]?.state ?? trace.initial;

// ---- the tests ---------------------------------------------------------------------------------

describe('lane diagram of a counterexample found by BFS (no-up-to-date-check)', () => {
  const trace = shortestCounterexample('no-up-to-date-check', {
    servers: 3, maxTerm: 2, maxLog: 1, maxCommands: 1, maxCrashes: 0, maxMessages: 3, maxSnapshots: 0, drop: false, duplicate: false, crashMidStep: false,
  });
  const dot = traceToDot(trace);

  it('is the leader-completeness bug, found in a short trace', () => {
    expect(trace.invariant).toBe('LeaderCompleteness');
    expect(trace.steps.length).toBeGreaterThan(5);
    expect(trace.steps.length).toBeLessThanOrEqual(25);
  });

  it('has one lane per server: a head in row 0 and a cell in every row, each row one rank', () => {
    for (let s = 0; s < 3; s++) {
      expect(dot).toMatch(new RegExp(`^  c${s}_0 \\[.*label="server s${s}\\\\l`, 'm'));
      for (let row = 1; row <= trace.steps.length; row++) expect(dot).toContain(`  c${s}_${row} [`);
      expect(dot).not.toContain(`  c3_`);
    }
    for (let row = 0; row <= trace.steps.length; row++) expect(dot).toContain(`{ rank=same; c0_${row}; c1_${row}; c2_${row}`);
    expect(edges(dot, 'lifeline')).toHaveLength(3 * (trace.steps.length + 2)); // rows, the in-flight row and the final row
  });

  it('draws each step as an event in the acting lane, showing the state after it', () => {
    const events = nodes(dot, 'event');
    expect(events).toHaveLength(trace.steps.length);
    const first = trace.steps[0]!;
    expect(first.action).toMatchObject({ kind: 'Timeout' });
    expect(dot).toMatch(/c\d_1 \[.*label="#1 election Timeout\\lcandidate t1 voted s\d\\llog \[\] commit 0\\l/);
    expect(dot).toMatch(/label="#\d+ recv from s\d: vote granted t1\\lleader t1 voted s\d\\llog \[\] commit 0\\lnext \[1,1,1\] match \[0,0,0\]\\l/);
  });

  it('has an arrow per delivered message, from the step that sent it to the Receive', () => {
    const delivered = edges(dot, 'msg', 'delivered');
    expect(delivered).toHaveLength(count(trace, 'Receive'));
    trace.steps.forEach(({ action }, i) => {
      if (action.kind !== 'Receive') return;
      const into = delivered.filter((e) => e.to === `c${action.message.to}_${i + 1}`);
      expect(into).toHaveLength(1);
      const from = Number(/^c(\d+)_/.exec(into[0]!.from)![1]);
      expect(from).toBe(action.message.from);
    });
  });

  it('ends every message still in flight in an "in flight" sink of its addressee', () => {
    const left = finalState(trace).network;
    expect(left.length).toBeGreaterThan(0);
    const inflight = edges(dot, 'msg', 'in-flight');
    expect(inflight).toHaveLength(left.length);
    for (const m of left) expect(inflight.some((e) => e.to === `inflight${m.to}`)).toBe(true);
    expect(nodes(dot, 'inflight').length).toBe(new Set(left.map((m) => m.to)).size);
  });

  it('highlights the breaking state in red with the invariant, and titles the run', () => {
    // The banner says why, from the invariant's finding: a later leader lacks a committed entry.
    expect(dot).toMatch(/verdict \[.*fillcolor="#d00000".*label="VIOLATED: LeaderCompleteness\\ls\d, leader of term \d+, holds .+ at index \d+, where .+ was committed in term \d+\\l"/);
    expect(nodes(dot, 'final')).toHaveLength(3);
    for (const n of nodes(dot, 'final')) expect(n.line).toContain('color="#d00000"');
    const last = trace.steps.length;
    const lastEvent = nodes(dot, 'event').find((n) => n.id.endsWith(`_${last}`));
    expect(lastEvent?.line).toContain('penwidth="3"');
    expect(lastEvent?.line).toContain('color="#d00000"');
    expect(dot).toContain(`Counterexample: LeaderCompleteness violated after ${last} steps`);
    expect(dot).toContain('model raft[mutant no-up-to-date-check], symmetry off');
    expect(dot).toContain('bounds: servers=3 max-term=2 max-log=1 max-commands=1 max-crashes=0 max-messages=3 max-snapshots=0 drop=off dup=off crash-mid-step=off');
  });

  it('renders to an SVG that names the invariant', async () => {
    const svg = await renderSvg(dot);
    expect(svg.startsWith('<?xml')).toBe(true);
    expect(svg).toMatch(/<svg [^>]*viewBox=/);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('VIOLATED: LeaderCompleteness');
    expect(svg.match(/<g /g)?.length).toBe(svg.match(/<\/g>/g)?.length);
    expect(svg.match(/class="edge msg delivered"/g)).toHaveLength(count(trace, 'Receive'));
  });
});

describe('lane diagram with faults (votedFor-not-persisted: a vote forgotten across a restart)', () => {
  const trace = doubleVoteTrace();
  const dot = traceToDot(trace);

  it('is two leaders in term 1, with the step property\'s finding', () => {
    expect(trace.invariant).toBe('ElectionSafety');
    expect(trace.finding).toEqual({
      invariant: 'ElectionSafety', servers: [0, 2], indices: [], terms: [1],
      places: [{ server: 0, field: 'role' }, { server: 2, field: 'role' }],
      sentence: 's0 and s2 were both elected leader in term 1',
    });
    expect(dot).toContain('VIOLATED: ElectionSafety\\ls0 and s2 were both elected leader in term 1\\l');
  });

  it('accounts for every copy of every message exactly once', () => {
    const flows = messageFlows(trace);
    const byEnd = (e: string): number => flows.filter((f) => f.end === e).length;
    expect(byEnd('delivered')).toBe(count(trace, 'Receive'));
    expect(byEnd('dropped')).toBe(1);
    expect(byEnd('lost')).toBe(0); // a crash leaves the network alone (as in raft.tla)
    expect(byEnd('in-flight')).toBe(finalState(trace).network.length);
    expect(flows.filter((f) => f.duplicate)).toHaveLength(1);
  });

  it('marks the drop, its arrow ending at the DROPPED mark in the addressee\'s lane', () => {
    const [drop] = nodes(dot, 'drop');
    expect(drop?.line).toContain('DROPPED s0->s2');
    expect(drop?.id).toBe('c2_5');
    const dropped = edges(dot, 'msg', 'dropped');
    expect(dropped).toEqual([expect.objectContaining({ from: 'c0_1', to: 'c2_5' })]);
    expect(dropped[0]!.line).toContain('arrowhead="tee"');
  });

  it('marks the duplicate, and draws the copy dashed from the DUPLICATED mark to its Receive', () => {
    const [dup] = nodes(dot, 'dup');
    expect(dup?.id).toBe('c1_2');
    expect(dup?.line).toContain('DUPLICATED s0->s1');
    const copies = edges(dot, 'msg', 'dup');
    expect(copies).toHaveLength(1);
    // Equal copies are taken oldest first: the original is received at #3, the copy at #4.
    expect(copies[0]).toMatchObject({ from: 'c1_2', to: 'c1_4' });
    expect(copies[0]!.line).toContain('style="dashed"');
    expect(edges(dot, 'msg', 'delivered').filter((e) => e.to === 'c1_3')).toEqual([expect.objectContaining({ from: 'c0_1' })]);
  });

  it('marks the crash and the restart on the lane and the down time; the message in flight to the crashed server stays in flight', () => {
    const [crash] = nodes(dot, 'crash');
    expect(crash?.id).toBe('c1_7');
    expect(crash?.line).toContain('shape="octagon"');
    expect(crash?.line).toContain('#7 CRASH\\ldisk: t1 voted - log []\\l');
    const [restart] = nodes(dot, 'restart');
    expect(restart?.id).toBe('c1_8');
    expect(restart?.line).toContain('#8 RESTART from disk\\lfollower t1 voted -');
    expect(edges(dot, 'lifeline', 'down')).toEqual([expect.objectContaining({ from: 'c1_7', to: 'c1_8' })]);
    expect(edges(dot, 'msg', 'lost')).toEqual([]);
    // s0's AppendEntries to s1, sent as it became leader (#6), outlives s1's crash (#7).
    expect(edges(dot, 'msg', 'in-flight')).toContainEqual(expect.objectContaining({ from: 'c0_6', to: 'inflight1' }));
  });

  it('shows where memory and disk differ', () => {
    expect(dot).toContain('#3 recv from s0: RequestVote t1 last 0@t0\\lfollower t1 voted s0\\llog [] commit 0\\ldisk: t1 voted - log []\\l');
  });

  it('renders, and the sample is written to reports/sample-lane-diagram.svg', async () => {
    const svg = await renderSvg(dot);
    expect(svg).toContain('VIOLATED: ElectionSafety');
    expect(svg).toContain('class="node drop"');
    expect(svg).toContain('class="node dup"');
    expect(svg).toContain('class="node crash"');
    expect(svg).toContain('class="node restart"');
    const reports = new URL('../../reports/', import.meta.url); // git-ignored scratch output
    mkdirSync(reports, { recursive: true });
    writeFileSync(new URL('sample-lane-diagram.dot', reports), dot);
    writeFileSync(new URL('sample-lane-diagram.svg', reports), svg);
  });
});

describe('lane diagram of a crash in the middle of a step', () => {
  const trace = crashMidStepTrace();
  const dot = traceToDot(trace);

  it('labels the step as a crash mid-step, keeping what reached the disk', () => {
    expect(trace.invariant).toBeNull();
    const [crash] = nodes(dot, 'crash');
    expect(crash?.id).toBe('c0_4');
    expect(crash?.line).toContain('#4 ClientRequest 1\\lCRASH mid-step (after its first effects)\\ldisk: t1 voted s0 log [1:1]\\l(was leader t1)\\l');
    // Down from the crash on: through the (empty) in-flight row to the final state.
    expect(edges(dot, 'lifeline', 'down').map((e) => [e.from, e.to])).toEqual([['c0_4', 'inflight0'], ['inflight0', 'final0']]);
    expect(dot).toMatch(/final0 \[.*label="s0 final \(after #4\)\\lDOWN \(crashed\)\\ldisk: t1 voted s0 log \[1:1\]\\l"/);
  });

  it('has no verdict when no invariant is broken', () => {
    expect(dot).not.toContain('verdict');
    expect(dot).toContain('Trace of 4 steps (no invariant broken)');
    for (const n of nodes(dot, 'final')) expect(n.line).not.toContain('#d00000');
  });
});

describe('lane diagram of a hand-written trace', () => {
  const trace = handBuiltTrace();
  const dot = traceToDot(trace);

  it('escapes quotes, backslashes and line breaks', () => {
    expect(escapeDot('a "b" \\ c\nd')).toBe('a \\"b\\" \\\\ c\\nd');
    // The command is shown as a JSON string, then escaped for DOT.
    expect(dot).toContain('log [1:\\"say \\\\\\"hi\\\\\\" \\\\\\\\ then\\\\nbye\\"] commit 0');
    expect(dot).toContain('model raft \\"hand-built\\", symmetry on');
    expect(dot).toContain('VIOLATED: SomeRule\\la \\"quoted\\" detail\\lover two lines \\\\ with a backslash\\l');
    // No raw line break inside any statement.
    for (const line of dot.split('\n')) expect(line === '' || /^(digraph|\s|\})/.test(line)).toBe(true);
  });

  it('draws a message already in flight initially from its sender\'s lane head', () => {
    expect(edges(dot, 'msg', 'delivered').map((e) => [e.from, e.to])).toEqual([['c1_0', 'c0_1'], ['c0_1', 'c1_2']]);
    expect(dot).not.toContain('inflight');
  });

  it('renders; Graphviz reads the escapes back to the original text', async () => {
    const svg = await renderSvg(dot);
    expect(svg).toContain('log [1:&quot;say \\&quot;hi\\&quot; \\\\ then\\nbye&quot;] commit 0');
    expect(svg).toContain('a &quot;quoted&quot; detail');
    expect(svg).toContain('over two lines \\ with a backslash');
  });

  it('renders an empty trace (initial state only)', async () => {
    const empty: TraceFile = { ...trace, steps: [], invariant: null, initial: trace.initial };
    const { detail: _detail, ...noDetail } = empty;
    const svg = await renderSvg(traceToDot(noDetail));
    expect(svg).toContain('Trace of 0 steps (no invariant broken)');
  });
});

describe('renderSvg', () => {
  it('fails clearly on a DOT syntax error, and still renders afterwards', async () => {
    await expect(renderSvg('digraph { a -> ')).rejects.toThrow(/could not render the DOT graph to SVG: .*syntax error/);
    await expect(renderSvg('digraph { a -> b }')).resolves.toContain('</svg>');
  });

  it('refuses an empty graph instead of waiting on standard input', async () => {
    await expect(renderSvg('  \n')).rejects.toThrow(/empty DOT graph/);
  });
});
