import type { Configuration } from '../core/index.js';

/**
 * The one shape rule for a cluster configuration (thesis §4.1) read from untrusted bytes, shared
 * by the wire codec (net/codec.ts) and the disk format (diskFormat.ts): `voters` and `learners`
 * are arrays of server ids (non-negative safe integers, below `clusterSize` when it is known),
 * each strictly ascending, the two disjoint, at least one voter (the core never removes the last
 * one: 'last-voter'). Each user wraps the problem in its own error.
 */
export function configurationProblem(value: unknown, clusterSize: number | null = null): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not an object with voters and learners';
  const keys = Object.keys(value).sort().join(',');
  if (keys !== 'learners,voters') return `has the fields {${keys}}, not exactly {learners,voters}`;
  const { voters, learners } = value as Record<string, unknown>;
  const ids = (list: unknown, name: string): string | null => {
    if (!Array.isArray(list)) return `${name} is not an array`;
    for (let i = 0; i < list.length; i++) {
      const id: unknown = list[i];
      if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) return `${name}[${i}] is ${JSON.stringify(id)}, not a server id`;
      if (clusterSize !== null && id >= clusterSize) return `${name}[${i}] is ${id}, outside 0..${clusterSize - 1}`;
      if (i > 0 && id <= (list[i - 1] as number)) return `${name} is not strictly ascending at [${i}]`;
    }
    return null;
  };
  const problem = ids(voters, 'voters') ?? ids(learners, 'learners');
  if (problem !== null) return problem;
  const v = voters as readonly number[];
  const l = learners as readonly number[];
  if (v.length === 0) return 'has no voter';
  const both = l.find((id) => v.includes(id));
  if (both !== undefined) return `server ${both} is both a voter and a learner`;
  return null;
}

/** A validated configuration as a fresh frozen value (so what a reader gives back is the core's shape, nothing more). */
export function frozenConfiguration(value: Configuration): Configuration {
  return Object.freeze({ voters: Object.freeze([...value.voters]), learners: Object.freeze([...value.learners]) });
}

/** Equality of two configurations (or both absent). */
export function sameConfiguration(a: Configuration | undefined, b: Configuration | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const same = (x: readonly number[], y: readonly number[]): boolean => x.length === y.length && x.every((id, i) => id === y[i]);
  return same(a.voters, b.voters) && same(a.learners, b.learners);
}
