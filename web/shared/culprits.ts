import type { Finding, FindingField, FindingPlace } from '../../model/raft/finding.js';

/**
 * Which servers, and which of their fields, the broken invariants are about: what a view
 * outlines in red, with a sentence per finding. Both come from the invariants' own findings
 * (model/raft/finding.ts), never from reading their text.
 */

export type CulpritField = FindingField;
export type Culprit = FindingPlace;

/** What breaks the invariants: the places to outline, and a sentence per finding for people. */
export interface Explanation {
  readonly culprits: readonly Culprit[];
  readonly notes: readonly string[];
}

export function explain(findings: readonly Finding[]): Explanation {
  return { culprits: findings.flatMap((f) => f.places), notes: findings.map((f) => f.sentence) };
}

/** The culprits of one server, for a view of that server. */
export function culpritsOf(all: readonly Culprit[], server: number): Culprit[] {
  return all.filter((c) => c.server === server);
}
