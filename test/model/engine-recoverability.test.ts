import { describe, expect, it } from 'vitest';
import { explore } from '../../model/engine/index.js';
import { FingerprintIds } from '../../model/engine/fingerprint-ids.js';
import { createModel } from './toy/graph.js';

describe('recoverability: from every reachable state a P-state is reachable', () => {
  it('catches a sink cycle that never reaches P, with a shortest trace to its first state', async () => {
    // 0 -> 1 -> 2 (goal); 0 -> 3 <-> 4 (a cycle with no way out); 1 -> 4.
    const model = createModel({ edges: [[1, 3], [2, 4], [2], [4], [3]], goal: [2] });
    const r = await explore(model);
    expect(r.result).toBe('violation');
    expect(r.violation?.invariant).toBe('ReachesGoal');
    expect(r.violation?.path).toEqual([1]); // 0 -> 3, the shallowest stuck state
    expect(r.violation?.finding).toBe('from 3 no goal state is reachable');
    expect(r.recovery?.properties[0]).toMatchObject({ stuckStates: 2 });
    expect(r.recovery?.edges).toBe(6); // 2 -> 2, a self-loop, is not kept
  });

  it('passes when every state can reach P', async () => {
    const model = createModel({ edges: [[1, 3], [2, 4], [2], [4], [3, 2]], goal: [2] });
    const r = await explore(model);
    expect(r.result).toBe('ok');
    expect(r.recovery?.properties[0]).toMatchObject({ stuck: null, stuckStates: 0 });
  });

  it('does not report a state whose only way on goes through a truncated state (the bound cut it)', async () => {
    // 3 -> 4 -> (cut) : 4 is truncated, so 3 and 4 may recover past the bound.
    const model = createModel({ edges: [[1, 3], [2], [2], [4], []], goal: [2], truncated: [4] });
    const r = await explore(model);
    expect(r.result).toBe('ok');
    expect(r.recovery?.truncatedStates).toBe(1);
    const untruncated = await explore(createModel({ edges: [[1, 3], [2], [2], [4], []], goal: [2] }));
    expect(untruncated.violation?.path).toEqual([1]);
  });

  it('is not judged on a partial graph, and asks for one worker and BFS', async () => {
    const model = createModel({ edges: [[1, 3], [2, 4], [2], [4], [3]], goal: [2] });
    const r = await explore(model, { maxStates: 2 });
    expect(r.result).toBe('incomplete');
    expect(r.notes.join(' ')).toMatch(/recoverability not checked/);
    await expect(explore(model, { strategy: 'dfs' })).rejects.toThrow(/BFS in one thread/);
  });
});

describe('FingerprintIds', () => {
  it('gives dense ids in first-seen order and keeps them through growth', () => {
    const ids = new FingerprintIds(16);
    for (let i = 1; i <= 1000; i++) expect(ids.idOf(i * 7919, i)).toBe(i - 1);
    for (let i = 1; i <= 1000; i++) expect(ids.get(i * 7919, i)).toBe(i - 1);
    expect(ids.idOf(7919, 1)).toBe(0);
    expect(ids.isNew).toBe(false);
    expect(ids.get(5, 5)).toBe(-1);
    expect(ids.size).toBe(1000);
  });
});
