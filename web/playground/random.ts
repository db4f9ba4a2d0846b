import { splitmix32 } from '../../src/runtime/random.js';

/**
 * The playground's one source of randomness, as a pure function: a draw takes the generator's
 * state and returns a value and the next state, so the simulation stays a value (the same seed
 * and the same user moves give the same run, and an old simulation is never disturbed). The
 * generator is the runtime's splitmix32 step (src/runtime/random.ts): one 32-bit word of state,
 * well mixed, ample for timeouts and latencies.
 */
export interface Draw {
  /** Uniform in [0, 1). */
  readonly value: number;
  readonly state: number;
}

export function draw(state: number): Draw {
  const step = splitmix32(state);
  return { value: step.output / 4294967296, state: step.state };
}

/** Uniform in [min, max), and the next state. */
export function drawBetween(state: number, min: number, max: number): Draw {
  const d = draw(state);
  return { value: min + d.value * (max - min), state: d.state };
}
