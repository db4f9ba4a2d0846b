/**
 * Engine throughput on the counters toy model: distinct states per second at 1 and 2 workers
 * (median of RUNS runs), for a cheap next() and one with busy-work standing in for a reducer,
 * plus the fingerprint set's bytes per state. Run: npx tsx bench/engine.ts
 */
import { explore } from '../model/engine/index.js';

const RUNS = 3;
const module = new URL('../test/model/toy/counters.ts', import.meta.url).href;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

const cases = [
  { label: 'cheap next()  k=6 m=8', options: { k: 6, m: 8 } },
  { label: 'costly next() k=6 m=7, work=3000', options: { k: 6, m: 7, work: 3000 } },
];

for (const { label, options } of cases) {
  for (const workers of [1, 2]) {
    const rates: number[] = [];
    let bytes = 0;
    let states = 0;
    for (let i = 0; i < RUNS; i++) {
      const r = await explore({ module, options }, { workers });
      if (r.result !== 'ok') throw new Error(`unexpected ${r.result}: ${r.notes.join('; ')}`);
      rates.push(r.distinctStates / r.seconds);
      bytes = r.bytesPerState;
      states = r.distinctStates;
    }
    console.log(
      `${label}  workers=${workers}  states=${states}  median ${Math.round(median(rates))} states/s ` +
        `(runs: ${rates.map((x) => Math.round(x)).join(', ')})  set ${bytes.toFixed(1)} B/state`,
    );
  }
}
