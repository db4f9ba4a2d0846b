import type { PersistentState } from '../../src/core/index.js';
import { formatMessage } from './actions.js';
import { configText, entryWords, isAppliedConfig, isAppliedNoop } from './configs.js';
import type { SystemState } from './system.js';

/** A few lines a person can read: one per server, then the messages in flight. */
export function describeSystem(s: SystemState): string {
  const lines = s.servers.map((slot, i) => {
    const st = slot.state;
    const log = (v: PersistentState): string =>
      `${v.lastIncludedIndex > 0 ? `snapshot=${v.lastIncludedIndex}@${v.lastIncludedTerm} ` : ''}[${v.log.map((e) => entryWords(e, String)).join(' ')}]`;
    if (!st) return `S${i} crashed disk(term=${slot.persisted.currentTerm} votedFor=${slot.persisted.votedFor ?? '-'} log=${log(slot.persisted)})`;
    return `S${i} ${st.role} term=${st.currentTerm} votedFor=${st.votedFor ?? '-'} log=${log(st)} commitIndex=${st.commitIndex}`;
  });
  for (const m of s.network) lines.push(`  ${formatMessage(m)}`);
  return lines.join('\n');
}

/** A command as written in a log: strings quoted, everything else as JSON or String(). */
export function formatCommand(c: unknown): string {
  if (typeof c === 'string') return JSON.stringify(c);
  // What the applied ghost records of a configuration entry and of a no-op (configs.ts).
  if (isAppliedNoop(c)) return 'noop';
  if (isAppliedConfig(c)) return `cfg${configText(c)}`;
  if (typeof c === 'number' || typeof c === 'boolean' || typeof c === 'bigint' || c === null || c === undefined) return String(c);
  try {
    return JSON.stringify(c) ?? String(c);
  } catch {
    return String(c);
  }
}
