/**
 * Micro-benchmark of the core's `step` on typical inputs, with StepConfig.autoFreeze on and off.
 *
 *   npm run bench                      (tsx bench/core-step.ts)
 *   npm run bench -- --batches 21 --steps 20000 --log 100
 *
 * Every case steps the same input state again and again (the result is discarded), so each
 * measurement is one step of that kind. The on and off measurements of a case alternate batch by
 * batch, so they see the same machine load; the table reports the median ns/step over batches.
 * A script, not a test: no assertion on time (the machine is shared).
 *
 * `--clock cpu` (the default) times a batch by this process's CPU time (process.cpuUsage: user +
 * system, all threads), which other processes competing for the cores inflate far less than
 * wall time; `--clock wall` times it by performance.now().
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import {
  DEFAULT_STEP_CONFIG, initialState, step,
  type Input, type LogEntry, type RaftState, type StepConfig,
} from '../src/core/index.js';

const { values: args } = parseArgs({
  options: {
    batches: { type: 'string', default: '15' },
    steps: { type: 'string', default: '20000' },
    warmup: { type: 'string', default: '50000' },
    log: { type: 'string', default: '100' },
    clock: { type: 'string', default: 'cpu' },
    states: { type: 'string', default: 'mode' },
  },
});
if (args.clock !== 'cpu' && args.clock !== 'wall') throw new Error(`--clock cpu|wall, got ${args.clock}`);
if (args.states !== 'mode' && args.states !== 'frozen') throw new Error(`--states mode|frozen, got ${args.states}`);
const CLOCK = args.clock;
const STATES = args.states;
const BATCHES = Number(args.batches);
const STEPS = Number(args.steps);
const WARMUP = Number(args.warmup);
const LOG_LENGTH = Number(args.log);
const TARGET_NS = 3000;

const FREEZE_ON: StepConfig = { ...DEFAULT_STEP_CONFIG, autoFreeze: true };
const FREEZE_OFF: StepConfig = { ...DEFAULT_STEP_CONFIG, autoFreeze: false };

interface Case {
  readonly name: string;
  /** The input state as each mode's own steps produce it (see stateIn). */
  readonly state: { readonly on: RaftState; readonly off: RaftState };
  readonly input: Input;
}

const entries = (n: number, term: number): LogEntry[] =>
  Array.from({ length: n }, (_, i) => ({ term, command: `cmd-${i + 1}` }));

function stepTo(s: RaftState, input: Input, config: StepConfig): RaftState {
  return step(s, input, config).state;
}

/**
 * Server `id` of a 3-server cluster holding `n` committed and applied entries of term 1, which it
 * got from term 1's leader (server 2) in one AppendEntries.
 */
function replicated(id: number, n: number, config: StepConfig): RaftState {
  return stepTo(initialState(id, 3), {
    type: 'Receive',
    message: { type: 'AppendEntries', from: 2, to: id, term: 1, leaderId: 2, prevLogIndex: 0, prevLogTerm: 0, entries: entries(n, 1), leaderCommit: n },
  }, config);
}

/** Server 0, elected leader of term 2 (votes of 0 and 1), with `n` entries of term 1. */
function leaderWith(n: number, config: StepConfig): RaftState {
  let s = stepTo(replicated(0, n, config), { type: 'ElectionTimeout' }, config);
  s = stepTo(s, { type: 'Receive', message: { type: 'RequestVoteReply', from: 1, to: 0, term: 2, voteGranted: true } }, config);
  if (s.role !== 'leader' || s.currentTerm !== 2) throw new Error('setup: no leader');
  return s;
}

/** Server 1, a follower of term 2 that voted for server 0, with `n` entries of term 1. */
function followerWith(n: number, config: StepConfig): RaftState {
  const s = stepTo(replicated(1, n, config), {
    type: 'Receive',
    message: { type: 'RequestVote', from: 0, to: 1, term: 2, candidateId: 0, lastLogIndex: n, lastLogTerm: 1 },
  }, config);
  if (s.role !== 'follower' || s.currentTerm !== 2 || s.votedFor !== 0 || s.commitIndex !== n) throw new Error('setup: no follower');
  return s;
}

/**
 * A case's input state in each mode, reached by real steps taken in that mode: with autoFreeze
 * on, deep-frozen, as every state such a host holds; off, unfrozen but for the log (which the core
 * always freezes). `--states frozen` hands the off mode deep-frozen states too: a host that turned
 * autoFreeze off after states were produced frozen (immer copies a frozen root several times
 * slower than an unfrozen one).
 */
function stateIn(build: (config: StepConfig) => RaftState): { on: RaftState; off: RaftState } {
  return { on: build(FREEZE_ON), off: build(STATES === 'frozen' ? FREEZE_ON : FREEZE_OFF) };
}

function cases(n: number): Case[] {
  const follower = stateIn((config) => followerWith(n, config));
  return [
    {
      name: `heartbeat AppendEntries -> up-to-date follower (log ${n})`,
      state: follower,
      input: {
        type: 'Receive',
        message: { type: 'AppendEntries', from: 0, to: 1, term: 2, leaderId: 0, prevLogIndex: n, prevLogTerm: 1, entries: [], leaderCommit: n },
      },
    },
    {
      name: `leader Start (append 1 entry, 2 AppendEntries) (log ${n})`,
      state: stateIn((config) => leaderWith(n, config)),
      input: { type: 'Start', command: 'x' },
    },
    {
      name: `RequestVote (new term, vote granted) -> follower (log ${n})`,
      state: follower,
      input: {
        type: 'Receive',
        message: { type: 'RequestVote', from: 2, to: 1, term: 3, candidateId: 2, lastLogIndex: n, lastLogTerm: 1 },
      },
    },
  ];
}

let sink = 0; // keeps the results alive

/** Now, in ns, on the chosen clock. */
function now(): number {
  if (CLOCK === 'wall') return performance.now() * 1e6;
  const { user, system } = process.cpuUsage();
  return (user + system) * 1e3;
}

function run(c: Case, on: boolean, steps: number): number {
  const config = on ? FREEZE_ON : FREEZE_OFF;
  const state = on ? c.state.on : c.state.off;
  const t0 = now();
  for (let i = 0; i < steps; i++) {
    const r = step(state, c.input, config);
    sink += r.messages.length;
  }
  return (now() - t0) / steps;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const all = cases(LOG_LENGTH);
const modes = [true, false] as const;

for (const c of all) {
  for (const on of modes) run(c, on, WARMUP);
}

const samples = new Map<string, { on: number[]; off: number[] }>(all.map((c) => [c.name, { on: [], off: [] }]));
for (let b = 0; b < BATCHES; b++) {
  for (const c of all) {
    // Alternate which mode goes first, so neither always runs right after the other case.
    for (const on of b % 2 === 0 ? modes : [...modes].reverse()) {
      samples.get(c.name)![on ? 'on' : 'off'].push(run(c, on, STEPS));
    }
  }
}

const rows = all.map((c) => {
  const s = samples.get(c.name)!;
  const on = median(s.on);
  const off = median(s.off);
  return { name: c.name, on, off, ratio: on / off };
});

const width = Math.max(...rows.map((r) => r.name.length), 4);
const fmt = (ns: number): string => ns.toFixed(0).padStart(9);
console.log(`core step: median ns/step (${CLOCK} time, ${STATES === 'frozen' ? 'deep-frozen input states in both modes' : "input states as each mode's steps produce them"}) over ${BATCHES} batches of ${STEPS} steps (warm-up ${WARMUP} per case and mode), node ${process.version}`);
console.log('');
console.log(`${'case'.padEnd(width)} | autoFreeze on | autoFreeze off | on/off | off <= ${TARGET_NS} ns`);
console.log(`${'-'.repeat(width)}-|---------------|----------------|--------|-------------`);
for (const r of rows) {
  console.log(`${r.name.padEnd(width)} | ${fmt(r.on)} ns  | ${fmt(r.off)} ns   | ${r.ratio.toFixed(2).padStart(5)}x | ${r.off <= TARGET_NS ? 'yes' : 'NO'}`);
}
if (sink < 0) console.log(sink);
