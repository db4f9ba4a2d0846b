import { registerLabTests } from './harness/register.js';
import { LAB_2B } from './suite/lab2B.js';

// Lab 2B, log replication. Real time by default; LAB_CLOCK=sim for the virtual clock.
registerLabTests(LAB_2B);
