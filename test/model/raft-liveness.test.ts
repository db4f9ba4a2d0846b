import { describe, expect, it } from 'vitest';
import { explore } from '../../model/engine/index.js';
import { createModel } from '../../model/raft/model.js';
import type { RaftAction } from '../../model/raft/actions.js';
import type { SystemState } from '../../model/raft/system.js';

const SMALL = { maxCrashes: 0, maxSnapshots: 0, preVote: false, checkQuorum: false } as const;

describe('Raft recoverability: a leader can still be elected, a pending command can still commit', () => {
  it('the production core is never stuck (no false alarm from the bound) at small bounds', { timeout: 120_000 }, async () => {
    for (const bounds of [SMALL, { ...SMALL, maxTerm: 3, maxLog: 1, maxCommands: 1 }, { ...SMALL, maxCrashes: 1, crashMidStep: false }]) {
      const r = await explore<SystemState, RaftAction>(createModel({ bounds, liveness: true }));
      expect(r.violations.map((v) => v.invariant), JSON.stringify(bounds)).toEqual([]);
      expect(r.result).toBe('ok');
      expect(r.recovery!.properties.map((p) => p.stuckStates)).toEqual([0, 0]);
      expect(r.recovery!.states).toBe(r.distinctStates);
    }
  });

  it('without liveness no graph is kept and the state counts are those of before', async () => {
    const off = await explore<SystemState, RaftAction>(createModel({ bounds: SMALL }));
    const on = await explore<SystemState, RaftAction>(createModel({ bounds: SMALL, liveness: true }));
    expect(off.recovery).toBeUndefined();
    expect(on.distinctStates).toBe(off.distinctStates);
    expect(on.generatedStates).toBe(off.generatedStates);
  });
});
