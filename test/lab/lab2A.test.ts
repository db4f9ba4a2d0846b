import { registerLabTests } from './harness/register.js';
import { LAB_2A } from './suite/lab2A.js';

// Lab 2A, leader election. Real time by default; LAB_CLOCK=sim for the virtual clock.
registerLabTests(LAB_2A);
