import type { StartResult } from '../../src/core/index.js';
import { ReplicatedLog } from '../../src/server/replicatedLog.js';

/** A stand-in for the node: start answers from a script; terms of entries from a map. */
export function fixture(answers: StartResult[]) {
  const terms = new Map<number, number>();
  const started: unknown[] = [];
  const app = new ReplicatedLog((command) => { started.push(command); return answers.shift()!; }, (i) => terms.get(i), () => undefined);
  return { app, terms, started };
}

