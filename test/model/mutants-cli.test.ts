import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * `npm run mutants` leaves the committed catalog alone unless told: without --update it writes
 * into a scratch folder reports/<time>-mutants/. Run from a temporary working directory (reports/
 * is relative to it), so the repository's reports/ is never touched.
 */

const TSX = join(process.cwd(), 'node_modules', '.bin', 'tsx');
const MUTANTS_CLI = join(process.cwd(), 'model/cli/mutants.ts');
const cwd = mkdtempSync(join(tmpdir(), 'pure-raft-mutants-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));
const mutants = (...args: string[]) => spawnSync(TSX, [MUTANTS_CLI, ...args], { cwd, encoding: 'utf8', timeout: 90_000 });

describe('npm run mutants: scratch output unless --update', () => {
  it('one mutant, no --update: mutants.md/.json and its traces go to reports/<time>-mutants/, never reports/mutants.md', () => {
    const r = mutants('currentTerm-not-persisted');
    expect(r.status, r.stderr).toBe(0);
    const runs = readdirSync(join(cwd, 'reports'));
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-mutants$/);
    const run = join(cwd, 'reports', runs[0]!);
    expect(existsSync(join(cwd, 'reports/mutants.md'))).toBe(false);
    expect(existsSync(join(cwd, 'reports/mutants'))).toBe(false);
    const md = readFileSync(join(run, 'mutants.md'), 'utf8');
    expect(md).toMatch(/^\| `currentTerm-not-persisted` \| .* \| yes \| /m);
    // Its links are relative to the catalog's own folder, and lead to files that are there.
    const link = /\]\((mutants\/currentTerm-not-persisted\/exhaustive\/trace\.svg)\)/.exec(md);
    expect(link, md).not.toBeNull();
    expect(existsSync(join(run, link![1]!))).toBe(true);
    expect(JSON.parse(readFileSync(join(run, 'mutants.json'), 'utf8')).mutants.map((m: { name: string }) => m.name)).toEqual(['currentTerm-not-persisted']);
    expect(r.stderr).toContain(`report: reports/${runs[0]}/mutants.md (scratch: --update writes reports/mutants.md)`);
  });

  it.each([
    [['--default', '--update', 'currentTerm-not-persisted'], 'mutants: --default --update rewrites reports/default-check.md whole, so it runs every mutant and takes no names'],
    [['--update', 'currentTerm-not-persisted'], 'mutants: --update NAME... merges into reports/mutants.json, which cannot be read (ENOENT: no such file or directory, open \'' + join(cwd, 'reports/mutants.json') + '\'): run --update alone'],
    [['--updat'], 'mutants: unknown flag --updat (see --help)'],
    [['no-such-mutant'], "mutants: no mutant named 'no-such-mutant' (see --help for the names)"],
  ])('%j: exit 2, one line, nothing written', (args, line) => {
    const before = existsSync(join(cwd, 'reports')) ? readdirSync(join(cwd, 'reports')) : [];
    const r = mutants(...args);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`${line}\n`);
    expect(existsSync(join(cwd, 'reports')) ? readdirSync(join(cwd, 'reports')) : []).toEqual(before);
  });

  it('--update NAME... merges its rows into the committed catalog, keeps the others, drops those no longer in it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pure-raft-mutants-update-'));
    try {
      mkdirSync(join(dir, 'reports'));
      const kept = { name: 'votedFor-not-persisted', description: 'KEPT AS IT WAS', expected: 'PersistedMatchesMemory', bounds: 'b',
        exhaustive: { caught: true, invariant: 'PersistedMatchesMemory', seconds: 0, traceLength: 1, svg: null, states: 2, result: 'violation' },
        random: { caught: false, invariant: null, seconds: 0, traceLength: null, svg: null, runs: 1, result: 'ok' } };
      const settings = { seed: 1, exhaustiveLimitMs: 120_000, randomLimitMs: 30_000 };
      writeFileSync(join(dir, 'reports/mutants.json'), JSON.stringify({ ...settings, mutants: [kept, { ...kept, name: 'no-longer-a-mutant' }] }));
      const r = spawnSync(TSX, [MUTANTS_CLI, '--update', 'currentTerm-not-persisted'], { cwd: dir, encoding: 'utf8', timeout: 90_000 });
      expect(r.status, r.stderr).toBe(0);
      const json = JSON.parse(readFileSync(join(dir, 'reports/mutants.json'), 'utf8'));
      expect(json.mutants.map((m: { name: string }) => m.name)).toEqual(['currentTerm-not-persisted', 'votedFor-not-persisted']); // catalog order
      expect(json.mutants[1]).toEqual(kept);
      const md = readFileSync(join(dir, 'reports/mutants.md'), 'utf8');
      expect(md).toMatch(/^\| `currentTerm-not-persisted` \| PersistedMatchesMemory \| yes \| /m);
      expect(md).toContain('KEPT AS IT WAS');
      expect(md).not.toContain('no-longer-a-mutant');
      // Made with other settings, the committed catalog is not mixed with this run's: refused before any checking.
      writeFileSync(join(dir, 'reports/mutants.json'), JSON.stringify({ ...settings, seed: 2, mutants: [kept] }));
      const refused = spawnSync(TSX, [MUTANTS_CLI, '--update', 'currentTerm-not-persisted'], { cwd: dir, encoding: 'utf8', timeout: 90_000 });
      expect(refused.status).toBe(2);
      expect(refused.stderr).toBe('mutants: --update NAME...: the committed catalog was made with seed 2, this run uses 1: run --update alone\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--help names --update and every mutant', () => {
    const r = mutants('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/--update +every mutant, written over the committed catalog/);
    expect(r.stdout).toContain('currentTerm-not-persisted');
  });
});
