import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
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
    [['--update', 'currentTerm-not-persisted'], 'mutants: --update rewrites the whole committed catalog, so it runs every mutant and takes no names'],
    [['--updat'], 'mutants: unknown flag --updat (see --help)'],
    [['no-such-mutant'], "mutants: no mutant named 'no-such-mutant' (see --help for the names)"],
  ])('%j: exit 2, one line, nothing written', (args, line) => {
    const before = existsSync(join(cwd, 'reports')) ? readdirSync(join(cwd, 'reports')) : [];
    const r = mutants(...args);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`${line}\n`);
    expect(existsSync(join(cwd, 'reports')) ? readdirSync(join(cwd, 'reports')) : []).toEqual(before);
  });

  it('--help names --update and every mutant', () => {
    const r = mutants('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/--update +every mutant, written over the committed catalog/);
    expect(r.stdout).toContain('currentTerm-not-persisted');
  });
});
