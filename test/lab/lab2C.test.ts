import { registerLabTests } from './harness/register.js';
import { LAB_2C } from './suite/lab2C.js';

// Lab 2C, persistence. Real time by default; LAB_CLOCK=sim for the virtual clock.
registerLabTests(LAB_2C);
