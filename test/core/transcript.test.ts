/**
 * Transcripts: three servers driven by hand, with the exact messages, persists, applies and timer
 * directives each step produces, in the order the host carries them out. Line format
 * (see ./transcript.ts):
 *
 *   <id>: persist term= vote= log=[term:command ...] from=<logChangedFrom>
 *   <from>-><to>: <RPC> term= ...   last=<index>@<term>   prev=<index>@<term>
 *   <id>: apply <index> <command>      <id>: timer <directive>
 */
import { describe, expect, it } from 'vitest';
import { Cluster, golden } from './transcript.js';

describe('transcript: election, replication, commit, crash and catch-up', () => {
  it('runs exactly as scripted', () => {
    const c = new Cluster(3);

    // Server 0 times out: term 1, votes for itself (durably, before asking anyone).
    expect(c.timeout(0)).toBe(golden(`
      0: persist term=1 vote=0 log=[] from=1
      0->1: RequestVote term=1 last=0@0
      0->2: RequestVote term=1 last=0@0
      0: timer resetElectionTimer
    `));
    // Server 1 adopts term 1 and grants its vote, written before the reply leaves.
    expect(c.deliver(0, 1)).toBe(golden(`
      1: persist term=1 vote=0 log=[] from=1
      1->0: RequestVoteReply term=1 granted
      1: timer resetElectionTimer
    `));
    // Two of three: server 0 leads and sends heartbeats at once. No no-op entry.
    expect(c.deliver(1, 0)).toBe(golden(`
      0->1: AppendEntries term=1 prev=0@0 entries=[] commit=0
      0->2: AppendEntries term=1 prev=0@0 entries=[] commit=0
      0: timer startHeartbeat
    `));
    expect(c.show(0)).toBe('0: leader term=1 vote=0 log=[] commit=0 applied=0 next=[1,1,1] match=[0,0,0]');

    // The late RequestVote reaches server 2, whose vote the leader no longer needs.
    expect(c.deliver(0, 2)).toBe(golden(`
      2: persist term=1 vote=0 log=[] from=1
      2->0: RequestVoteReply term=1 granted
      2: timer resetElectionTimer
    `));
    expect(c.deliver(2, 0)).toBe('');
    // Heartbeats: nothing to persist, the followers' timers are reset.
    expect(c.deliver(0, 1)).toBe(golden(`
      1->0: AppendEntriesReply term=1 ok match=0
      1: timer resetElectionTimer
    `));
    expect(c.deliver(0, 2)).toBe(golden(`
      2->0: AppendEntriesReply term=1 ok match=0
      2: timer resetElectionTimer
    `));
    expect(c.deliver(1, 0) + c.deliver(2, 0)).toBe('');

    // Start(x): answered at once, persisted, replicated.
    expect(c.start(0, 'x')).toBe(golden(`
      0: start index=1 term=1 isLeader=true
      0: persist term=1 vote=0 log=[1:x] from=1
      0->1: AppendEntries term=1 prev=0@0 entries=[1:x] commit=0
      0->2: AppendEntries term=1 prev=0@0 entries=[1:x] commit=0
    `));
    expect(c.deliver(0, 1)).toBe(golden(`
      1: persist term=1 vote=0 log=[1:x] from=1
      1->0: AppendEntriesReply term=1 ok match=1
      1: timer resetElectionTimer
    `));
    // A majority (0 and 1) holds x, of the current term: committed and applied on the leader.
    expect(c.deliver(1, 0)).toBe('0: apply 1 x');
    expect(c.deliver(0, 2)).toBe(golden(`
      2: persist term=1 vote=0 log=[1:x] from=1
      2->0: AppendEntriesReply term=1 ok match=1
      2: timer resetElectionTimer
    `));
    expect(c.deliver(2, 0)).toBe('');

    // A heartbeat carries leaderCommit: server 1 applies x.
    expect(c.tick(0)).toBe(golden(`
      0->1: AppendEntries term=1 prev=1@1 entries=[] commit=1
      0->2: AppendEntries term=1 prev=1@1 entries=[] commit=1
    `));
    expect(c.deliver(0, 1)).toBe(golden(`
      1->0: AppendEntriesReply term=1 ok match=1
      1: apply 1 x
      1: timer resetElectionTimer
    `));

    // Start(y), then server 2 crashes before hearing of it (or of the commit of x).
    expect(c.start(0, 'y')).toBe(golden(`
      0: start index=2 term=1 isLeader=true
      0: persist term=1 vote=0 log=[1:x 1:y] from=2
      0->1: AppendEntries term=1 prev=1@1 entries=[1:y] commit=1
      0->2: AppendEntries term=1 prev=1@1 entries=[1:y] commit=1
    `));
    expect(c.crashAndRestart(2)).toBe(golden(`
      lost 0->2: AppendEntries term=1 prev=1@1 entries=[] commit=1
      lost 0->2: AppendEntries term=1 prev=1@1 entries=[1:y] commit=1
      restarted 2: follower term=1 vote=0 log=[1:x] commit=0 applied=0
    `));
    expect(c.deliver(0, 1)).toBe(golden(`
      1: persist term=1 vote=0 log=[1:x 1:y] from=2
      1->0: AppendEntriesReply term=1 ok match=2
      1: timer resetElectionTimer
    `));
    expect(c.deliver(1, 0)).toBe(''); // the heartbeat's reply: match=1 already known
    expect(c.deliver(1, 0)).toBe('0: apply 2 y');
    expect(c.show(0)).toBe('0: leader term=1 vote=0 log=[1:x 1:y] commit=2 applied=2 next=[3,3,2] match=[2,2,1]');

    // The next heartbeat brings server 2 up to date: the missing entry, then both applies.
    expect(c.tick(0)).toBe(golden(`
      0->1: AppendEntries term=1 prev=2@1 entries=[] commit=2
      0->2: AppendEntries term=1 prev=1@1 entries=[1:y] commit=2
    `));
    expect(c.deliver(0, 2)).toBe(golden(`
      2: persist term=1 vote=0 log=[1:x 1:y] from=2
      2->0: AppendEntriesReply term=1 ok match=2
      2: apply 1 x
      2: apply 2 y
      2: timer resetElectionTimer
    `));
    expect(c.deliver(2, 0)).toBe('');
    expect(c.deliver(0, 1)).toBe(golden(`
      1->0: AppendEntriesReply term=1 ok match=2
      1: apply 2 y
      1: timer resetElectionTimer
    `));
    expect(c.settle()).toBe('');
    expect(c.show()).toBe(golden(`
      0: leader term=1 vote=0 log=[1:x 1:y] commit=2 applied=2 next=[3,3,3] match=[2,2,2]
      1: follower term=1 vote=0 log=[1:x 1:y] commit=2 applied=2
      2: follower term=1 vote=0 log=[1:x 1:y] commit=2 applied=2
    `));
  });
});

describe('transcript: a new leader repairs a conflicting log by fast backup (and Figure 8)', () => {
  it('runs exactly as scripted', () => {
    const c = new Cluster(3);
    // Setup: 0 leads term 1 and commits a everywhere; x reaches only 0's disk before it crashes.
    c.timeout(0);
    c.settle();
    c.start(0, 'a');
    c.settle();
    c.tick(0);
    c.settle();
    c.start(0, 'x');
    c.crashAndRestart(0);
    // 1 leads term 2 (with 2's vote; 0 refuses, its log is longer) and gets b to 2 only.
    c.timeout(1);
    c.settle();
    c.start(1, 'b');
    c.drop(1, 0);
    c.settle();
    expect(c.show()).toBe(golden(`
      0: follower term=2 vote=- log=[1:a 1:x] commit=1 applied=1
      1: leader term=2 vote=1 log=[1:a 2:b] commit=2 applied=2 next=[2,3,3] match=[1,2,2]
      2: follower term=2 vote=1 log=[1:a 2:b] commit=1 applied=1
    `));

    // 2 times out. Its log (last term 2) is more up-to-date than 0's (last term 1).
    expect(c.timeout(2)).toBe(golden(`
      2: persist term=3 vote=2 log=[1:a 2:b] from=3
      2->0: RequestVote term=3 last=2@2
      2->1: RequestVote term=3 last=2@2
      2: timer resetElectionTimer
    `));
    expect(c.deliver(2, 0)).toBe(golden(`
      0: persist term=3 vote=2 log=[1:a 1:x] from=3
      0->2: RequestVoteReply term=3 granted
      0: timer resetElectionTimer
    `));
    expect(c.deliver(0, 2)).toBe(golden(`
      2->0: AppendEntries term=3 prev=2@2 entries=[] commit=1
      2->1: AppendEntries term=3 prev=2@2 entries=[] commit=1
      2: timer startHeartbeat
    `));
    // 0 holds 1:x at index 2: it rejects, naming term 1 and its first index.
    expect(c.deliver(2, 0)).toBe(golden(`
      0->2: AppendEntriesReply term=3 reject conflictTerm=1 conflictIndex=1
      0: timer resetElectionTimer
    `));
    // The leader's last entry of term 1 is index 1: it retries from index 2 at once.
    expect(c.deliver(0, 2)).toBe('2->0: AppendEntries term=3 prev=1@1 entries=[2:b] commit=1');
    // A real conflict: x is deleted, b takes its place; the durable log is rewritten from index 2.
    expect(c.deliver(2, 0)).toBe(golden(`
      0: persist term=3 vote=2 log=[1:a 2:b] from=2
      0->2: AppendEntriesReply term=3 ok match=2
      0: timer resetElectionTimer
    `));
    // b is now on all three, but it is of term 2: the leader of term 3 does not count it (Figure 8).
    expect(c.deliver(0, 2)).toBe('');
    expect(c.show(2)).toBe('2: leader term=3 vote=2 log=[1:a 2:b] commit=1 applied=1 next=[3,3,3] match=[2,0,2]');

    // A current-term entry commits, and b with it.
    expect(c.start(2, 'c')).toBe(golden(`
      2: start index=3 term=3 isLeader=true
      2: persist term=3 vote=2 log=[1:a 2:b 3:c] from=3
      2->0: AppendEntries term=3 prev=2@2 entries=[3:c] commit=1
      2->1: AppendEntries term=3 prev=2@2 entries=[3:c] commit=1
    `));
    expect(c.deliver(2, 0)).toBe(golden(`
      0: persist term=3 vote=2 log=[1:a 2:b 3:c] from=3
      0->2: AppendEntriesReply term=3 ok match=3
      0: timer resetElectionTimer
    `));
    expect(c.deliver(0, 2)).toBe(golden(`
      2: apply 2 b
      2: apply 3 c
    `));

    // The deposed leader of term 2 hears of term 3: it steps down and grants the (old) vote request.
    expect(c.deliver(2, 1)).toBe(golden(`
      1: persist term=3 vote=2 log=[1:a 2:b] from=3
      1->2: RequestVoteReply term=3 granted
      1: timer stopHeartbeat
      1: timer resetElectionTimer
    `));
  });
});
