import { test } from 'vitest';
import type { LabTest } from '../suite/labTest.js';
import { envFor, runLabTest, vitestLabSettings } from './runner.js';

/** Registers lab tests with vitest under their lab names. */
export function registerLabTests(tests: readonly LabTest[]): void {
  const { mode, runSeed } = vitestLabSettings();
  for (const t of tests) {
    test(t.name, () => runLabTest(t, envFor(t, mode, runSeed)));
  }
}
