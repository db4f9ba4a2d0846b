/**
 * The playground's one source of randomness, as a pure function: a draw takes the generator's
 * state and returns a value and the next state, so the simulation stays a value (the same seed
 * and the same user moves give the same run, and an old simulation is never disturbed).
 * splitmix32: one 32-bit word of state, well mixed, ample for timeouts and latencies.
 */
export interface Draw {
  /** Uniform in [0, 1). */
  readonly value: number;
  readonly state: number;
}

export function draw(state: number): Draw {
  const next = (state + 0x9e3779b9) >>> 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  z = (z ^ (z >>> 16)) >>> 0;
  return { value: z / 4294967296, state: next };
}

/** Uniform in [min, max), and the next state. */
export function drawBetween(state: number, min: number, max: number): Draw {
  const d = draw(state);
  return { value: min + d.value * (max - min), state: d.state };
}
