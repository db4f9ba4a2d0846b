import { describe, expect, test } from 'vitest';
import type { DiskFileHandle, DiskFs } from '../../../src/runtime/index.js';
import { runHarness } from './diskHarness.js';

/** A file system whose datasync does nothing: a persister that forgot its per-flush fsyncs. */
function withoutDatasync(fs: DiskFs): DiskFs {
  return {
    ...fs,
    open: async (path, flags): Promise<DiskFileHandle> => {
      const handle = await fs.open(path, flags);
      return { ...handle, datasync: async () => undefined };
    },
  };
}

const SEEDS = Array.from({ length: 200 }, (_, i) => i + 1);

describe('storage fault harness: a node never restarts with less than it acknowledged', () => {
  test('many seeds of crashes, torn and reordered writes and bit flips: no losses, every sealed flip refused', async () => {
    const figures = await runHarness({ seeds: SEEDS, rounds: 15 });
    const { lossNotes, ...shown } = figures;
    console.log(`storage fault harness: ${JSON.stringify(shown)}`);
    expect(lossNotes).toEqual([]);
    expect(figures.losses).toBe(0);
    expect(figures.flipsMissed).toBe(0);
    expect(figures.spuriousRefusals).toBe(0);
    // not vacuous: it crashed, restarted, refused, dropped torn tails and compacted
    expect(figures.crashes).toBeGreaterThan(SEEDS.length * 8);
    expect(figures.restarts).toBeGreaterThan(SEEDS.length * 8);
    expect(figures.refusals).toBeGreaterThan(10);
    expect(figures.acknowledgedSaves).toBeGreaterThan(1000);
    expect(figures.tornBytesDropped).toBeGreaterThan(0);
    expect(figures.compactions).toBeGreaterThan(0);
  }, 60_000);

  test('it catches a persister whose fsync is missing: losses > 0', async () => {
    const figures = await runHarness({ seeds: SEEDS.slice(0, 20), rounds: 15, wrapFs: withoutDatasync });
    const { lossNotes, ...shown } = figures;
    console.log(`storage fault harness, datasync removed: ${JSON.stringify(shown)}`);
    expect(figures.losses).toBeGreaterThan(0);
    expect(lossNotes.length).toBeGreaterThan(0);
  }, 60_000);
});
