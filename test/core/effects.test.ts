/** What a step asks its host to do: persist, apply and timer directives. */
import { describe, expect, it } from 'vitest';
import {
  accepted, appendEntries, electedLeader, entry, log, receive, requestVote, server, start, stepAll, stepChecked, TICK, TIMEOUT,
  voteReply,
} from './helpers.js';

/** The snapshot fields of a persist effect by a server that never took a snapshot. */
const NO_SNAPSHOT = { lastIncludedIndex: 0, lastIncludedTerm: 0, snapshot: null, snapshotChanged: false } as const;

describe('persist: present exactly when currentTerm, votedFor or the log changed', () => {
  it('absent when nothing persistent changed (heartbeat to an up-to-date follower, commit advancing)', () => {
    const s = server(1, { currentTerm: 1, votedFor: 0, log: log(1, 1) });
    const heartbeat = stepChecked(s, receive(appendEntries(0, 1, 1, { prevLogIndex: 2, prevLogTerm: 1 })));
    expect(heartbeat.persist).toBeNull();
    const commit = stepChecked(s, receive(appendEntries(0, 1, 1, { prevLogIndex: 2, prevLogTerm: 1, leaderCommit: 2 })));
    expect(commit.state.commitIndex).toBe(2);
    expect(commit.persist).toBeNull(); // commitIndex is volatile
  });

  it('absent for a leader counting replies and for becoming leader', () => {
    const candidate = stepChecked(server(0), TIMEOUT).state;
    expect(stepChecked(candidate, receive(voteReply(1, 0, 1, true))).persist).toBeNull();
    const { state: leader } = stepAll(electedLeader(0, 1), [start('x')]);
    expect(stepChecked(leader, receive(accepted(1, 0, 1, 1))).persist).toBeNull();
  });

  it('term and vote changed (becoming candidate): log unchanged, logChangedFrom = log.length + 1', () => {
    const s = server(0, { currentTerm: 2, log: log(1, 2) });
    const r = stepChecked(s, TIMEOUT);
    expect(r.persist).toEqual({ ...NO_SNAPSHOT, currentTerm: 3, votedFor: 0, log: log(1, 2), logChangedFrom: 3 });
    expect(r.persist?.log).toBe(s.log);
  });

  it('only the term changed (a higher term seen, vote refused): votedFor null is written too', () => {
    const r = stepChecked(server(1, { currentTerm: 1, votedFor: 1, log: log(1) }), receive(voteReply(2, 1, 3, false)));
    expect(r.persist).toEqual({ ...NO_SNAPSHOT, currentTerm: 3, votedFor: null, log: log(1), logChangedFrom: 2 });
  });

  it('only the vote changed (vote granted in the current term)', () => {
    const r = stepChecked(server(1, { currentTerm: 2 }), receive(requestVote(0, 1, 2)));
    expect(r.persist).toEqual({ ...NO_SNAPSHOT, currentTerm: 2, votedFor: 0, log: [], logChangedFrom: 1 });
  });

  it('log appended by Start: logChangedFrom = the new entry’s index', () => {
    const leader = electedLeader(0, 2, log(1));
    const r = stepChecked(leader, start('x'));
    expect(r.persist).toEqual({ ...NO_SNAPSHOT, currentTerm: 2, votedFor: 0, log: [entry(1, 'c1'), entry(2, 'x')], logChangedFrom: 2 });
  });

  it('log truncated and rewritten: logChangedFrom = the first index that differs', () => {
    const s = server(1, { currentTerm: 3, log: log(1, 1, 2, 2) });
    const r = stepChecked(s, receive(appendEntries(0, 1, 3, { prevLogIndex: 2, prevLogTerm: 1, entries: [entry(3, 'x')] })));
    expect(r.persist).toEqual({ ...NO_SNAPSHOT, currentTerm: 3, votedFor: null, log: [...log(1, 1), entry(3, 'x')], logChangedFrom: 3 });
  });

  it('term and log changed at once (AppendEntries from a new leader of a higher term)', () => {
    const s = server(1, { currentTerm: 1, votedFor: 1, log: log(1) });
    const r = stepChecked(s, receive(appendEntries(0, 1, 4, { prevLogIndex: 1, prevLogTerm: 1, entries: [entry(4, 'x')] })));
    expect(r.persist).toEqual({ ...NO_SNAPSHOT, currentTerm: 4, votedFor: null, log: [entry(1, 'c1'), entry(4, 'x')], logChangedFrom: 2 });
  });

  it('the persisted fields are the new state’s fields', () => {
    const r = stepChecked(server(1, { currentTerm: 1 }), receive(appendEntries(0, 1, 2, { entries: [entry(2, 'x')] })));
    expect(r.persist).toMatchObject({ currentTerm: r.state.currentTerm, votedFor: r.state.votedFor, log: r.state.log });
  });
});

describe('apply: newly committed entries {commandValid: true, command, commandIndex}, in order, once each', () => {
  it('over a follower’s life, every index is applied once, in order, starting at 1', () => {
    const { results } = stepAll(server(1, { currentTerm: 1 }), [
      receive(appendEntries(0, 1, 1, { entries: [entry(1, 'a'), entry(1, 'b')], leaderCommit: 1 })),
      receive(appendEntries(0, 1, 1, { entries: [entry(1, 'a'), entry(1, 'b')], leaderCommit: 1 })), // duplicate
      receive(appendEntries(0, 1, 1, { prevLogIndex: 2, prevLogTerm: 1, entries: [entry(1, 'c')], leaderCommit: 3 })),
      receive(appendEntries(0, 1, 1, { prevLogIndex: 3, prevLogTerm: 1, leaderCommit: 3 })),
    ]);
    expect(results.map((r) => r.apply)).toEqual([
      [{ commandValid: true, command: 'a', commandIndex: 1 }],
      [],
      [
        { commandValid: true, command: 'b', commandIndex: 2 },
        { commandValid: true, command: 'c', commandIndex: 3 },
      ],
      [],
    ]);
  });

  it('commands are passed through as given (objects included)', () => {
    const command = { op: 'put', key: 'k', value: [1, 2] };
    const { results } = stepAll(electedLeader(0, 1, [], 1), [start(command)]);
    expect(results[0]!.apply).toEqual([{ commandValid: true, command, commandIndex: 1 }]);
  });
});

describe('timer directives', () => {
  it('becoming candidate resets the election timer', () => {
    expect(stepChecked(server(0), TIMEOUT).timers).toEqual(['resetElectionTimer']);
  });

  it('becoming leader starts heartbeats; stepping down stops them', () => {
    const candidate = stepChecked(server(0), TIMEOUT).state;
    const elected = stepChecked(candidate, receive(voteReply(1, 0, 1, true)));
    expect(elected.timers).toEqual(['startHeartbeat']);
    const deposed = stepChecked(elected.state, receive(appendEntries(2, 0, 2)));
    expect(deposed.timers).toEqual(['stopHeartbeat', 'resetElectionTimer']);
  });

  it('a leader granting a higher-term vote stops heartbeats and resets its election timer', () => {
    const r = stepChecked(electedLeader(0, 1), receive(requestVote(1, 0, 2)));
    expect(r.timers).toEqual(['stopHeartbeat', 'resetElectionTimer']);
  });

  it('a follower resets the timer on a current-term AppendEntries and on granting a vote, not otherwise', () => {
    const s = server(1, { currentTerm: 2, votedFor: 2 });
    expect(stepChecked(s, receive(appendEntries(0, 1, 2))).timers).toEqual(['resetElectionTimer']);
    expect(stepChecked(s, receive(appendEntries(0, 1, 1))).timers).toEqual([]); // stale leader
    expect(stepChecked(s, receive(requestVote(2, 1, 2))).timers).toEqual(['resetElectionTimer']); // granted
    expect(stepChecked(s, receive(requestVote(0, 1, 2))).timers).toEqual([]); // refused
  });

  it('heartbeat ticks and Start change no timers', () => {
    const leader = electedLeader(0, 1);
    expect(stepChecked(leader, TICK).timers).toEqual([]);
    expect(stepChecked(leader, start('x')).timers).toEqual([]);
  });
});
