import { describe, expect, it } from 'vitest';
import { bySize, DEEP_PASSES, DEFAULT_PASSES, inSlots, MEMBERSHIP_PASSES, passSlots, worstExitCode } from '../../model/cli/default-passes.js';
import { isMembershipMutant, sweepOrder } from '../../model/cli/default-sweep.js';
import { MUTANTS } from '../../model/mutants/index.js';
import { parseArgs } from '../../model/cli/args.js';

describe('the default check: a set of passes, two at a time', () => {
  const parsed = (flags: readonly string[]) => parseArgs(flags);

  it('every pass is a valid command line of one check, with its own name and folder', () => {
    for (const p of DEEP_PASSES) expect(() => parsed(p.flags), p.name).not.toThrow();
    expect(new Set(DEEP_PASSES.map((p) => p.name)).size).toBe(DEEP_PASSES.length);
  });

  it('covers what the issue asks of the default: 3 servers, 3 terms and 3 commands exhaustively; 4 servers; crashes with snapshots; PreVote and CheckQuorum; 3 messages in flight', () => {
    const b = DEFAULT_PASSES.map((p) => ({ name: p.name, c: parsed(p.flags) }));
    const terms = b.find((x) => x.name === 'terms')!.c;
    expect([terms.bounds.servers, terms.bounds.maxTerm, terms.bounds.maxCommands, terms.maxDepth]).toEqual([3, 3, 3, undefined]);
    expect(b.some((x) => x.c.bounds.servers === 4)).toBe(true);
    expect(b.some((x) => x.c.bounds.maxCrashes > 0 && (x.c.bounds.maxSnapshots ?? 0) > 0 && x.c.bounds.crashMidStep)).toBe(true);
    expect(b.some((x) => x.c.bounds.preVote === true && x.c.bounds.checkQuorum === true)).toBe(true);
    expect(b.some((x) => x.c.bounds.maxMessages >= 3 && x.c.bounds.maxTerm >= 3)).toBe(true);
    // --deep adds a 4th term (Figure 8), run first: it is the largest, so the passes end together.
    expect(DEEP_PASSES.slice(0, -1)).toEqual(DEFAULT_PASSES);
    expect(parsed(bySize(DEEP_PASSES)[0]!.flags).bounds.maxTerm).toBe(4);
    expect(bySize(DEFAULT_PASSES).map((p) => p.name)).toEqual(['crashes', 'terms', 'stale', 'options', 'servers4', 'messages']);
    // The mutant sweep tries the smallest first.
    expect(sweepOrder().map((p) => p.name)).toEqual(['messages', 'servers4', 'options', 'stale', 'terms', 'crashes', 'figure8']);
  });

  it('no default pass changes membership; a membership mutant is swept through the named membership bounds instead', () => {
    for (const p of DEEP_PASSES) expect(parsed(p.flags).bounds.maxConfigChanges ?? 0, p.name).toBe(0);
    expect(MEMBERSHIP_PASSES.map((p) => parsed(p.flags).bounds.maxConfigChanges)).toEqual([2, 2]);
    expect(MEMBERSHIP_PASSES.map((p) => p.flags)).toEqual([parsed(['--membership']).boundFlags, parsed(['--membership-join']).boundFlags]);
    const membership = MUTANTS.filter(isMembershipMutant).map((m) => m.name);
    expect(membership).toContain('change-before-commit-in-term');
    expect(membership).toContain('outsider-stands'); // no change: a server that starts outside
    expect(membership).not.toContain('no-up-to-date-check');
  });

  it('--max-depth is a bound of a pass; --deep with anything else is an error', () => {
    expect(parsed(['--max-depth', '20']).maxDepth).toBe(20);
    expect(() => parsed(['--max-depth', '0'])).toThrow(/at least 1/);
    expect(() => parsed(['--deep', '--servers', '4'])).toThrow(/--deep .* give it alone/);
  });

  it('passes run `slots` at a time, in order, and none starts once stopped', async () => {
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const run = async (n: number): Promise<number> => {
      started.push(n);
      most = Math.max(most, ++running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      return n * 10;
    };
    expect(await inSlots([1, 2, 3, 4, 5], 2, run)).toEqual([10, 20, 30, 40, 50]);
    expect([most, started]).toEqual([2, [1, 2, 3, 4, 5]]);
    const stopped = await inSlots([1, 2, 3, 4, 5], 2, run, () => started.length >= 7);
    expect(stopped).toEqual([10, 20, null, null, null]);
  });

  it('one pass per core, at most two', () => {
    expect([1, 2, 8].map((n) => passSlots(n))).toEqual([1, 2, 2]);
  });

  it('exits with the worst of the passes: a violation, then incomplete or vacuous, then bad input', () => {
    expect(worstExitCode([0, 0])).toBe(0);
    expect(worstExitCode([0, 1])).toBe(1);
    expect(worstExitCode([3, 1])).toBe(1);
    expect(worstExitCode([2, 3])).toBe(3);
    expect(worstExitCode([0, 2])).toBe(2);
    expect(worstExitCode([0, 9])).toBe(9);
  });
});
