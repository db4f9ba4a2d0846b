import { splitmix32 } from '../../src/runtime/random.js';

/**
 * The playground's one source of randomness, as a pure function: a draw takes the generator's
 * state and returns a value and the next state, so the simulation stays a value (the same seed
 * and the same user moves give the same run, and an old simulation is never disturbed). The
 * generator is the runtime's splitmix32 step (src/runtime/random.ts): one 32-bit word of state,
 * well mixed, ample for timeouts and the fault model's draws.
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

/**
 * Draws from `state` for a function that takes its draws one by one (the fault model draws as
 * many as a message's fate needs): `uniform` draws, `state()` is the state after the draws so
 * far. The caller keeps it for one computation, so the simulation stays a value.
 */
export function drawing(state: number): { readonly uniform: () => number; state(): number } {
  let s = state;
  return {
    uniform: () => {
      const d = draw(s);
      s = d.state;
      return d.value;
    },
    state: () => s,
  };
}
