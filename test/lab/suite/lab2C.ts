import type { LabTest } from './labTest.js';

/** Lab 2C: persistence (test_test.go, 2023). */
export const LAB_2C: readonly LabTest[] = [];
