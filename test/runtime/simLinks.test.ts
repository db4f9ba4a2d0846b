import { describe, expect, test } from 'vitest';
import { allConnected, isCut, isIsolated, noneCut, withBothWays, withLink } from '../../src/runtime/index.js';

describe('simulated links (per direction)', () => {
  test('a link is cut one way only: a one-way partition', () => {
    const links = withLink(allConnected(3), 0, 1, true);
    expect(isCut(links, 0, 1)).toBe(true);
    expect(isCut(links, 1, 0)).toBe(false);
    expect(isCut(links, 0, 2)).toBe(false);
    expect(noneCut(links)).toBe(false);
    expect(noneCut(withLink(links, 0, 1, false))).toBe(true);
  });

  test('links are values: a change makes a new one and leaves the old as it was', () => {
    const before = allConnected(2);
    const after = withBothWays(before, 0, 1, true);
    expect(noneCut(before)).toBe(true);
    expect([isCut(after, 0, 1), isCut(after, 1, 0)]).toEqual([true, true]);
  });

  test('a server is isolated when every link to and from it is cut, not when one direction still carries', () => {
    let links = allConnected(3);
    links = withBothWays(links, 2, 0, true);
    links = withLink(links, 2, 1, true);
    expect(isIsolated(links, 2)).toBe(false); // 1 still reaches 2
    links = withLink(links, 1, 2, true);
    expect(isIsolated(links, 2)).toBe(true);
    expect(isIsolated(allConnected(1), 0)).toBe(false);
  });

  test('out-of-range servers are refused', () => {
    expect(() => allConnected(0)).toThrow(/servers = 0, not in 1\.\.31/);
    expect(() => withLink(allConnected(2), 0, 2, true)).toThrow(/no link 0→2 among 2 servers/);
  });
});
