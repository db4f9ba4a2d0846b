import type { MessageType, Role } from '../../src/core/index.js';

/**
 * Colours with a meaning, shared by every view: a term has one colour everywhere (log entries,
 * term badges, messages), a message type has one (the lane diagram's arrows, the in-flight list).
 */

export interface Swatch {
  /** Fill. */
  readonly bg: string;
  /** Text on the fill. */
  readonly fg: string;
  /** Outline, a darker shade of the fill. */
  readonly border: string;
}

/** Terms 1, 2, 3, ... (Okabe-Ito-like hues, readable with the common colour-vision deficiencies); they repeat after 8. */
const TERM_SWATCHES: readonly Swatch[] = [
  { bg: '#d6e6fb', fg: '#0b3c7a', border: '#5b8fd6' }, // 1 blue
  { bg: '#fde2c4', fg: '#7a3e00', border: '#e69138' }, // 2 orange
  { bg: '#d3f0df', fg: '#0f5132', border: '#3fa56b' }, // 3 green
  { bg: '#eadcf7', fg: '#4a1f75', border: '#9b6bd1' }, // 4 purple
  { bg: '#fbd5e4', fg: '#7a1040', border: '#d9668f' }, // 5 pink
  { bg: '#d2f1f4', fg: '#0d4f57', border: '#3ba7b3' }, // 6 teal
  { bg: '#f4efc4', fg: '#5f5300', border: '#c2b038' }, // 7 olive
  { bg: '#e3e3e3', fg: '#333333', border: '#8a8a8a' }, // 8 grey
];

const TERM_ZERO: Swatch = { bg: '#f4f4f4', fg: '#666666', border: '#c8c8c8' };

/** The colour of a term (term 0, "no term yet", is neutral). */
export function termSwatch(term: number): Swatch {
  if (term <= 0) return TERM_ZERO;
  return TERM_SWATCHES[(term - 1) % TERM_SWATCHES.length]!;
}

/** Inline style for an element painted in a term's colour. */
export function termStyle(term: number): string {
  const c = termSwatch(term);
  return `background:${c.bg};color:${c.fg};border-color:${c.border}`;
}

export const ROLE_COLOUR: Readonly<Record<Role | 'down', Swatch>> = {
  follower: { bg: '#f3f4f6', fg: '#374151', border: '#9ca3af' },
  preCandidate: { bg: '#fdf6ea', fg: '#8a4b00', border: '#f0c080' },
  candidate: { bg: '#fff1d6', fg: '#8a4b00', border: '#f0a030' },
  leader: { bg: '#fff3a3', fg: '#6b5600', border: '#d4a800' },
  down: { bg: '#fde0e0', fg: '#9b1c1c', border: '#e05252' },
};

/**
 * Votes blue and replication green, the same hues as the Graphviz lane diagram (model/report/dot.ts);
 * snapshots (InstallSnapshot and its reply) brown, a hue no other mark or arrow of the pages uses
 * (dot.ts draws them purple, which on the pages means a duplicated copy or a client request).
 */
export const MESSAGE_COLOUR: Readonly<Record<MessageType, string>> = {
  RequestVote: '#1f5fbf',
  RequestVoteReply: '#6a8fd0',
  AppendEntries: '#1d7a3a',
  AppendEntriesReply: '#5fa468',
  InstallSnapshot: '#9a4a0c',
  InstallSnapshotReply: '#c98a55',
  PreVote: '#7a4fbf',
  PreVoteReply: '#a58fd0',
};

/** The compacted prefix of a log (the snapshot block before its entries). */
export const SNAPSHOT_SWATCH: Swatch = { bg: '#f3e6d8', fg: '#5c2c06', border: '#9a4a0c' };
