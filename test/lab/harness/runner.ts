import type { StepConfig } from '../../../src/core/index.js';
import { freshSeed } from '../../../src/runtime/index.js';
import type { LabTest } from '../suite/labTest.js';
import { realEnv, simEnv, testSeed, type LabEnv } from './env.js';

/**
 * Runs one lab test in a fresh environment. Under vitest the clock comes from the environment
 * variables: LAB_CLOCK=sim runs on the virtual clock, LAB_SEED=<n> fixes the seed (one is drawn
 * and printed otherwise). A failure names its seed, so a simulated one replays exactly:
 *   LAB_CLOCK=sim LAB_SEED=<n> npx vitest run --project lab -t <TestName>
 *   npx tsx scripts/sim.ts --seed <n> --test <TestName>
 */
export function envFor(test: LabTest, mode: 'real' | 'sim', runSeed: number, log?: (line: string) => void, stepConfig?: StepConfig): LabEnv {
  const seed = testSeed(runSeed, test.name);
  return mode === 'sim' ? simEnv(seed, log, stepConfig) : realEnv(seed, log);
}

/** Simulated tests stop here if virtual time runs away (the lab's own limit is 120 s). */
export const SIM_VIRTUAL_LIMIT_MS = 300_000;

export async function runLabTest(test: LabTest, env: LabEnv): Promise<void> {
  try {
    if (env.mode === 'real') return await test.run(env);
    let expire: (() => void) | undefined;
    const watchdog = new Promise<never>((_, reject) => {
      expire = () => reject(new Error(`simulation passed ${SIM_VIRTUAL_LIMIT_MS / 1000} s of virtual time`));
    });
    const timer = env.clock.setTimeout(() => expire?.(), SIM_VIRTUAL_LIMIT_MS);
    try {
      await Promise.race([test.run(env), watchdog]);
    } finally {
      timer.cancel();
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${test.name} (${env.mode}, seed ${env.seed}): ${message}`, { cause: error });
  } finally {
    env.dispose();
  }
}

/** The clock mode and run seed for a vitest run of the lab suite. */
export function vitestLabSettings(): { mode: 'real' | 'sim'; runSeed: number } {
  const mode = process.env['LAB_CLOCK'] === 'sim' ? 'sim' : 'real';
  const fixed = process.env['LAB_SEED'];
  return { mode, runSeed: fixed === undefined ? freshSeed() : Number(fixed) };
}
