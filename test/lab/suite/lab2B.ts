import { RaftElectionTimeout, fatal, withConfig } from '../harness/config.js';
import type { LabTest } from './labTest.js';

/** Lab 2B: log replication (test_test.go, 2023). */
export const LAB_2B: readonly LabTest[] = [
  {
    name: 'TestBasicAgree2B',
    run: (env) => withConfig(env, 3, false, async (cfg) => {
      const servers = 3;
      cfg.begin('Test (2B): basic agreement');

      const iters = 3;
      for (let index = 1; index < iters + 1; index++) {
        const [nd] = cfg.nCommitted(index);
        if (nd > 0) fatal('some have committed before Start()');

        const xindex = await cfg.one(index * 100, servers, false);
        if (xindex !== index) fatal(`got index ${xindex} but expected ${index}`);
      }

      cfg.end();
    }),
  },
  {
    // check, based on counting bytes of RPCs, that each command is sent to each peer just once.
    name: 'TestRPCBytes2B',
    run: (env) => withConfig(env, 3, false, async (cfg) => {
      const servers = 3;
      cfg.begin('Test (2B): RPC byte count');

      await cfg.one(99, servers, false);
      const bytes0 = cfg.bytesTotal();

      const iters = 10;
      let sent = 0;
      for (let index = 2; index < iters + 2; index++) {
        const cmd = cfg.randstring(5000);
        const xindex = await cfg.one(cmd, servers, false);
        if (xindex !== index) fatal(`got index ${xindex} but expected ${index}`);
        sent += cmd.length;
      }

      const bytes1 = cfg.bytesTotal();
      const got = bytes1 - bytes0;
      const expected = servers * sent;
      if (got > expected + 50000) fatal(`too many RPC bytes; got ${got}, expected ${expected}`);

      cfg.end();
    }),
  },
  {
    // test just failure of followers.
    name: 'TestFollowerFailure2B',
    run: (env) => withConfig(env, 3, false, async (cfg) => {
      const servers = 3;
      cfg.begin('Test (2B): test progressive failure of followers');

      await cfg.one(101, servers, false);

      // disconnect one follower from the network.
      const leader1 = await cfg.checkOneLeader();
      cfg.disconnect((leader1 + 1) % servers);

      // the leader and remaining follower should be able to agree despite the disconnected
      // follower.
      await cfg.one(102, servers - 1, false);
      await cfg.sleep(RaftElectionTimeout);
      await cfg.one(103, servers - 1, false);

      // disconnect the remaining follower
      const leader2 = await cfg.checkOneLeader();
      cfg.disconnect((leader2 + 1) % servers);
      cfg.disconnect((leader2 + 2) % servers);

      // submit a command.
      const { index, isLeader } = cfg.raft(leader2).start(104);
      if (!isLeader) fatal('leader rejected Start()');
      if (index !== 4) fatal(`expected index 4, got ${index}`);

      await cfg.sleep(2 * RaftElectionTimeout);

      // check that command 104 did not commit.
      const [n] = cfg.nCommitted(index);
      if (n > 0) fatal(`${n} committed but no majority`);

      cfg.end();
    }),
  },
  {
    // test just failure of leaders.
    name: 'TestLeaderFailure2B',
    run: (env) => withConfig(env, 3, false, async (cfg) => {
      const servers = 3;
      cfg.begin('Test (2B): test failure of leaders');

      await cfg.one(101, servers, false);

      // disconnect the first leader.
      const leader1 = await cfg.checkOneLeader();
      cfg.disconnect(leader1);

      // the remaining followers should elect a new leader.
      await cfg.one(102, servers - 1, false);
      await cfg.sleep(RaftElectionTimeout);
      await cfg.one(103, servers - 1, false);

      // disconnect the new leader.
      const leader2 = await cfg.checkOneLeader();
      cfg.disconnect(leader2);

      // submit a command to each server.
      for (let i = 0; i < servers; i++) cfg.raft(i).start(104);

      await cfg.sleep(2 * RaftElectionTimeout);

      // check that command 104 did not commit.
      const [n] = cfg.nCommitted(4);
      if (n > 0) fatal(`${n} committed but no majority`);

      cfg.end();
    }),
  },
  {
    // test that a follower participates after disconnect and re-connect.
    name: 'TestFailAgree2B',
    run: (env) => withConfig(env, 3, false, async (cfg) => {
      const servers = 3;
      cfg.begin('Test (2B): agreement after follower reconnects');

      await cfg.one(101, servers, false);

      // disconnect one follower from the network.
      const leader = await cfg.checkOneLeader();
      cfg.disconnect((leader + 1) % servers);

      // the leader and remaining follower should be able to agree despite the disconnected
      // follower.
      await cfg.one(102, servers - 1, false);
      await cfg.one(103, servers - 1, false);
      await cfg.sleep(RaftElectionTimeout);
      await cfg.one(104, servers - 1, false);
      await cfg.one(105, servers - 1, false);

      // re-connect
      cfg.connect((leader + 1) % servers);

      // the full set of servers should preserve previous agreements, and be able to agree on
      // new commands.
      await cfg.one(106, servers, true);
      await cfg.sleep(RaftElectionTimeout);
      await cfg.one(107, servers, true);

      cfg.end();
    }),
  },
  {
    name: 'TestFailNoAgree2B',
    run: (env) => withConfig(env, 5, false, async (cfg) => {
      const servers = 5;
      cfg.begin('Test (2B): no agreement if too many followers disconnect');

      await cfg.one(10, servers, false);

      // 3 of 5 followers disconnect
      const leader = await cfg.checkOneLeader();
      cfg.disconnect((leader + 1) % servers);
      cfg.disconnect((leader + 2) % servers);
      cfg.disconnect((leader + 3) % servers);

      const { index, isLeader } = cfg.raft(leader).start(20);
      if (!isLeader) fatal('leader rejected Start()');
      if (index !== 2) fatal(`expected index 2, got ${index}`);

      await cfg.sleep(2 * RaftElectionTimeout);

      const [n] = cfg.nCommitted(index);
      if (n > 0) fatal(`${n} committed but no majority`);

      // repair
      cfg.connect((leader + 1) % servers);
      cfg.connect((leader + 2) % servers);
      cfg.connect((leader + 3) % servers);

      // the disconnected majority may have chosen a leader from among their own ranks,
      // forgetting index 2.
      const leader2 = await cfg.checkOneLeader();
      const r2 = cfg.raft(leader2).start(30);
      if (!r2.isLeader) fatal('leader2 rejected Start()');
      if (r2.index < 2 || r2.index > 3) fatal(`unexpected index ${r2.index}`);

      await cfg.one(1000, servers, true);

      cfg.end();
    }),
  },
  {
    name: 'TestConcurrentStarts2B',
    run: (env) => withConfig(env, 3, false, async (cfg) => {
      const servers = 3;
      cfg.begin('Test (2B): concurrent Start()s');

      let success = false;
      loop: for (let attempt = 0; attempt < 5; attempt++) {
        if (attempt > 0) {
          // give solution some time to settle
          await cfg.sleep(3000);
        }

        const leader = await cfg.checkOneLeader();
        const first = cfg.raft(leader).start(1);
        if (!first.isLeader) {
          // leader moved on really quickly
          continue;
        }
        const term = first.term;

        const iters = 5;
        const is: number[] = [];
        await Promise.all(Array.from({ length: iters }, async (_, i) => {
          const r = cfg.raft(leader).start(100 + i);
          if (r.term !== term) return;
          if (!r.isLeader) return;
          is.push(r.index);
        }));

        for (let j = 0; j < servers; j++) {
          // term changed -- can't expect low RPC counts
          if (cfg.raft(j).getState().term !== term) continue loop;
        }

        let failed = false;
        const cmds: number[] = [];
        for (const index of is) {
          const cmd = await cfg.wait(index, servers, term);
          if (typeof cmd !== 'number') fatal(`value ${String(cmd)} is not an int`);
          if (cmd === -1) {
            // peers have moved on to later terms so we can't expect all Start()s to have
            // succeeded
            failed = true;
            break;
          }
          cmds.push(cmd);
        }

        if (failed) continue;

        for (let ii = 0; ii < iters; ii++) {
          const x = 100 + ii;
          if (!cmds.includes(x)) fatal(`cmd ${x} missing in [${cmds.join(' ')}]`);
        }

        success = true;
        break;
      }

      if (!success) fatal('term changed too often');

      cfg.end();
    }),
  },
  {
    name: 'TestRejoin2B',
    run: (env) => withConfig(env, 3, false, async (cfg) => {
      const servers = 3;
      cfg.begin('Test (2B): rejoin of partitioned leader');

      await cfg.one(101, servers, true);

      // leader network failure
      const leader1 = await cfg.checkOneLeader();
      cfg.disconnect(leader1);

      // make old leader try to agree on some entries
      cfg.raft(leader1).start(102);
      cfg.raft(leader1).start(103);
      cfg.raft(leader1).start(104);

      // new leader commits, also for index=2
      await cfg.one(103, 2, true);

      // new leader network failure
      const leader2 = await cfg.checkOneLeader();
      cfg.disconnect(leader2);

      // old leader connected again
      cfg.connect(leader1);

      await cfg.one(104, 2, true);

      // all together now
      cfg.connect(leader2);

      await cfg.one(105, servers, true);

      cfg.end();
    }),
  },
  {
    name: 'TestBackup2B',
    run: (env) => withConfig(env, 5, false, async (cfg) => {
      const servers = 5;
      cfg.begin('Test (2B): leader backs up quickly over incorrect follower logs');

      await cfg.one(cfg.randCommand(), servers, true);

      // put leader and one follower in a partition
      const leader1 = await cfg.checkOneLeader();
      cfg.disconnect((leader1 + 2) % servers);
      cfg.disconnect((leader1 + 3) % servers);
      cfg.disconnect((leader1 + 4) % servers);

      // submit lots of commands that won't commit
      for (let i = 0; i < 50; i++) cfg.raft(leader1).start(cfg.randCommand());

      await cfg.sleep(RaftElectionTimeout / 2);

      cfg.disconnect((leader1 + 0) % servers);
      cfg.disconnect((leader1 + 1) % servers);

      // allow other partition to recover
      cfg.connect((leader1 + 2) % servers);
      cfg.connect((leader1 + 3) % servers);
      cfg.connect((leader1 + 4) % servers);

      // lots of successful commands to new group.
      for (let i = 0; i < 50; i++) await cfg.one(cfg.randCommand(), 3, true);

      // now another partitioned leader and one follower
      const leader2 = await cfg.checkOneLeader();
      let other = (leader1 + 2) % servers;
      if (leader2 === other) other = (leader2 + 1) % servers;
      cfg.disconnect(other);

      // lots more commands that won't commit
      for (let i = 0; i < 50; i++) cfg.raft(leader2).start(cfg.randCommand());

      await cfg.sleep(RaftElectionTimeout / 2);

      // bring original leader back to life,
      for (let i = 0; i < servers; i++) cfg.disconnect(i);
      cfg.connect((leader1 + 0) % servers);
      cfg.connect((leader1 + 1) % servers);
      cfg.connect(other);

      // lots of successful commands to new group.
      for (let i = 0; i < 50; i++) await cfg.one(cfg.randCommand(), 3, true);

      // now everyone
      for (let i = 0; i < servers; i++) cfg.connect(i);
      await cfg.one(cfg.randCommand(), servers, true);

      cfg.end();
    }),
  },
  {
    name: 'TestCount2B',
    run: (env) => withConfig(env, 3, false, async (cfg) => {
      const servers = 3;
      cfg.begin("Test (2B): RPC counts aren't too high");

      const rpcs = (): number => {
        let n = 0;
        for (let j = 0; j < servers; j++) n += cfg.rpcCount(j);
        return n;
      };

      let leader = await cfg.checkOneLeader();

      let total1 = rpcs();

      if (total1 > 30 || total1 < 1) fatal(`too many or few RPCs (${total1}) to elect initial leader`);

      let total2 = 0;
      let success = false;
      loop: for (let attempt = 0; attempt < 5; attempt++) {
        if (attempt > 0) {
          // give solution some time to settle
          await cfg.sleep(3000);
        }

        leader = await cfg.checkOneLeader();
        total1 = rpcs();

        const iters = 10;
        const first = cfg.raft(leader).start(1);
        if (!first.isLeader) {
          // leader moved on really quickly
          continue;
        }
        const { index: starti, term } = first;
        const cmds: number[] = [];
        for (let i = 1; i < iters + 2; i++) {
          const x = cfg.randCommand();
          cmds.push(x);
          const r = cfg.raft(leader).start(x);
          if (r.term !== term) {
            // Term changed while starting
            continue loop;
          }
          if (!r.isLeader) {
            // No longer the leader, so term has changed
            continue loop;
          }
          if (starti + i !== r.index) fatal('Start() failed');
        }

        for (let i = 1; i < iters + 1; i++) {
          const cmd = await cfg.wait(starti + i, servers, term);
          if (typeof cmd !== 'number' || cmd !== cmds[i - 1]) {
            if (cmd === -1) {
              // term changed -- try again
              continue loop;
            }
            fatal(`wrong value ${String(cmd)} committed for index ${starti + i}; expected [${cmds.join(' ')}]`);
          }
        }

        let failed = false;
        total2 = 0;
        for (let j = 0; j < servers; j++) {
          if (cfg.raft(j).getState().term !== term) {
            // term changed -- can't expect low RPC counts; need to keep going to update total2
            failed = true;
          }
          total2 += cfg.rpcCount(j);
        }

        if (failed) continue loop;

        if (total2 - total1 > (iters + 1 + 3) * 3) fatal(`too many RPCs (${total2 - total1}) for ${iters} entries`);

        success = true;
        break;
      }

      if (!success) fatal('term changed too often');

      await cfg.sleep(RaftElectionTimeout);

      let total3 = 0;
      for (let j = 0; j < servers; j++) total3 += cfg.rpcCount(j);

      if (total3 - total2 > 3 * 20) fatal(`too many RPCs (${total3 - total2}) for 1 second of idleness`);

      cfg.end();
    }),
  },
];
