/**
 * The scenario files (./scenarios/*.txt, format in ./scenarios/README.md): each runs as one test
 * and must read exactly as the core behaves. `UPDATE_GOLDEN=1` rewrites them instead.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkScenarioFile } from './scenario-runner.js';

const dir = fileURLToPath(new URL('./scenarios/', import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith('.txt')).sort();
const update = process.env['UPDATE_GOLDEN'] === '1';

describe('scenarios', () => {
  it('there are scenario files', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  for (const file of files) {
    it(file, () => {
      const { expected, actual } = checkScenarioFile(join(dir, file), update);
      if (!update) expect(actual, `${file} (UPDATE_GOLDEN=1 rewrites it)`).toBe(expected);
    });
  }
});
