/** Figure 2, "RequestVote RPC — Receiver implementation", with §5.4.1's up-to-date check. */
import { describe, expect, it } from 'vitest';
import { log, receive, requestVote, server, stepChecked, voteReply } from './helpers.js';

describe('RequestVote receiver', () => {
  it('1. reply false if term < currentTerm', () => {
    const s = server(1, { currentTerm: 3 });
    const r = stepChecked(s, receive(requestVote(0, 1, 2)));
    expect(r.messages).toEqual([voteReply(1, 0, 3, false)]);
    expect(r.state).toBe(s);
    expect(r.persist).toBeNull();
  });

  describe('2. if votedFor is null or candidateId, and the candidate’s log is at least as up-to-date: grant vote', () => {
    it('grants a vote when votedFor is null, records it and resets the election timer', () => {
      const r = stepChecked(server(1, { currentTerm: 2 }), receive(requestVote(0, 1, 2)));
      expect(r.messages).toEqual([voteReply(1, 0, 2, true)]);
      expect(r.state.votedFor).toBe(0);
      expect(r.timers).toEqual(['resetElectionTimer']);
    });

    it('a second candidate in the same term is refused', () => {
      const voted = stepChecked(server(1, { currentTerm: 2 }), receive(requestVote(0, 1, 2))).state;
      const r = stepChecked(voted, receive(requestVote(2, 1, 2)));
      expect(r.messages).toEqual([voteReply(1, 2, 2, false)]);
      expect(r.state).toBe(voted);
      expect(r.timers).toEqual([]);
    });

    it('the same candidate asking again (a retry or duplicate) is granted again', () => {
      const voted = stepChecked(server(1, { currentTerm: 2 }), receive(requestVote(0, 1, 2))).state;
      const r = stepChecked(voted, receive(requestVote(0, 1, 2)));
      expect(r.messages).toEqual([voteReply(1, 0, 2, true)]);
      expect(r.persist).toBeNull(); // nothing new to write
    });

    it('a candidate never votes for another candidate of its own term', () => {
      const candidate = server(1, { currentTerm: 2, role: 'candidate', votedFor: 1, votesGranted: [false, true, false] });
      const r = stepChecked(candidate, receive(requestVote(0, 1, 2)));
      expect(r.messages).toEqual([voteReply(1, 0, 2, false)]);
    });

    describe('up-to-date: the later last term wins; with equal last terms the longer log wins', () => {
      const voter = server(1, { currentTerm: 5, log: log(1, 3, 3) }); // last entry: index 3, term 3
      const cases: Array<[string, { index: number; term: number }, boolean]> = [
        ['later last term, shorter log: granted', { index: 1, term: 4 }, true],
        ['earlier last term, longer log: refused', { index: 9, term: 2 }, false],
        ['equal last term, longer log: granted', { index: 4, term: 3 }, true],
        ['equal last term, equal length: granted', { index: 3, term: 3 }, true],
        ['equal last term, shorter log: refused', { index: 2, term: 3 }, false],
        ['empty log against a non-empty one: refused', { index: 0, term: 0 }, false],
      ];
      for (const [name, last, granted] of cases) {
        it(name, () => {
          const r = stepChecked(voter, receive(requestVote(0, 1, 5, last)));
          expect(r.messages).toEqual([voteReply(1, 0, 5, granted)]);
          expect(r.state.votedFor).toBe(granted ? 0 : null);
        });
      }

      it('two empty logs: granted', () => {
        const r = stepChecked(server(1, { currentTerm: 1 }), receive(requestVote(0, 1, 1)));
        expect(r.messages).toEqual([voteReply(1, 0, 1, true)]);
      });
    });
  });
});
