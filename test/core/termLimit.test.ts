/** MAX_TERM: no server campaigns past it, and a message beyond it is malformed and ignored. */
import { describe, expect, it } from 'vitest';
import { MAX_TERM, type Message } from '../../src/core/index.js';
import {
  accepted, appendEntries, electedLeader, entry, log, receive, rejected, requestVote, server, start, stepChecked, TICK, TIMEOUT, voteReply,
} from './helpers.js';

describe('at MAX_TERM no server starts an election', () => {
  it('a follower of MAX_TERM that times out stays a follower: no new term, no RequestVote, nothing to persist', () => {
    const follower = server(1, { currentTerm: MAX_TERM, votedFor: 2, log: log(1, MAX_TERM) });
    const r = stepChecked(follower, TIMEOUT);
    expect(r.state).toBe(follower);
    expect(r).toMatchObject({ messages: [], persist: null, apply: [], timers: [] });
  });

  it('a candidate of MAX_TERM that times out becomes a follower of MAX_TERM and keeps its vote for itself', () => {
    const candidate = stepChecked(server(0, { currentTerm: MAX_TERM - 1 }), TIMEOUT).state;
    expect(candidate).toMatchObject({ role: 'candidate', currentTerm: MAX_TERM, votedFor: 0 });
    const r = stepChecked(candidate, TIMEOUT);
    expect(r.state).toMatchObject({ role: 'follower', currentTerm: MAX_TERM, votedFor: 0, votesGranted: [] });
    expect(r.messages).toEqual([]);
    expect(r.persist).toBeNull();
    // Its vote in MAX_TERM stands: it cannot vote for another candidate of that term.
    const asked = stepChecked(r.state, receive(requestVote(2, 0, MAX_TERM)));
    expect(asked.messages).toEqual([voteReply(0, 2, MAX_TERM, false)]);
  });

  it('a leader of MAX_TERM keeps leading: it ignores the timeout, replicates and commits', () => {
    const leader = electedLeader(0, MAX_TERM);
    expect(stepChecked(leader, TIMEOUT).state).toBe(leader);
    const started = stepChecked(leader, start('x'));
    expect(started.start).toEqual({ index: 1, term: MAX_TERM, isLeader: true });
    const r = stepChecked(started.state, receive(accepted(1, 0, MAX_TERM, 1)));
    expect(r.state.commitIndex).toBe(1);
    expect(stepChecked(r.state, TICK).messages).toHaveLength(2);
  });

  it('a follower of MAX_TERM - 1 still campaigns, for MAX_TERM', () => {
    const r = stepChecked(server(1, { currentTerm: MAX_TERM - 1 }), TIMEOUT);
    expect(r.state).toMatchObject({ role: 'candidate', currentTerm: MAX_TERM, votedFor: 1 });
    expect(r.messages.map((m) => m.term)).toEqual([MAX_TERM, MAX_TERM]);
  });
});

describe('a received message whose term is beyond MAX_TERM (or not an integer) is ignored as malformed', () => {
  const badTerms = [MAX_TERM + 1, 2 ** 53 - 1, 1.5, Number.NaN, -1, Infinity];
  const messagesWithTerm = (term: number): Message[] => [
    requestVote(0, 1, term, { index: 5, term: 3 }),
    voteReply(0, 1, term, true),
    appendEntries(0, 1, term, { prevLogIndex: 2, prevLogTerm: 3, entries: [entry(3, 'y')], leaderCommit: 3 }),
    accepted(0, 1, term, 2),
    rejected(0, 1, term, { term: 1, index: 1 }),
  ];
  const states = {
    follower: server(1, { currentTerm: 3, log: log(1, 3) }),
    candidate: stepChecked(server(1, { currentTerm: 2, log: log(1, 2) }), TIMEOUT).state,
    leader: electedLeader(1, 3, log(1, 2)),
  };

  for (const [role, state] of Object.entries(states)) {
    for (const term of badTerms) {
      it(`a ${role} given term ${term}: the state, the effects and the disk are untouched`, () => {
        for (const m of messagesWithTerm(term)) {
          const r = stepChecked(state, receive(m));
          expect(r.state, m.type).toBe(state);
          expect(r, m.type).toMatchObject({ messages: [], persist: null, apply: [], timers: [] });
        }
      });
    }
  }

  it('a message of term MAX_TERM itself is a valid message: it is adopted', () => {
    const r = stepChecked(states.follower, receive(requestVote(0, 1, MAX_TERM, { index: 2, term: 3 })));
    expect(r.state).toMatchObject({ currentTerm: MAX_TERM, votedFor: 0 });
    expect(r.persist).toMatchObject({ currentTerm: MAX_TERM, votedFor: 0 });
  });
});
