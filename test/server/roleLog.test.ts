import { expect, test } from 'vitest';
import { EMPTY_PERSISTENT_STATE, MAX_TERM, restore } from '../../src/core/index.js';
import { roleChangeLine } from '../../src/server/roleLog.js';

test('one line per role change, nothing otherwise', () => {
  const follower = restore(0, 3, EMPTY_PERSISTENT_STATE);
  const candidate = { ...follower, role: 'candidate' as const, currentTerm: 1 };
  expect(roleChangeLine(follower, { ...follower, currentTerm: 5 })).toBeNull();
  expect(roleChangeLine(follower, candidate)).toBe('node 0: follower -> candidate in term 1 (log 0, commitIndex 0)');
});

test('one line, once, when currentTerm reaches MAX_TERM (it will not campaign any more)', () => {
  const follower = restore(2, 3, { ...EMPTY_PERSISTENT_STATE, currentTerm: 7 });
  const atMax = { ...follower, currentTerm: MAX_TERM };
  const said = 'node 2: currentTerm is 4294967295, the largest term (MAX_TERM): this node will never campaign again';
  expect(roleChangeLine(follower, atMax)).toBe(said);
  // Said once: later steps at MAX_TERM (a vote, a new entry) say nothing.
  expect(roleChangeLine(atMax, { ...atMax, votedFor: 1 })).toBeNull();
  expect(roleChangeLine(atMax, { ...atMax, commitIndex: 3 })).toBeNull();
  // A role change on the same step: both, on one line.
  const candidate = { ...atMax, role: 'candidate' as const, votedFor: 2 };
  expect(roleChangeLine(follower, candidate)).toBe(
    'node 2: follower -> candidate in term 4294967295 (log 0, commitIndex 0); currentTerm is 4294967295, the largest term (MAX_TERM): this node will never campaign again',
  );
});
