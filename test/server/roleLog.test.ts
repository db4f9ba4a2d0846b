import { expect, test } from 'vitest';
import { EMPTY_PERSISTENT_STATE, restore } from '../../src/core/index.js';
import { roleChangeLine } from '../../src/server/roleLog.js';

test('one line per role change, nothing otherwise', () => {
  const follower = restore(0, 3, EMPTY_PERSISTENT_STATE);
  const candidate = { ...follower, role: 'candidate' as const, currentTerm: 1 };
  expect(roleChangeLine(follower, { ...follower, currentTerm: 5 })).toBeNull();
  expect(roleChangeLine(follower, candidate)).toBe('node 0: follower -> candidate in term 1 (log 0, commitIndex 0)');
});
