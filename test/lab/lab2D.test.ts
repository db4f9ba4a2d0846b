import { registerLabTests } from './harness/register.js';
import { LAB_2D } from './suite/lab2D.js';

// Lab 2D, log compaction. Real time by default; LAB_CLOCK=sim for the virtual clock.
registerLabTests(LAB_2D);
