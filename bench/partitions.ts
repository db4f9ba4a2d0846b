/**
 * What PreVote and CheckQuorum buy under partitions: terms created and the longest time without a
 * commit, for three partition patterns, with both options off (the plain algorithm) and on (the
 * runtime's default), in the simulated world (five servers, virtual clock, a client submitting to
 * the leader every 50 ms; test/runtime/sim/partitions.ts). A script, not a test: it asserts
 * nothing; the tests that must hold are test/runtime/preVoteCheckQuorum.test.ts.
 *
 *   npm run bench:partitions
 *   npx tsx bench/partitions.ts [--seeds 9]
 *
 * Each pattern holds its fault for 6 s of virtual time, then heals, then runs 3 s more:
 *   deaf leader                  every link into the leader cut (it sends, hears nobody)
 *   flapping one-way link        leader → one follower cut for 1.2 s, carrying for 0.4 s, over and over
 *   leader partitioned, healed   every link of the leader cut both ways
 * Figures are medians over seeds 1..N (each seed replays exactly: virtual time, one seeded source).
 */
import { parseArgs } from 'node:util';
import { FAULT_MS, OPTIONS_OFF, OPTIONS_ON, PATTERNS, runPattern, type PatternOutcome } from '../test/runtime/sim/partitions.js';

const { values } = parseArgs({ options: { seeds: { type: 'string', default: '9' } } });
const seedCount = Number(values.seeds);
if (!(Number.isInteger(seedCount) && seedCount >= 1)) {
  console.error(`partitions: --seeds must be a positive integer, got '${values.seeds}'`);
  process.exit(2);
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const seeds = Array.from({ length: seedCount }, (_, i) => i + 1);
const rows: string[] = [
  `Partition patterns, 5 servers, fault held ${FAULT_MS / 1000} s then healed; medians over seeds 1..${seedCount}.`,
  '',
  '| pattern | options | terms created | longest without a commit (ms) | commit after heal (ms) | deaf leader replaced after (ms) |',
  '|---|---|---|---|---|---|',
];
for (const pattern of PATTERNS) {
  for (const [name, config] of [['off', OPTIONS_OFF], ['on', OPTIONS_ON]] as const) {
    const outcomes: PatternOutcome[] = [];
    for (const seed of seeds) outcomes.push(await runPattern(pattern, seed, config));
    const replaced = outcomes.map((o) => o.replacedAfterMs);
    const replacedCell = pattern !== 'deaf leader' ? '—'
      : replaced.every((x) => x === null) ? 'never'
      : replaced.some((x) => x === null) ? `${replaced.filter((x) => x === null).length} of ${seedCount} never`
      : median(replaced.map((x) => x!)).toFixed(0);
    const healed = outcomes.map((o) => o.commitAfterHealMs);
    const healCell = healed.some((x) => x === null) ? `${healed.filter((x) => x === null).length} of ${seedCount} never` : median(healed.map((x) => x!)).toFixed(1);
    rows.push(`| ${pattern} | ${name} | ${median(outcomes.map((o) => o.termsCreated))} | ${median(outcomes.map((o) => o.longestWithoutCommitMs)).toFixed(0)} | ${healCell} | ${replacedCell} |`);
  }
}
console.log(rows.join('\n'));
