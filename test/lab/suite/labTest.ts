import type { LabEnv } from '../harness/env.js';

/** One lab test, written once and run under either clock (real time or simulated). */
export interface LabTest {
  readonly name: string;
  run(env: LabEnv): Promise<void>;
}
