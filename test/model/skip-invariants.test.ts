import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from '../../model/cli/args.js';
import { explore } from '../../model/engine/index.js';
import type { RaftAction } from '../../model/raft/actions.js';
import { formatBounds } from '../../model/raft/bounds.js';
import { checkedInvariants, createModel } from '../../model/raft/model.js';
import { replayTrace } from '../../model/raft/replay-trace.js';
import type { SystemState } from '../../model/raft/system.js';
import { mutantVariant } from '../../model/mutants/index.js';
import { toTraceFile } from '../../model/report/write-trace.js';

/**
 * `--skip NAME`: the named invariants, and the step properties that report through them, are not
 * checked; the bounds record the set, so a trace's replay checks the same one.
 */
describe('--skip: invariants left unchecked', () => {
  it('parses into the bounds, prints in them, and refuses a name no invariant has', () => {
    const c = parseArgs(['--skip', 'CommitByCountingOnlyCurrentTerm,LeaderCompleteness']);
    expect(c.bounds.skipInvariants).toEqual(['CommitByCountingOnlyCurrentTerm', 'LeaderCompleteness']);
    expect(formatBounds(c.bounds)).toMatch(/ skip=CommitByCountingOnlyCurrentTerm,LeaderCompleteness$/);
    expect(checkedInvariants(c.bounds).map((i) => i.name)).not.toContain('LeaderCompleteness');
    expect(() => parseArgs(['--skip', 'LeaderCompletenes'])).toThrow(UsageError);
    expect(() => checkedInvariants({ ...c.bounds, skipInvariants: ['Nope'] })).toThrow(RangeError);
  });

  it('Figure 8 with its rule skipped: the damage, a committed entry missing from a later leader (LeaderCompleteness), with a trace that replays', async () => {
    const name = 'commit-previous-term-by-counting';
    const bounds = { maxTerm: 4, maxLog: 1, maxCrashes: 0, maxSnapshots: 0, skipInvariants: ['CommitByCountingOnlyCurrentTerm'] };
    const model = createModel({ variant: mutantVariant(name), bounds });
    // Depth-first to 40 steps (breadth-first it is 2.7M states): a trace, not the shortest one.
    const r = await explore<SystemState, RaftAction>(model, { strategy: 'dfs', maxDepth: 40, maxStates: 400_000 });
    expect(r.violation?.invariant).toBe('LeaderCompleteness');
    const trace = toTraceFile(model, name, true, 'LeaderCompleteness', r.violation!.trace);
    expect(trace.bounds.skipInvariants).toEqual(['CommitByCountingOnlyCurrentTerm']);
    expect(replayTrace(JSON.parse(JSON.stringify(trace)), mutantVariant(name))).toMatchObject({ ok: true, invariantBroken: 'LeaderCompleteness' });
  }, 120_000);

  it('unskipped, the same mutant breaks the rule first, in the step that commits', async () => {
    const model = createModel({ variant: mutantVariant('commit-previous-term-by-counting'), bounds: { maxTerm: 4, maxLog: 1, maxCrashes: 0, maxSnapshots: 0 } });
    const r = await explore<SystemState, RaftAction>(model, { strategy: 'dfs', maxDepth: 40, maxStates: 400_000 });
    expect(r.violation?.invariant).toBe('CommitByCountingOnlyCurrentTerm');
  }, 120_000);
});
