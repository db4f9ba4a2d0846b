import { describe, expect, test } from 'vitest';
import { LOG_FILE, SEAL_FILE, SNAPSHOT_FILE, type DiskFileHandle, type DiskFs } from '../../../src/runtime/index.js';
import { runHarness } from './diskHarness.js';

/**
 * A file system whose `method` (datasync or sync) does nothing on the files `dropped` picks: a
 * persister that forgot an fsync (the per-flush ones of the log or the seal by datasync; the
 * snapshot temp file's or a directory's by sync).
 */
const without = (method: 'datasync' | 'sync', dropped: (path: string) => boolean) => (fs: DiskFs): DiskFs => ({
  ...fs,
  open: async (path, flags): Promise<DiskFileHandle> => {
    const handle = await fs.open(path, flags);
    return dropped(path) ? { ...handle, [method]: async () => undefined } : handle;
  },
});

const SEEDS = Array.from({ length: 200 }, (_, i) => i + 1);
const SNAPSHOT_EVERY = 12;

describe('storage fault harness: a node never restarts with less than it acknowledged', () => {
  /** A full run: no losses, every flip of sealed data refused, no refusal without a flip. */
  async function cleanRun(label: string, snapshotEvery: number) {
    const figures = await runHarness({ seeds: SEEDS, rounds: 15, snapshotEvery });
    const { lossNotes, ...shown } = figures;
    console.log(`storage fault harness${label}: ${JSON.stringify(shown)}`);
    expect(lossNotes).toEqual([]);
    expect(figures.losses).toBe(0);
    expect(figures.flipsMissed).toBe(0);
    expect(figures.spuriousRefusals).toBe(0);
    // not vacuous: it crashed, restarted and refused
    expect(figures.crashes).toBeGreaterThan(SEEDS.length * 8);
    expect(figures.restarts).toBeGreaterThan(SEEDS.length * 8);
    expect(figures.refusals).toBeGreaterThan(10);
    expect(figures.acknowledgedSaves).toBeGreaterThan(1000);
    return figures;
  }

  test('many seeds of crashes, torn and reordered writes and bit flips: no losses, every sealed flip refused', async () => {
    const figures = await cleanRun('', 0);
    // ... and dropped torn tails and compacted
    expect(figures.tornBytesDropped).toBeGreaterThan(0);
    expect(figures.compactions).toBeGreaterThan(0);
  }, 60_000);

  test('with snapshots taken during the run: no losses, every flip of the log or the snapshot refused', async () => {
    const figures = await cleanRun(' with snapshots', SNAPSHOT_EVERY);
    // ... and snapshotted, and restarted from snapshots
    expect(figures.snapshots).toBeGreaterThan(SEEDS.length * 5);
    expect(figures.snapshotRestarts).toBeGreaterThan(SEEDS.length * 5);
  }, 90_000);

  // The snapshot's own durability steps: its temp file's fsync, and the directory fsyncs that
  // make the renames (of the log, then of the snapshot) durable before the save is acknowledged.
  for (const [name, dropped] of [
    ['the snapshot file\'s fsync', (path: string) => path.endsWith(`${SNAPSHOT_FILE}.tmp`)],
    ['the directory fsync', (path: string) => !path.includes('raft.')],
  ] as const) {
    test(`with snapshots, it catches a persister missing ${name}: losses or refusals without a flip > 0`, async () => {
      const figures = await runHarness({ seeds: SEEDS.slice(0, 40), rounds: 15, snapshotEvery: SNAPSHOT_EVERY, wrapFs: without('sync', dropped) });
      const { lossNotes, ...shown } = figures;
      console.log(`storage fault harness with snapshots, ${name} removed: ${JSON.stringify(shown)}`);
      expect(figures.snapshots).toBeGreaterThan(0);
      expect(figures.losses + figures.spuriousRefusals).toBeGreaterThan(0);
    }, 60_000);
  }

  // Each left-out fsync shows as a loss (a restart with less than was acknowledged) or as a
  // refusal with no bit flip behind it (the seal names bytes the log lost, or the reverse): the
  // harness must see at least one of them for each variant.
  for (const [name, dropped] of [
    ['both datasyncs', () => true],
    ['the log\'s datasync only', (path: string) => path.endsWith(LOG_FILE)],
    ['the seal\'s datasync only', (path: string) => path.endsWith(SEAL_FILE)],
  ] as const) {
    test(`it catches a persister missing ${name}: losses or refusals without a flip > 0`, async () => {
      const figures = await runHarness({ seeds: SEEDS.slice(0, 20), rounds: 15, wrapFs: without('datasync', dropped) });
      const { lossNotes, ...shown } = figures;
      console.log(`storage fault harness, ${name} removed: ${JSON.stringify(shown)}`);
      expect(figures.losses + figures.spuriousRefusals).toBeGreaterThan(0);
      if (name === 'both datasyncs') expect(lossNotes.length).toBeGreaterThan(0); // with both gone it loses acknowledged state
    }, 60_000);
  }
});
