import { SnapShotInterval, fatal, withConfig, type Config } from '../harness/config.js';
import type { LabEnv } from '../harness/env.js';
import type { LabTest } from './labTest.js';

/** The largest Raft state (without the snapshot) a server may persist in part D. */
const MAXLOGSIZE = 2000;

/**
 * Lab 2D: log compaction (test_test.go's snapcommon and the two crash-all tests), every server
 * on the snapshotting applier. Steps and bounds as ../../../../shared/LAB-TESTS-2D.md gives them.
 */
function snapcommon(env: LabEnv, name: string, disconnect: boolean, reliable: boolean, crash: boolean): Promise<void> {
  const iters = 30;
  const servers = 3;
  return withConfig(env, servers, !reliable, async (cfg: Config) => {
    cfg.begin(name);

    await cfg.one(cfg.randCommand(), servers, true);
    let leader1 = await cfg.checkOneLeader();

    for (let i = 0; i < iters; i++) {
      let victim = (leader1 + 1) % servers;
      let sender = leader1;
      if (i % 3 === 1) {
        sender = (leader1 + 1) % servers;
        victim = leader1;
      }

      if (disconnect) {
        cfg.disconnect(victim);
        await cfg.one(cfg.randCommand(), servers - 1, true);
      }
      if (crash) {
        cfg.crash1(victim);
        await cfg.one(cfg.randCommand(), servers - 1, true);
      }

      // send enough to get a snapshot
      for (let j = 0; j < SnapShotInterval + 1; j++) cfg.raft(sender).start(cfg.randCommand());
      // let applier threads catch up with the Start()'s
      await cfg.one(cfg.randCommand(), servers - 1, true);

      if (cfg.logSize() >= MAXLOGSIZE) fatal('Log size too large');

      if (disconnect) {
        // reconnect a follower, who maybe behind and needs to receive a snapshot to catch up.
        cfg.connect(victim);
        await cfg.one(cfg.randCommand(), servers, true);
        leader1 = await cfg.checkOneLeader();
      }
      if (crash) {
        cfg.start1(victim, cfg.applierSnap);
        cfg.connect(victim);
        await cfg.one(cfg.randCommand(), servers, true);
        leader1 = await cfg.checkOneLeader();
      }
    }
    cfg.end();
  }, true);
}

/** Crashes every server, then restarts each on the snapshotting applier and connects it. */
function crashAndReviveAll(cfg: Config, servers: number): void {
  for (let i = 0; i < servers; i++) cfg.crash1(i);
  for (let i = 0; i < servers; i++) {
    cfg.start1(i, cfg.applierSnap);
    cfg.connect(i);
  }
}

export const LAB_2D: readonly LabTest[] = [
  { name: 'TestSnapshotBasic2D', run: (env) => snapcommon(env, 'Test (2D): snapshots basic', false, true, false) },
  { name: 'TestSnapshotInstall2D', run: (env) => snapcommon(env, 'Test (2D): install snapshots (disconnect)', true, true, false) },
  { name: 'TestSnapshotInstallUnreliable2D', run: (env) => snapcommon(env, 'Test (2D): install snapshots (disconnect+unreliable)', true, false, false) },
  { name: 'TestSnapshotInstallCrash2D', run: (env) => snapcommon(env, 'Test (2D): install snapshots (crash)', false, true, true) },
  { name: 'TestSnapshotInstallUnCrash2D', run: (env) => snapcommon(env, 'Test (2D): install snapshots (unreliable+crash)', false, false, true) },
  {
    name: 'TestSnapshotAllCrash2D',
    run: (env) => withConfig(env, 3, false, async (cfg) => {
      const servers = 3;
      const iters = 5;
      cfg.begin('Test (2D): crash and restart all servers');

      await cfg.one(cfg.randCommand(), servers, true);

      for (let i = 0; i < iters; i++) {
        // perhaps enough to get a snapshot
        const nn = SnapShotInterval / 2 + cfg.randInt(SnapShotInterval);
        for (let j = 0; j < nn; j++) await cfg.one(cfg.randCommand(), servers, true);

        const index1 = await cfg.one(cfg.randCommand(), servers, true);

        crashAndReviveAll(cfg, servers);

        const index2 = await cfg.one(cfg.randCommand(), servers, true);
        if (index2 < index1 + 1) fatal(`index decreased from ${index1} to ${index2}`);
      }
      cfg.end();
    }, true),
  },
  {
    name: 'TestSnapshotInit2D',
    run: (env) => withConfig(env, 3, false, async (cfg) => {
      const servers = 3;
      cfg.begin('Test (2D): snapshot initialization after crash');
      await cfg.one(cfg.randCommand(), servers, true);

      // enough ops to make a snapshot
      const nn = SnapShotInterval + 1;
      for (let i = 0; i < nn; i++) await cfg.one(cfg.randCommand(), servers, true);

      crashAndReviveAll(cfg, servers);

      // a single op, to get something to be written back to persistent storage.
      await cfg.one(cfg.randCommand(), servers, true);

      crashAndReviveAll(cfg, servers);

      // do another op to trigger potential bug
      await cfg.one(cfg.randCommand(), servers, true);
      cfg.end();
    }, true),
  },
];
