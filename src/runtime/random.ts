/**
 * The runtime's one source of randomness (election timeouts, network faults). Seeded, so a
 * simulated run is a function of its seed; the real-time harness seeds it too, for the log.
 */
export interface RandomSource {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
}

/**
 * One step of splitmix32, as a pure function: the next state and a well-mixed 32-bit output.
 * It spreads a seed into sfc32's state below, and is the generator of the playground, whose
 * simulation is a value and so keeps its generator's state as one (web/playground/random.ts).
 */
export function splitmix32(state: number): { readonly output: number; readonly state: number } {
  const next = (state + 0x9e3779b9) >>> 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return { output: (z ^ (z >>> 16)) >>> 0, state: next };
}

/** sfc32 (a small, fast, well-mixed 128-bit PRNG), its state spread from the seed by splitmix32. */
export function seededRandom(seed: number): RandomSource {
  let s = seed >>> 0;
  const splitmix = (): number => {
    const step = splitmix32(s);
    s = step.state;
    return step.output;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  const next32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) next32(); // discard the first outputs, as sfc32's authors advise
  const next = (): number => next32() / 4294967296;
  return { next, int: (n) => Math.floor(next() * n) };
}

/** A seed for runs that are not meant to replay (real time), still printed for the record. */
export function freshSeed(): number {
  return Math.floor(Math.random() * 2 ** 32);
}
