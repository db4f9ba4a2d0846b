import { describe, expect, test } from 'vitest';
import { durabilityProblems, type History } from '../cluster/verdict.js';

const good: History = {
  finals: [['a', 'b', 'c', 'final'], ['a', 'b', 'c', 'final'], ['a', 'b', 'c', 'final', 'later']],
  upTo: 4,
  acked: new Map([['a', 1], ['c', 3]]),
  snapshots: [[['a']], [], [['a', 'b', 'c']]],
};

describe('the durability verdict', () => {
  test('holds for a consistent history', () => {
    expect(durabilityProblems(good)).toEqual([]);
  });

  test('an acknowledged command that is missing', () => {
    expect(durabilityProblems({ ...good, acked: new Map([['x', 2]]) })).toEqual([
      'acknowledged x at position 2, but position 2 holds "b"',
    ]);
  });

  test('an acknowledged command at another position', () => {
    expect(durabilityProblems({ ...good, acked: new Map([['c', 2]]) })).toHaveLength(1);
  });

  test('nodes that applied different sequences', () => {
    const finals = [good.finals[0]!, ['a', 'c', 'b', 'final'], good.finals[2]!];
    expect(durabilityProblems({ ...good, finals })).toEqual(['node 1 differs from node 0 at position 2: "c" vs "b"']);
  });

  test('a node that applied too little', () => {
    expect(durabilityProblems({ ...good, finals: [['a'], ['a'], ['a']] })[0]).toMatch(/fewer than 4/);
  });

  test('a command applied twice', () => {
    const finals = [['a', 'a', 'c', 'final'], ['a', 'a', 'c', 'final'], ['a', 'a', 'c', 'final']];
    expect(durabilityProblems({ ...good, finals, acked: new Map(), snapshots: [] })).toEqual(['"a" applied twice (again at position 2)']);
  });

  test('something applied earlier that the final sequence does not hold', () => {
    expect(durabilityProblems({ ...good, snapshots: [[['a', 'x']], [], []] })).toEqual([
      'node 0 once applied "x" at position 2, which the final sequence does not hold there',
    ]);
  });
});
