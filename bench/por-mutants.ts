/**
 * Every catalog mutant through the exhaustive BFS without and with partial-order reduction
 * (sleep sets: engine/por.ts over model/raft/independence.ts), at the mutant's own bounds: the
 * verdicts, the invariants and the violation depths must be equal; the generated states and
 * seconds show what the reduction saves. Exit 1 when any verdict differs. A script, not a test:
 * test/model/raft-por.test.ts runs the same comparison on all but the Figure 8 mutant (2.7M states).
 *
 *   npx tsx bench/por-mutants.ts [NAME...]
 */
import { explore } from '../model/engine/index.js';
import type { RaftAction } from '../model/raft/actions.js';
import { createModel } from '../model/raft/model.js';
import type { SystemState } from '../model/raft/system.js';
import { MUTANTS, mutantVariant } from '../model/mutants/index.js';

const BUDGET: Record<string, number> = { 'commit-previous-term-by-counting': 3_000_000 };

const names = process.argv.slice(2);
const unknown = names.filter((n) => !MUTANTS.some((m) => m.name === n));
if (unknown.length > 0) {
  process.stderr.write(`por-mutants: no mutant named ${unknown.join(', ')}\n`);
  process.exit(2);
}
let differ = 0;
console.log('| mutant | verdict | depth | generated (off / on) | seconds (off / on) |');
console.log('|---|---|---|---|---|');
for (const m of MUTANTS.filter((x) => (names.length === 0 || names.includes(x.name)) && x.liveness !== true)) { // liveness mutants: no POR (the recoverability check needs every edge)
  const run = (partialOrder: boolean) =>
    explore<SystemState, RaftAction>(createModel({ variant: mutantVariant(m.name), ...(m.bounds ? { bounds: m.bounds } : {}) }), {
      maxStates: BUDGET[m.name] ?? 400_000,
      partialOrder,
    });
  const off = await run(false);
  const on = await run(true);
  const verdict = (r: typeof off): string => (r.violation ? `${r.violation.invariant}@${r.violation.path.length}` : r.result);
  const same = verdict(off) === verdict(on) && off.result === on.result;
  if (!same) differ++;
  console.log(
    `| ${m.name} | ${same ? verdict(on) : `DIFFERS: ${verdict(off)} / ${verdict(on)}`} | ${on.violation?.path.length ?? '-'} | ` +
      `${off.generatedStates} / ${on.generatedStates} | ${off.seconds.toFixed(2)} / ${on.seconds.toFixed(2)} |`,
  );
}
console.log(differ === 0 ? 'every verdict the same with and without partial-order reduction' : `${differ} verdict(s) differ`);
process.exit(differ === 0 ? 0 : 1);
