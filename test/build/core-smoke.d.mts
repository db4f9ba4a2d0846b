import type * as Core from '../../src/core/index.js';

/** See core-smoke.mjs: the core's smoke run, in plain JavaScript. */
export interface SmokeRun {
  readonly lines: string[];
  readonly roles: Core.Role[];
  readonly terms: number[];
  readonly start: Core.StartResult | undefined;
  readonly commitIndex: number[];
  readonly applied: string[][];
  readonly restored: { role: Core.Role; currentTerm: number; votedFor: number | null; log: string[]; commitIndex: number };
}

/** Takes the core module to test (any build of it: only its exports are used). */
export function smoke(core: Pick<typeof Core, 'initialState' | 'step' | 'operations' | 'runOperations' | 'restore'>): SmokeRun;
