/**
 * A simulated five-server cluster (one SimWorld: virtual clock, seeded randomness, per-direction
 * links) under a steady client load, and the three partition patterns PreVote and CheckQuorum
 * are about: a deaf leader, a flapping one-way link, a symmetric partition of the leader. Used by
 * test/runtime/preVoteCheckQuorum.test.ts (what must hold) and bench/partitions.ts (how much).
 */
import { DEFAULT_TIMING, make, MemoryPersister, RUNTIME_STEP_CONFIG, simWorld, type RaftNode, type SimNetwork, type SimWorld } from '../../../src/runtime/index.js';
import type { StepConfig } from '../../../src/core/index.js';

export const SERVERS = 5;
/** The longest election timeout a server draws (the unit the tests' bounds are written in). */
export const ELECTION_TIMEOUT_MS = DEFAULT_TIMING.electionTimeoutMaxMs;
/** A client submits a command to every server that says it leads, this often. */
const CLIENT_INTERVAL_MS = 50;

export class PartitionCluster {
  readonly world: SimWorld;
  readonly net: SimNetwork;
  readonly nodes: RaftNode[] = [];
  /** When each new highest index was first applied by any server. */
  readonly commits: { readonly at: number; readonly index: number }[] = [];
  private highest = 0;
  private command = 0;

  constructor(seed: number, stepConfig: StepConfig) {
    this.world = simWorld(seed);
    this.net = this.world.network(SERVERS);
    for (let id = 0; id < SERVERS; id++) {
      const node = make(this.net.attach(id, { onReceive: (m) => node.onReceive(m) }), id, new MemoryPersister(), (msg) => {
        if (!('commandValid' in msg)) return; // no snapshots are taken here
        if (msg.commandIndex > this.highest) {
          this.highest = msg.commandIndex;
          this.commits.push({ at: this.now(), index: msg.commandIndex });
        }
      }, { clock: this.world.clock, random: this.world.random, stepConfig });
      this.nodes.push(node);
    }
  }

  now(): number {
    return this.world.clock.now();
  }

  /** The highest currentTerm of any server. */
  maxTerm(): number {
    return Math.max(...this.nodes.map((n) => n.raftState.currentTerm));
  }

  /** The server that leads in the highest term led, or null. */
  leader(): number | null {
    let best: number | null = null;
    for (let i = 0; i < SERVERS; i++) {
      const s = this.nodes[i]!.raftState;
      if (s.role === 'leader' && (best === null || s.currentTerm > this.nodes[best]!.raftState.currentTerm)) best = i;
    }
    return best;
  }

  /** Runs `ms` of virtual time under the client load; stops early once `until` holds (checked every client interval). */
  async run(ms: number, until?: () => boolean): Promise<void> {
    const end = this.now() + ms;
    while (this.now() < end) {
      for (const n of this.nodes) if (n.raftState.role === 'leader') n.start(`c${++this.command}`);
      if (until?.()) return;
      await this.world.clock.sleep(Math.min(CLIENT_INTERVAL_MS, end - this.now()));
    }
  }

  /** Runs until a leader has committed an entry of its term (or `ms` pass); returns that leader. */
  async settle(ms = 5_000): Promise<number> {
    const start = this.commits.length;
    await this.run(ms, () => this.commits.length > start && this.leader() !== null);
    const l = this.leader();
    if (l === null) throw new Error(`no leader after ${ms} ms (seed ${this.world.seed})`);
    return l;
  }

  /** Every server's links from `from` to `to` (one direction) carry or not. */
  setLink(from: number, to: number, enabled: boolean): void {
    this.net.setLink(from, to, enabled);
  }

  /** All links carry. */
  heal(): void {
    for (let a = 0; a < SERVERS; a++) for (let b = 0; b < SERVERS; b++) if (a !== b) this.net.setLink(a, b, true);
  }

  /** The first commit after `t`, or null. */
  firstCommitAfter(t: number): number | null {
    return this.commits.find((c) => c.at > t)?.at ?? null;
  }

  /** The longest stretch within [from, to] in which nothing new was committed. */
  longestWithoutCommit(from: number, to: number): number {
    let last = from;
    let longest = 0;
    for (const c of this.commits) {
      if (c.at <= from || c.at > to) continue;
      longest = Math.max(longest, c.at - last);
      last = c.at;
    }
    return Math.max(longest, to - last);
  }

  stop(): void {
    for (const n of this.nodes) n.kill();
    this.world.stop();
  }
}

/** What one partition pattern did to the cluster. */
export interface PatternOutcome {
  /** currentTerm of the highest server at the end, less at the start of the pattern. */
  readonly termsCreated: number;
  /** The longest time without a new commit, from the start of the pattern to its end (ms). */
  readonly longestWithoutCommitMs: number;
  /** From the heal to the first commit after it (ms), or null when nothing committed by the end. */
  readonly commitAfterHealMs: number | null;
  /** Deaf leader only: from the cut to a leader of a higher term among the others (ms), or null. */
  readonly replacedAfterMs?: number | null;
}

export type PatternName = 'deaf leader' | 'flapping one-way link' | 'leader partitioned, then healed';
export const PATTERNS: readonly PatternName[] = ['deaf leader', 'flapping one-way link', 'leader partitioned, then healed'];

/** How long each pattern holds the fault, and how long the cluster runs after the heal. */
export const FAULT_MS = 6_000;
export const AFTER_HEAL_MS = 3_000;

export async function runPattern(pattern: PatternName, seed: number, stepConfig: StepConfig): Promise<PatternOutcome> {
  const c = new PartitionCluster(seed, stepConfig);
  try {
    const leader = await c.settle();
    const termAtCut = c.nodes[leader]!.raftState.currentTerm;
    const start = c.now();
    const termsBefore = c.maxTerm();
    let replacedAfterMs: number | null | undefined;
    if (pattern === 'deaf leader') {
      // The leader sends and hears nobody; the other four are connected.
      for (let p = 0; p < SERVERS; p++) if (p !== leader) c.setLink(p, leader, false);
      const replaced = (): boolean => c.nodes.some((n, i) => i !== leader && n.raftState.role === 'leader' && n.raftState.currentTerm > termAtCut);
      await c.run(FAULT_MS, replaced);
      replacedAfterMs = replaced() ? c.now() - start : null;
      await c.run(start + FAULT_MS - c.now());
    } else if (pattern === 'flapping one-way link') {
      // leader → follower cut for longer than any election timeout, then carrying again; over and over.
      const follower = (leader + 1) % SERVERS;
      while (c.now() < start + FAULT_MS) {
        c.setLink(leader, follower, false);
        await c.run(Math.min(ELECTION_TIMEOUT_MS * 1.5, start + FAULT_MS - c.now()));
        c.setLink(leader, follower, true);
        await c.run(Math.min(ELECTION_TIMEOUT_MS / 2, start + FAULT_MS - c.now()));
      }
    } else {
      for (let p = 0; p < SERVERS; p++) {
        if (p === leader) continue;
        c.setLink(p, leader, false);
        c.setLink(leader, p, false);
      }
      await c.run(FAULT_MS);
    }
    const healedAt = c.now();
    c.heal();
    await c.run(AFTER_HEAL_MS);
    const healCommit = c.firstCommitAfter(healedAt);
    return {
      termsCreated: c.maxTerm() - termsBefore,
      longestWithoutCommitMs: c.longestWithoutCommit(start, c.now()),
      commitAfterHealMs: healCommit === null ? null : healCommit - healedAt,
      ...(replacedAfterMs !== undefined ? { replacedAfterMs } : {}),
    };
  } finally {
    c.stop();
  }
}

/** The runtime's default (both options on) and the plain algorithm (both off). */
export const OPTIONS_ON: StepConfig = RUNTIME_STEP_CONFIG;
export const OPTIONS_OFF: StepConfig = { ...RUNTIME_STEP_CONFIG, preVote: false, checkQuorum: false };
