/**
 * Micro-benchmark of the core's `step` on typical inputs, with immer's autoFreeze on and off.
 *
 *   npm run bench                      (tsx bench/core-step.ts)
 *   npm run bench -- --batches 21 --steps 20000 --log 100
 *
 * Every case steps the same input state again and again (the result is discarded), so each
 * measurement is one step of that kind. The on and off measurements of a case alternate batch by
 * batch, so they see the same machine load; the table reports the median ns/step over batches.
 * A script, not a test: no assertion on time (the machine is shared).
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import {
  initialState, setAutoFreeze, step,
  type Input, type LogEntry, type RaftState,
} from '../src/core/index.js';

const { values: args } = parseArgs({
  options: {
    batches: { type: 'string', default: '15' },
    steps: { type: 'string', default: '20000' },
    warmup: { type: 'string', default: '50000' },
    log: { type: 'string', default: '100' },
  },
});
const BATCHES = Number(args.batches);
const STEPS = Number(args.steps);
const WARMUP = Number(args.warmup);
const LOG_LENGTH = Number(args.log);
const TARGET_NS = 3000;

interface Case {
  readonly name: string;
  readonly state: RaftState;
  readonly input: Input;
}

const entries = (n: number, term: number): LogEntry[] =>
  Array.from({ length: n }, (_, i) => ({ term, command: `cmd-${i + 1}` }));

/** A leader of term 2 in a 3-server cluster, reached by a real election, with `n` entries. */
function leaderWith(n: number): RaftState {
  const persisted = { ...initialState(0, 3), currentTerm: 1, log: entries(n, 1) };
  let s = step(persisted, { type: 'ElectionTimeout' }).state;
  s = step(s, { type: 'Receive', message: { type: 'RequestVoteReply', from: 1, to: 0, term: 2, voteGranted: true } }).state;
  if (s.role !== 'leader') throw new Error('setup: no leader');
  return s;
}

function cases(n: number): Case[] {
  const follower: RaftState = { ...initialState(1, 3), currentTerm: 2, votedFor: 0, log: entries(n, 1), commitIndex: n, lastApplied: n };
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
      state: leaderWith(n),
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

function run(c: Case, steps: number): number {
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) {
    const r = step(c.state, c.input);
    sink += r.messages.length;
  }
  return ((performance.now() - t0) * 1e6) / steps;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const all = cases(LOG_LENGTH);
const modes = [true, false] as const;

for (const c of all) {
  for (const on of modes) {
    setAutoFreeze(on);
    run(c, WARMUP);
  }
}

const samples = new Map<string, { on: number[]; off: number[] }>(all.map((c) => [c.name, { on: [], off: [] }]));
for (let b = 0; b < BATCHES; b++) {
  for (const c of all) {
    // Alternate which mode goes first, so neither always runs right after the other case.
    for (const on of b % 2 === 0 ? modes : [...modes].reverse()) {
      setAutoFreeze(on);
      samples.get(c.name)![on ? 'on' : 'off'].push(run(c, STEPS));
    }
  }
}
setAutoFreeze(true);

const rows = all.map((c) => {
  const s = samples.get(c.name)!;
  const on = median(s.on);
  const off = median(s.off);
  return { name: c.name, on, off, ratio: on / off };
});

const width = Math.max(...rows.map((r) => r.name.length), 4);
const fmt = (ns: number): string => ns.toFixed(0).padStart(9);
console.log(`core step: median ns/step over ${BATCHES} batches of ${STEPS} steps (warm-up ${WARMUP} per case and mode), node ${process.version}`);
console.log('');
console.log(`${'case'.padEnd(width)} | autoFreeze on | autoFreeze off | on/off | off <= ${TARGET_NS} ns`);
console.log(`${'-'.repeat(width)}-|---------------|----------------|--------|-------------`);
for (const r of rows) {
  console.log(`${r.name.padEnd(width)} | ${fmt(r.on)} ns  | ${fmt(r.off)} ns   | ${r.ratio.toFixed(2).padStart(5)}x | ${r.off <= TARGET_NS ? 'yes' : 'NO'}`);
}
if (sink < 0) console.log(sink);
