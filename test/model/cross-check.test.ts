import { describe, expect, it } from 'vitest';
import { explore } from '../../model/engine/index.js';
import type { RaftAction } from '../../model/raft/actions.js';
import { createModel } from '../../model/raft/model.js';
import type { SystemState } from '../../model/raft/system.js';
import { randomWalk } from '../../model/engine/random-walk.js';

/**
 * The randomized checker and the exhaustive explorer run the same model: at small bounds every
 * state a random walk visits must be one the explorer found, compared by the 64-bit fingerprint
 * the engine deduplicates on.
 */
describe('random walks stay inside the exhaustive state space', () => {
  it('every state of 300 random walks is a state the BFS explorer found', async () => {
    // PreVote and CheckQuorum off: 364k states instead of 1.6M, with crashes and a snapshot still in.
    const bounds = { servers: 3, maxTerm: 2, maxLog: 1, maxCommands: 1, maxCrashes: 1, maxMessages: 2, preVote: false, checkQuorum: false };
    const model = createModel({ bounds });
    const fingerprintOf = (s: SystemState): string => {
      const out = { hi: 0, lo: 0 };
      if (model.fingerprint) model.fingerprint(s, out);
      else return model.canonicalKey(s);
      return `${out.hi}:${out.lo}`;
    };
    const found = new Set<string>();
    const record = (s: SystemState): void => void found.add(fingerprintOf(s));
    // The explorer fingerprints every state it generates: record each as it does.
    const recording = {
      ...model,
      canonicalKey: (s: SystemState) => (record(s), model.canonicalKey(s)),
      ...(model.fingerprint ? { fingerprint: (s: SystemState, out: { hi: number; lo: number }) => (record(s), model.fingerprint!(s, out)) } : {}),
    };
    const r = await explore<SystemState, RaftAction>(recording, {});
    expect(r.result).toBe('ok');
    expect(found.size).toBe(r.distinctStates);

    let seed = 12345;
    const next = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8;
    let visited = 0;
    const strangers: string[] = [];
    for (let run = 0; run < 300; run++) {
      const schedule = Array.from({ length: 60 }, next);
      randomWalk(model, schedule, { onState: (s) => {
        visited++;
        const k = fingerprintOf(s);
        if (!found.has(k) && strangers.length < 3) strangers.push(model.canonicalKey(s));
      } });
    }
    expect(visited).toBeGreaterThan(300 * 20);
    expect(strangers).toEqual([]);
  });
});
