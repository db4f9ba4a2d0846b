import { lastLogIndex } from '../../src/core/index.js';
import { fingerprintState, fp } from '../engine/fingerprint.js';
import { FingerprintSet, FULL } from '../engine/fingerprint-set.js';
import type { RaftModel } from '../raft/model.js';
import type { SystemState } from '../raft/system.js';

/** What a randomized run got to: how far its walks went in the dimensions the bounds limit. */
export interface Coverage {
  /** Runs per cluster size (the swarm draws it). */
  readonly runsByServers: Readonly<Record<number, number>>;
  /** Distinct states visited (by the 64-bit fingerprint the exhaustive search uses). */
  readonly distinctStates: number;
  readonly maxTerm: number;
  readonly maxLog: number;
  readonly maxCommitIndex: number;
  /** Over all runs: crashes, restarts and snapshots taken, and the most in one run. */
  readonly crashes: number;
  readonly restarts: number;
  readonly snapshots: number;
  readonly maxCrashesInARun: number;
}

/** Accumulates a Coverage over every state the walks visit; cheap next to a step of the core. */
export class CoverageMeter {
  private set = FingerprintSet.create(1 << 16, false);
  private readonly byServers: Record<number, number> = {};
  private maxTerm = 0;
  private maxLog = 0;
  private maxCommitIndex = 0;
  private crashes = 0;
  private restarts = 0;
  private snapshots = 0;
  private maxCrashesInARun = 0;

  /** A walk's states, its initial one first. */
  run(model: RaftModel, states: readonly SystemState[]): void {
    this.byServers[model.bounds.servers] = (this.byServers[model.bounds.servers] ?? 0) + 1;
    for (const s of states) {
      fingerprintState(model, s);
      if (this.set.insert(fp.hi, fp.lo) === FULL) {
        this.set = this.set.grown();
        this.set.insert(fp.hi, fp.lo);
      }
      for (const slot of s.servers) {
        const st = slot.state;
        if (!st) continue;
        if (st.currentTerm > this.maxTerm) this.maxTerm = st.currentTerm;
        const n = lastLogIndex(st);
        if (n > this.maxLog) this.maxLog = n;
        if (st.commitIndex > this.maxCommitIndex) this.maxCommitIndex = st.commitIndex;
      }
    }
    const last = states[states.length - 1];
    if (last) {
      this.crashes += last.crashes;
      this.restarts += last.restarts;
      this.snapshots += last.snapshots;
      this.maxCrashesInARun = Math.max(this.maxCrashesInARun, last.crashes);
    }
  }

  get value(): Coverage {
    return {
      runsByServers: { ...this.byServers }, distinctStates: this.set.size, maxTerm: this.maxTerm, maxLog: this.maxLog,
      maxCommitIndex: this.maxCommitIndex, crashes: this.crashes, restarts: this.restarts, snapshots: this.snapshots,
      maxCrashesInARun: this.maxCrashesInARun,
    };
  }
}
