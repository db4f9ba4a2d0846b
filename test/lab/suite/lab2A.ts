import { RaftElectionTimeout, fatal, withConfig } from '../harness/config.js';
import type { LabTest } from './labTest.js';

/** Lab 2A: leader election (test_test.go, 2023). */
export const LAB_2A: readonly LabTest[] = [
  {
    name: 'TestInitialElection2A',
    run: (env) => withConfig(env, 3, false, async (cfg) => {
      cfg.begin('Test (2A): initial election');

      // is a leader elected?
      await cfg.checkOneLeader();

      // sleep a bit to avoid racing with followers learning of the election, then check that
      // all peers agree on the term.
      await cfg.sleep(50);
      const term1 = cfg.checkTerms();
      if (term1 < 1) fatal(`term is ${term1}, but should be at least 1`);

      // does the leader+term stay the same if there is no network failure?
      await cfg.sleep(2 * RaftElectionTimeout);
      const term2 = cfg.checkTerms();
      if (term1 !== term2) env.log('warning: term changed even though there were no failures');

      // there should still be a leader.
      await cfg.checkOneLeader();

      cfg.end();
    }),
  },
  {
    name: 'TestReElection2A',
    run: (env) => withConfig(env, 3, false, async (cfg) => {
      const servers = 3;
      cfg.begin('Test (2A): election after network failure');

      const leader1 = await cfg.checkOneLeader();

      // if the leader disconnects, a new one should be elected.
      cfg.disconnect(leader1);
      await cfg.checkOneLeader();

      // if the old leader rejoins, that shouldn't disturb the new leader. and the old leader
      // should switch to follower.
      cfg.connect(leader1);
      const leader2 = await cfg.checkOneLeader();

      // if there's no quorum, no new leader should be elected.
      cfg.disconnect(leader2);
      cfg.disconnect((leader2 + 1) % servers);
      await cfg.sleep(2 * RaftElectionTimeout);

      // check that the one connected server does not think it is the leader.
      cfg.checkNoLeader();

      // if a quorum arises, it should elect a leader.
      cfg.connect((leader2 + 1) % servers);
      await cfg.checkOneLeader();

      // re-join of last node shouldn't prevent leader from existing.
      cfg.connect(leader2);
      await cfg.checkOneLeader();

      cfg.end();
    }),
  },
  {
    name: 'TestManyElections2A',
    run: (env) => withConfig(env, 7, false, async (cfg) => {
      const servers = 7;
      cfg.begin('Test (2A): multiple elections');

      await cfg.checkOneLeader();

      const iters = 10;
      for (let ii = 1; ii < iters; ii++) {
        // disconnect three nodes
        const i1 = cfg.randInt(servers);
        const i2 = cfg.randInt(servers);
        const i3 = cfg.randInt(servers);
        cfg.disconnect(i1);
        cfg.disconnect(i2);
        cfg.disconnect(i3);

        // either the current leader should still be alive, or the remaining four should elect
        // a new one.
        await cfg.checkOneLeader();

        cfg.connect(i1);
        cfg.connect(i2);
        cfg.connect(i3);
      }

      await cfg.checkOneLeader();

      cfg.end();
    }),
  },
];
