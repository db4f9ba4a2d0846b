/**
 * The storage fault harness: a one-server RaftNode on the real DiskPersister on the simulated
 * file system, under load, crashed at seeded points, restarted, with bit flips between crashes.
 * Everything is drawn from the seed (virtual clock, seeded random sources), so a failing seed
 * replays.
 *
 * "Acknowledged" is a save whose promise resolved (the node applies an entry only after that).
 * After every restart the loaded state must be the last acknowledged one or a later saved one
 * (group commit writes several saves as one record, and a whole record past the seal is kept):
 * anything else is a loss. Or the open refuses with a one-line DiskPersisterError: expected
 * after a bit flip in the log's sealed part (and required: a missed flip is counted) or in the
 * seal file (a refusal when no slot is left naming the log), a spurious refusal otherwise
 * (counted apart: a start stricter than it need be).
 */
import { join } from 'node:path';
import type { LogEntry, PersistEffect, PersistentState } from '../../../src/core/index.js';
import {
  DiskPersister, DiskPersisterError, LOG_FILE, SEAL_FILE, VirtualClock, make, seededRandom,
  type DiskFs, type Persister, type RandomSource,
} from '../../../src/runtime/index.js';
import { currentSeal, readHeader, readSealSlots } from '../../../src/runtime/diskFormat.js';
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
  /** The first few losses, for the failure message. */
  lossNotes: string[];
}

export interface HarnessOptions {
  readonly seeds: readonly number[];
  /** Crash-restart rounds per seed. */
  readonly rounds: number;
  /** Wraps the file system each process sees (e.g. to drop its fsyncs). */
  readonly wrapFs?: (fs: DiskFs) => DiskFs;
}

const DIR = '/data/node0';

export async function runHarness(options: HarnessOptions): Promise<HarnessFigures> {
  const figures: HarnessFigures = {
    seeds: 0, crashes: 0, restarts: 0, refusals: 0, spuriousRefusals: 0, flipsMissed: 0, losses: 0,
    acknowledgedSaves: 0, tornBytesDropped: 0, compactions: 0, lossNotes: [],
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
  let dir = DIR;
  /** The last acknowledged state and every state saved after it: what a restart may load. */
  let candidates: PersistentState[] = [{ currentTerm: 0, votedFor: null, log: [] }];
  /** The media fault since the last start: a bit in the log's sealed part, or in the seal file. */
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
      candidates = [{ currentTerm: 0, votedFor: null, log: [] }];
      flipped = 'none';
      continue;
    }
    figures.restarts++;
    if (flipped === 'log') figures.flipsMissed++;
    flipped = 'none';
    figures.tornBytesDropped += disk.stats.tornBytesDiscarded;
    const loaded = disk.load() ?? { currentTerm: 0, votedFor: null, log: [] };
    if (!candidates.some((c) => sameState(c, loaded))) {
      figures.losses++;
      if (figures.lossNotes.length < 5) {
        const acked = candidates[0]!;
        figures.lossNotes.push(`seed ${seed} round ${round}: loaded term ${loaded.currentTerm} log ${loaded.log.length}, acknowledged term ${acked.currentTerm} log ${acked.log.length}`);
      }
    }
    candidates = [loaded];

    const tracked: Persister = {
      load: () => disk.load(),
      save: (effect: PersistEffect) => {
        const state: PersistentState = { currentTerm: effect.currentTerm, votedFor: effect.votedFor, log: effect.log };
        candidates.push(state);
        return disk.save(effect).then(() => {
          figures.acknowledgedSaves++;
          const at = candidates.indexOf(state);
          if (at > 0) candidates = candidates.slice(at);
        });
      },
    };
    const clock = new VirtualClock();
    const node = make({ clusterSize: 1, send: () => undefined }, 0, tracked, () => undefined, { clock, random: seededRandom(random.int(2 ** 32)) });
    await clock.sleep(900); // an election timeout: the one server leads
    for (let i = 0; i < 60 && fs.stats.crashes === crashesBefore; i++) {
      const burst = 1 + random.int(4);
      for (let k = 0; k < burst; k++) node.start({ c: ++command, pad: 'x'.repeat(random.int(8)) });
      await clock.sleep(random.int(3) * 5);
    }
    if (fs.stats.crashes === crashesBefore) fs.crash(); // not yet crashed: crash now, writes in flight
    node.kill();
    clock.stop();
    figures.crashes++;
    figures.compactions += disk.stats.compactions;

    // Media faults between crashes: a bit in the sealed part of the log (must be refused), or
    // in the seal file (must not lose anything).
    if (random.next() < 0.25) flipped = (await flipSealedBit(fs, dir, random)) ? 'log' : 'none';
    else if (random.next() < 0.1) flipped = flipSealBit(fs, dir, random) ? 'seal' : 'none';
  }
  fs.crashAfter(null);
}

async function flipSealedBit(fs: SimFs, dir: string, random: RandomSource): Promise<boolean> {
  const logPath = join(dir, LOG_FILE);
  const sealPath = join(dir, SEAL_FILE);
  if (fs.size(logPath) === null || fs.size(sealPath) === null) return false;
  const log = await fs.readFile(logPath);
  let generation: number;
  try {
    generation = readHeader(log, logPath);
  } catch {
    return false;
  }
  // What the next start will hold sealed: the current seal for the log's generation.
  const current = currentSeal(readSealSlots(await fs.readFile(sealPath)), generation);
  if (current === null || current.seal.end > log.length) return false;
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
  return a.currentTerm === b.currentTerm && a.votedFor === b.votedFor && sameLog(a.log, b.log);
}

function sameLog(a: readonly LogEntry[], b: readonly LogEntry[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((e, i) => e.term === b[i]!.term && JSON.stringify(e.command) === JSON.stringify(b[i]!.command));
}
