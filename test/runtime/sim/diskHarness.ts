/**
 * The storage fault harness: a one-server RaftNode on the real DiskPersister on the simulated
 * file system, under load, its service taking snapshots (`node.snapshot` through what it
 * applied, every `snapshotEvery` commands) when asked, crashed at seeded points, restarted (the
 * node hands its service the snapshot first), with bit flips between crashes. Everything is
 * drawn from the seed (virtual clock, seeded random sources), so a failing seed replays.
 *
 * "Acknowledged" is a save whose promise resolved (the node applies an entry only after that).
 * After every restart the loaded state must be the last acknowledged one or a later saved one
 * (group commit writes several saves as one record, and a whole record past the seal is kept):
 * anything else (a shorter log, another snapshot, a snapshot with a log of another history) is a
 * loss. Or the open refuses with a one-line DiskPersisterError: expected after a bit flip in the
 * log's sealed part or the snapshot file (and required: a missed flip is counted) or in the seal
 * file (a refusal when no slot is left naming the log), a spurious refusal otherwise (counted
 * apart: a start stricter than it need be).
 */
import { join } from 'node:path';
import { EMPTY_PERSISTENT_STATE, persistentPart, type ApplyMsg, type LogEntry, type PersistEffect, type PersistentState } from '../../../src/core/index.js';
import {
  DiskPersister, DiskPersisterError, LOG_FILE, SEAL_FILE, SNAPSHOT_FILE, VirtualClock, make, seededRandom,
  type DiskFs, type Persister, type RandomSource,
} from '../../../src/runtime/index.js';
import { currentSeal, readHeader, readSealSlots, snapshotId } from '../../../src/runtime/diskFormat.js';
import { SimFs } from '../../../src/runtime/sim/fs.js';

export interface HarnessFigures {
  seeds: number;
  crashes: number;
  restarts: number;
  /** Refusals after a bit flip in sealed data or the seal file (expected). */
  refusals: number;
  /** Refusals with no bit flip behind them (a too-strict start). */
  spuriousRefusals: number;
  /** Bit flips in sealed data that the next start did not refuse. */
  flipsMissed: number;
  /** Restarts whose state was not the last acknowledged one or a later saved one. */
  losses: number;
  acknowledgedSaves: number;
  tornBytesDropped: number;
  compactions: number;
  /** Snapshot files written (each with a new log generation). */
  snapshots: number;
  /** Restarts that loaded a snapshot. */
  snapshotRestarts: number;
  /** The first few losses, for the failure message. */
  lossNotes: string[];
}

export interface HarnessOptions {
  readonly seeds: readonly number[];
  /** Crash-restart rounds per seed. */
  readonly rounds: number;
  /** Wraps the file system each process sees (e.g. to drop its fsyncs). */
  readonly wrapFs?: (fs: DiskFs) => DiskFs;
  /** Take a snapshot every this many applied commands (0 or absent: never). */
  readonly snapshotEvery?: number;
}

const DIR = '/data/node0';

export async function runHarness(options: HarnessOptions): Promise<HarnessFigures> {
  const figures: HarnessFigures = {
    seeds: 0, crashes: 0, restarts: 0, refusals: 0, spuriousRefusals: 0, flipsMissed: 0, losses: 0,
    acknowledgedSaves: 0, tornBytesDropped: 0, compactions: 0, snapshots: 0, snapshotRestarts: 0, lossNotes: [],
  };
  for (const seed of options.seeds) {
    await runSeed(seed, options, figures);
    figures.seeds++;
  }
  return figures;
}

async function runSeed(seed: number, options: HarnessOptions, figures: HarnessFigures): Promise<void> {
  const random = seededRandom(seed);
  const fs = new SimFs(seededRandom(seed ^ 0x5eed_f00d));
  const snapshotEvery = options.snapshotEvery ?? 0;
  let dir = DIR;
  /** The last acknowledged state and every state saved after it: what a restart may load. */
  let candidates: PersistentState[] = [EMPTY_PERSISTENT_STATE];
  /** The media fault since the last start: a bit in the log's sealed part or the snapshot, or in the seal file. */
  let flipped: 'none' | 'log' | 'seal' = 'none';
  let command = 0;

  for (let round = 0; round < options.rounds; round++) {
    const crashesBefore = fs.stats.crashes;
    fs.crashAfter(1 + random.int(80));
    const view = options.wrapFs ? options.wrapFs(fs.process()) : fs.process();
    let disk: DiskPersister;
    try {
      disk = await DiskPersister.open(dir, { fs: view, compactMinBytes: 1024, compactFactor: 1.5 });
    } catch (error) {
      if (fs.stats.crashes > crashesBefore) { // crashed during the start itself: start again
        figures.crashes++;
        continue;
      }
      if (!(error instanceof DiskPersisterError) || error.message.includes('\n')) throw error;
      if (flipped !== 'none') figures.refusals++;
      else {
        figures.spuriousRefusals++;
        if (figures.lossNotes.length < 5) figures.lossNotes.push(`seed ${seed} round ${round}: spurious refusal: ${error.message}`);
      }
      // The operator's way out is `pure-raft repair`; here, a fresh directory and history.
      fs.crashAfter(null);
      dir = `${DIR}-${round}`;
      candidates = [EMPTY_PERSISTENT_STATE];
      flipped = 'none';
      continue;
    }
    figures.restarts++;
    if (flipped === 'log') figures.flipsMissed++;
    flipped = 'none';
    figures.tornBytesDropped += disk.stats.tornBytesDiscarded;
    const loaded = disk.load() ?? EMPTY_PERSISTENT_STATE;
    if (loaded.lastIncludedIndex > 0) figures.snapshotRestarts++;
    if (!candidates.some((c) => sameState(c, loaded))) {
      figures.losses++;
      if (figures.lossNotes.length < 5) {
        const acked = candidates[0]!;
        figures.lossNotes.push(`seed ${seed} round ${round}: loaded ${describe(loaded)}, acknowledged ${describe(acked)}`);
      }
    }
    candidates = [loaded];

    const tracked: Persister = {
      load: () => disk.load(),
      save: (effect: PersistEffect) => {
        const state = persistentPart(effect);
        candidates.push(state);
        return disk.save(effect).then(() => {
          figures.acknowledgedSaves++;
          const at = candidates.indexOf(state);
          if (at > 0) candidates = candidates.slice(at);
        });
      },
    };
    // The service: the sum of the commands applied, snapshotted with the index it covers; a
    // restarted node hands it its snapshot first.
    let applied = 0;
    let sum = 0;
    let sinceSnapshot = 0;
    const onApply = (m: ApplyMsg): void => {
      if ('snapshotValid' in m) {
        applied = m.snapshotIndex;
        sum = (m.snapshot as { sum: number }).sum;
        return;
      }
      if ('configValid' in m) return; // membership is not used here
      applied = m.commandIndex;
      sum += (m.command as { c: number }).c;
      sinceSnapshot++;
    };
    const clock = new VirtualClock();
    const node = make({ clusterSize: 1, send: () => undefined }, 0, tracked, onApply, { clock, random: seededRandom(random.int(2 ** 32)) });
    if (applied !== loaded.lastIncludedIndex) throw new Error(`seed ${seed} round ${round}: the node handed its service index ${applied}, not its snapshot's ${loaded.lastIncludedIndex}`);
    await clock.sleep(900); // an election timeout: the one server leads
    for (let i = 0; i < 60 && fs.stats.crashes === crashesBefore; i++) {
      const burst = 1 + random.int(4);
      for (let k = 0; k < burst; k++) node.start({ c: ++command, pad: 'x'.repeat(random.int(8)) });
      if (snapshotEvery > 0 && sinceSnapshot >= snapshotEvery) {
        node.snapshot(applied, { sum, through: applied, pad: 'y'.repeat(random.int(200)) });
        sinceSnapshot = 0;
      }
      await clock.sleep(random.int(3) * 5);
    }
    if (fs.stats.crashes === crashesBefore) fs.crash(); // not yet crashed: crash now, writes in flight
    node.kill();
    clock.stop();
    figures.crashes++;
    figures.compactions += disk.stats.compactions;
    figures.snapshots += disk.stats.snapshots;

    // Media faults between crashes: a bit in the sealed part of the log or in the snapshot file
    // (must be refused), or in the seal file (must not lose anything).
    if (random.next() < 0.25) flipped = (await flipSealedBit(fs, dir, random)) ? 'log' : 'none';
    else if (random.next() < 0.1) flipped = flipSealBit(fs, dir, random) ? 'seal' : 'none';
  }
  fs.crashAfter(null);
}

function describe(s: PersistentState): string {
  return `term ${s.currentTerm} snapshot ${s.lastIncludedIndex} log ${s.lastIncludedIndex + 1}..${s.lastIncludedIndex + s.log.length}`;
}

/** A flip in what the next start holds sealed: the log up to its sealed end, or (a third of the time) the snapshot file the seal names. */
async function flipSealedBit(fs: SimFs, dir: string, random: RandomSource): Promise<boolean> {
  const logPath = join(dir, LOG_FILE);
  const sealPath = join(dir, SEAL_FILE);
  const snapshotPath = join(dir, SNAPSHOT_FILE);
  if (fs.size(logPath) === null || fs.size(sealPath) === null) return false;
  const log = await fs.readFile(logPath);
  let generation: number;
  try {
    generation = readHeader(log, logPath).generation;
  } catch {
    return false;
  }
  // What the next start will hold sealed: the current seal for the log's generation.
  const current = currentSeal(readSealSlots(await fs.readFile(sealPath)), generation);
  if (current === null || current.seal.end > log.length) return false;
  // The snapshot file only when it is the one the seal names (not an older one a sealed temp file will replace).
  const snapshot = fs.size(snapshotPath) === null ? null : await fs.readFile(snapshotPath);
  const named = current.seal.snapshot;
  if (snapshot !== null && named.bytes > 0 && snapshotId(snapshot, named.lastIncludedIndex, named.lastIncludedTerm).crc === named.crc && random.next() < 1 / 3) {
    fs.flipBit(snapshotPath, random.int(snapshot.length), random.int(8));
    return true;
  }
  fs.flipBit(logPath, random.int(current.seal.end), random.int(8));
  return true;
}

/** A flip in the seal file: the newest slot falls back to the other (no loss), or none is left naming the log (a refusal). */
function flipSealBit(fs: SimFs, dir: string, random: RandomSource): boolean {
  const sealPath = join(dir, SEAL_FILE);
  const size = fs.size(sealPath);
  if (size === null || size === 0) return false;
  fs.flipBit(sealPath, random.int(size), random.int(8));
  return true;
}

function sameState(a: PersistentState, b: PersistentState): boolean {
  return a.currentTerm === b.currentTerm && a.votedFor === b.votedFor && sameLog(a.log, b.log) &&
    a.lastIncludedIndex === b.lastIncludedIndex && a.lastIncludedTerm === b.lastIncludedTerm &&
    JSON.stringify(a.snapshot) === JSON.stringify(b.snapshot);
}

function sameLog(a: readonly LogEntry[], b: readonly LogEntry[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((e, i) => e.term === b[i]!.term && JSON.stringify(e.command) === JSON.stringify(b[i]!.command));
}
