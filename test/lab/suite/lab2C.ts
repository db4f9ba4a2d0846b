import { RaftElectionTimeout, fatal, withConfig, type Config } from '../harness/config.js';
import type { LabEnv } from '../harness/env.js';
import type { LabTest } from './labTest.js';

/** Lab 2C: persistence (test_test.go, 2023). */
export const LAB_2C: readonly LabTest[] = [
  {
    name: 'TestPersist12C',
    run: (env) => withConfig(env, 3, false, async (cfg) => {
      const servers = 3;
      cfg.begin('Test (2C): basic persistence');

      await cfg.one(11, servers, true);

      // crash and re-start all
      for (let i = 0; i < servers; i++) cfg.start1(i);
      for (let i = 0; i < servers; i++) {
        cfg.disconnect(i);
        cfg.connect(i);
      }

      await cfg.one(12, servers, true);

      const leader1 = await cfg.checkOneLeader();
      cfg.disconnect(leader1);
      cfg.start1(leader1);
      cfg.connect(leader1);

      await cfg.one(13, servers, true);

      const leader2 = await cfg.checkOneLeader();
      cfg.disconnect(leader2);
      await cfg.one(14, servers - 1, true);
      cfg.start1(leader2);
      cfg.connect(leader2);

      await cfg.wait(4, servers, -1); // wait for leader2 to join before killing i3

      const i3 = ((await cfg.checkOneLeader()) + 1) % servers;
      cfg.disconnect(i3);
      await cfg.one(15, servers - 1, true);
      cfg.start1(i3);
      cfg.connect(i3);

      await cfg.one(16, servers, true);

      cfg.end();
    }),
  },
  {
    name: 'TestPersist22C',
    run: (env) => withConfig(env, 5, false, async (cfg) => {
      const servers = 5;
      cfg.begin('Test (2C): more persistence');

      let index = 1;
      for (let iters = 0; iters < 5; iters++) {
        await cfg.one(10 + index, servers, true);
        index++;

        const leader1 = await cfg.checkOneLeader();

        cfg.disconnect((leader1 + 1) % servers);
        cfg.disconnect((leader1 + 2) % servers);

        await cfg.one(10 + index, servers - 2, true);
        index++;

        cfg.disconnect((leader1 + 0) % servers);
        cfg.disconnect((leader1 + 3) % servers);
        cfg.disconnect((leader1 + 4) % servers);

        cfg.start1((leader1 + 1) % servers);
        cfg.start1((leader1 + 2) % servers);
        cfg.connect((leader1 + 1) % servers);
        cfg.connect((leader1 + 2) % servers);

        await cfg.sleep(RaftElectionTimeout);

        cfg.start1((leader1 + 3) % servers);
        cfg.connect((leader1 + 3) % servers);

        await cfg.one(10 + index, servers - 2, true);
        index++;

        cfg.connect((leader1 + 4) % servers);
        cfg.connect((leader1 + 0) % servers);
      }

      await cfg.one(1000, servers, true);

      cfg.end();
    }),
  },
  {
    name: 'TestPersist32C',
    run: (env) => withConfig(env, 3, false, async (cfg) => {
      const servers = 3;
      cfg.begin('Test (2C): partitioned leader and one follower crash, leader restarts');

      await cfg.one(101, 3, true);

      const leader = await cfg.checkOneLeader();
      cfg.disconnect((leader + 2) % servers);

      await cfg.one(102, 2, true);

      cfg.crash1((leader + 0) % servers);
      cfg.crash1((leader + 1) % servers);
      cfg.connect((leader + 2) % servers);
      cfg.start1((leader + 0) % servers);
      cfg.connect((leader + 0) % servers);

      await cfg.one(103, 2, true);

      cfg.start1((leader + 1) % servers);
      cfg.connect((leader + 1) % servers);

      await cfg.one(104, servers, true);

      cfg.end();
    }),
  },
  {
    // Test the scenarios described in Figure 8 of the extended Raft paper. Each iteration
    // asks a leader, if there is one, to insert a command in the Raft log. If there is a
    // leader, that leader will fail quickly with a high probability (perhaps without
    // committing the command), or crash after a while with low probability (most likely
    // committing the command). If the number of alive servers isn't enough to form a
    // majority, perhaps start a new server. The leader in a new term may try to finish
    // replicating log entries that haven't been committed yet.
    name: 'TestFigure82C',
    run: (env) => withConfig(env, 5, false, async (cfg) => {
      const servers = 5;
      cfg.begin('Test (2C): Figure 8');

      await cfg.one(cfg.randCommand(), 1, true);

      let nup = servers;
      for (let iters = 0; iters < 1000; iters++) {
        let leader = -1;
        for (let i = 0; i < servers; i++) {
          const rf = cfg.rafts[i];
          if (rf && rf.start(cfg.randCommand()).isLeader) leader = i;
        }

        await sleepFigure8(cfg);

        if (leader !== -1) {
          cfg.crash1(leader);
          nup -= 1;
        }

        if (nup < 3) {
          const s = cfg.randInt(servers);
          if (cfg.rafts[s] === null) {
            cfg.start1(s);
            cfg.connect(s);
            nup += 1;
          }
        }
      }

      for (let i = 0; i < servers; i++) {
        if (cfg.rafts[i] === null) {
          cfg.start1(i);
          cfg.connect(i);
        }
      }

      await cfg.one(cfg.randCommand(), servers, true);

      cfg.end();
    }),
  },
  {
    name: 'TestUnreliableAgree2C',
    run: (env) => withConfig(env, 5, true, async (cfg) => {
      const servers = 5;
      cfg.begin('Test (2C): unreliable agreement');

      const wg = new WaitGroup();
      for (let iters = 1; iters < 50; iters++) {
        for (let j = 0; j < 4; j++) wg.go(cfg.one(100 * iters + j, 1, true));
        await cfg.one(iters, 1, true);
      }

      cfg.setunreliable(false);

      await wg.wait();

      await cfg.one(100, servers, true);

      cfg.end();
    }),
  },
  {
    name: 'TestFigure8Unreliable2C',
    run: (env) => withConfig(env, 5, true, async (cfg) => {
      const servers = 5;
      cfg.begin('Test (2C): Figure 8 (unreliable)');

      await cfg.one(cfg.randInt(10000), 1, true);

      let nup = servers;
      for (let iters = 0; iters < 1000; iters++) {
        if (iters === 200) cfg.setlongreordering(true);
        let leader = -1;
        for (let i = 0; i < servers; i++) {
          const ok = cfg.raft(i).start(cfg.randInt(10000)).isLeader;
          if (ok && cfg.connected[i]) leader = i;
        }

        await sleepFigure8(cfg);

        if (leader !== -1 && cfg.randInt(1000) < RaftElectionTimeout / 2) {
          cfg.disconnect(leader);
          nup -= 1;
        }

        if (nup < 3) {
          const s = cfg.randInt(servers);
          if (!cfg.connected[s]) {
            cfg.connect(s);
            nup += 1;
          }
        }
      }

      for (let i = 0; i < servers; i++) {
        if (!cfg.connected[i]) cfg.connect(i);
      }

      await cfg.one(cfg.randInt(10000), servers, true);

      cfg.end();
    }),
  },
  {
    name: 'TestReliableChurn2C',
    run: (env) => internalChurn(env, false),
  },
  {
    name: 'TestUnreliableChurn2C',
    run: (env) => internalChurn(env, true),
  },
];

/** Figure 8's pause: 10% of the time up to half an election timeout, else 0-12 ms. */
async function sleepFigure8(cfg: Config): Promise<void> {
  if (cfg.randInt(1000) < 100) await cfg.sleep(cfg.randInt(RaftElectionTimeout / 2));
  else await cfg.sleep(cfg.randInt(13));
}

/**
 * Go's sync.WaitGroup over promises. A failure in one of them (Go: t.Fatalf in a goroutine)
 * is kept and raised at wait(), by which point the others have finished too.
 */
class WaitGroup {
  private readonly pending: Promise<void>[] = [];
  private readonly errors: unknown[] = [];

  go(work: Promise<unknown>): void {
    this.pending.push(work.then(() => undefined, (error: unknown) => { this.errors.push(error); }));
  }

  async wait(): Promise<void> {
    await Promise.all(this.pending);
    if (this.errors.length > 0) throw this.errors[0];
  }
}

async function internalChurn(env: LabEnv, unreliable: boolean): Promise<void> {
  await withConfig(env, 5, unreliable, async (cfg) => {
    const servers = 5;
    cfg.begin(`Test (2C): ${unreliable ? 'unreliable churn' : 'churn'}`);

    let stop = false;
    const clientErrors: unknown[] = [];

    // create concurrent clients; each returns the values it saw committed, or null if it failed.
    const cfn = async (me: number): Promise<number[] | null> => {
      const values: number[] = [];
      try {
        while (!stop) {
          const x = cfg.randCommand();
          let index = -1;
          let ok = false;
          for (let i = 0; i < servers; i++) {
            // try them all, maybe one of them is a leader
            const rf = cfg.rafts[i];
            if (rf) {
              const r = rf.start(x);
              if (r.isLeader) {
                ok = true;
                index = r.index;
              }
            }
          }
          if (ok) {
            // maybe leader will commit our value, maybe not. but don't wait forever.
            for (const to of [10, 20, 50, 100, 200]) {
              const [nd, cmd] = cfg.nCommitted(index);
              if (nd > 0) {
                if (typeof cmd !== 'number') fatal('wrong command type');
                if (cmd === x) values.push(x);
                break;
              }
              await cfg.sleep(to);
            }
          } else {
            await cfg.sleep(79 + me * 17);
          }
        }
        return values;
      } catch (error) {
        clientErrors.push(error);
        return null;
      }
    };

    const ncli = 3;
    const cha: Promise<number[] | null>[] = [];
    for (let i = 0; i < ncli; i++) cha.push(cfn(i));

    for (let iters = 0; iters < 20; iters++) {
      if (cfg.randInt(1000) < 200) {
        const i = cfg.randInt(servers);
        cfg.disconnect(i);
      }

      if (cfg.randInt(1000) < 500) {
        const i = cfg.randInt(servers);
        if (cfg.rafts[i] === null) cfg.start1(i);
        cfg.connect(i);
      }

      if (cfg.randInt(1000) < 200) {
        const i = cfg.randInt(servers);
        if (cfg.rafts[i] !== null) cfg.crash1(i);
      }

      // Make crash/restart infrequent enough that the peers can often keep up, but not so
      // infrequent that everything has settled down from one change to the next. Pick a
      // value smaller than the election timeout, but not hugely smaller.
      await cfg.sleep((RaftElectionTimeout * 7) / 10);
    }

    await cfg.sleep(RaftElectionTimeout);
    cfg.setunreliable(false);
    for (let i = 0; i < servers; i++) {
      if (cfg.rafts[i] === null) cfg.start1(i);
      cfg.connect(i);
    }

    stop = true;

    const values: number[] = [];
    for (let i = 0; i < ncli; i++) {
      const vv = await cha[i]!;
      if (vv === null) throw new Error('client failed', { cause: clientErrors[0] });
      values.push(...vv);
    }

    await cfg.sleep(RaftElectionTimeout);

    const lastIndex = await cfg.one(cfg.randCommand(), servers, true);

    const really: number[] = [];
    for (let index = 1; index <= lastIndex; index++) {
      const v = await cfg.wait(index, servers, -1);
      if (typeof v !== 'number') fatal('not an int');
      really.push(v);
    }

    for (const v1 of values) {
      if (!really.includes(v1)) fatal("didn't find a value");
    }

    cfg.end();
  });
}
