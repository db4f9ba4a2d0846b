import { expect, test } from 'vitest';
import { EMPTY_PERSISTENT_STATE, type LogEntry, type PersistEffect, type PersistentState } from '../../../src/core/index.js';
import { DiskPersister, seededRandom } from '../../../src/runtime/index.js';
import { SimFs } from '../../../src/runtime/sim/fs.js';

const DIR = '/data/n';
const entry = (i: number): LogEntry => ({ term: 1 + Math.floor(i / 7), command: { i } });

/**
 * A crash at every file operation of the first 60 saves (which include several compactions,
 * each a temp file, a seal, a rename and a directory fsync, and a snapshot every 9 entries,
 * each two temp files, a seal, two renames and two directory fsyncs), under several seeds of
 * which unsynced writes land: the next start holds the last acknowledged save, or the one after
 * it (written and sealed, not yet acknowledged). Never less, never a refusal, never a snapshot
 * with a log of another history.
 */
test('a crash at any file operation, compaction and snapshot included, loses nothing acknowledged and never blocks the start', async () => {
  let points = 0;
  let compactionsCrossed = 0;
  let snapshotsCrossed = 0;
  for (let crashAt = 1; crashAt <= 360; crashAt++) {
    for (const seed of [1, 2, 3]) {
      const fs = new SimFs(seededRandom(crashAt * 7919 + seed));
      const p = await DiskPersister.open(DIR, { fs: fs.process(), compactMinBytes: 512, compactFactor: 1.5 });
      fs.crashAfter(crashAt);
      const states: PersistentState[] = [EMPTY_PERSISTENT_STATE];
      let acked = 0;
      let log: LogEntry[] = [];
      let lastIncludedIndex = 0;
      for (let i = 1; i <= 60 && fs.stats.crashes === 0; i++) {
        log.push(entry(i));
        let snapshotChanged = false;
        if (i % 9 === 0) { // a snapshot through the entry before this one
          log = log.slice(i - 1 - lastIncludedIndex);
          lastIncludedIndex = i - 1;
          snapshotChanged = true;
        }
        const state: PersistentState = {
          currentTerm: entry(i).term, votedFor: i % 3 === 0 ? null : i % 3, log: [...log],
          lastIncludedIndex, lastIncludedTerm: lastIncludedIndex === 0 ? 0 : entry(lastIncludedIndex).term,
          snapshot: lastIncludedIndex === 0 ? null : { through: lastIncludedIndex },
        };
        states.push(state);
        const effect: PersistEffect = { ...state, logChangedFrom: i, snapshotChanged };
        try {
          await p.save(effect);
          acked = i;
        } catch {
          break;
        }
      }
      if (fs.stats.crashes === 0) continue; // this many operations were not reached
      points++;
      if (p.stats.compactions > 0) compactionsCrossed++;
      if (p.stats.snapshots > 0) snapshotsCrossed++;
      const q = await DiskPersister.open(DIR, { fs: fs.process() });
      const loaded = q.load() ?? states[0]!;
      const ok = [acked, acked + 1].some((k) => states[k] !== undefined && JSON.stringify(states[k]) === JSON.stringify(loaded));
      expect(ok, `crash at operation ${crashAt}, seed ${seed}: acknowledged ${acked}, loaded snapshot ${loaded.lastIncludedIndex} log ${loaded.log.length}`).toBe(true);
      await q.close();
    }
  }
  expect(points).toBeGreaterThan(600);
  expect(compactionsCrossed).toBeGreaterThan(300);
  expect(snapshotsCrossed).toBeGreaterThan(300);
});
