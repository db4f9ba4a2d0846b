import type { Message, RaftState } from '../../src/core/index.js';
import { entryWords } from '../raft/configs.js';
import { plainMessageKey } from '../raft/keys.js';
import type { SystemState } from '../raft/system.js';
import { logText, messageText, route } from './state-text.js';

/**
 * Where two system states differ, field by field, in words: the explorer page's disagreement
 * table (core vs trace file), the replay's mismatch report and the terminal's compact trace
 * (before vs after a step) all read this one list.
 */

const list = (xs: readonly unknown[]): string => `[${xs.map(String).join(',')}]`;

const SERVER_FIELDS: readonly [string, (s: RaftState) => string][] = [
  ['role', (s) => s.role],
  ['currentTerm', (s) => String(s.currentTerm)],
  ['votedFor', (s) => (s.votedFor === null ? '-' : String(s.votedFor))],
  ['log', (s) => logText(s)],
  ['commitIndex', (s) => String(s.commitIndex)],
  ['lastApplied', (s) => String(s.lastApplied)],
  ['votesGranted', (s) => list(s.votesGranted)],
  ['nextIndex', (s) => list(s.nextIndex)],
  ['matchIndex', (s) => list(s.matchIndex)],
];

/** One field that differs: of server `server` (null: of the system: network, budgets, history). */
export interface FieldChange {
  readonly server: number | null;
  readonly field: string;
  readonly before: string;
  readonly after: string;
}

/** "s1 currentTerm" or "crashes": a change's place in words. */
export const changePlace = (c: FieldChange): string => (c.server === null ? c.field : `s${c.server} ${c.field}`);

/** The messages of `after` not in `before` and those of `before` gone from `after`, as a multiset. */
export function networkChanges(before: SystemState, after: SystemState): { readonly added: Message[]; readonly removed: Message[] } {
  const count = new Map<string, number>();
  for (const m of before.network) count.set(plainMessageKey(m), (count.get(plainMessageKey(m)) ?? 0) + 1);
  const added: Message[] = [];
  for (const m of after.network) {
    const k = plainMessageKey(m);
    const n = count.get(k) ?? 0;
    if (n > 0) count.set(k, n - 1);
    else added.push(m);
  }
  const removed: Message[] = [];
  for (const m of before.network) {
    const k = plainMessageKey(m);
    const n = count.get(k) ?? 0;
    if (n > 0) {
      count.set(k, n - 1);
      removed.push(m);
    }
  }
  return { added, removed };
}

export const messageWords = (m: Message): string => `${route(m)} ${messageText(m)}`;

/** Every field of `after` that differs from `before`: servers first (memory, then disk), then the network and the run's history. */
export function stateChanges(before: SystemState, after: SystemState): FieldChange[] {
  const out: FieldChange[] = [];
  const add = (server: number | null, field: string, a: string, b: string): void => {
    if (a !== b) out.push({ server, field, before: a, after: b });
  };
  const n = Math.max(before.servers.length, after.servers.length);
  for (let i = 0; i < n; i++) {
    const a = before.servers[i];
    const b = after.servers[i];
    if (!a || !b) {
      add(i, 'server', a ? 'present' : 'absent', b ? 'present' : 'absent');
      continue;
    }
    if (!a.state || !b.state) add(i, 'server', a.state ? 'up' : 'down', b.state ? 'up' : 'down');
    else for (const [name, f] of SERVER_FIELDS) add(i, name, f(a.state), f(b.state));
    add(i, 'disk currentTerm', String(a.persisted.currentTerm), String(b.persisted.currentTerm));
    add(i, 'disk votedFor', a.persisted.votedFor === null ? '-' : String(a.persisted.votedFor), b.persisted.votedFor === null ? '-' : String(b.persisted.votedFor));
    add(i, 'disk log', logText(a.persisted), logText(b.persisted));
    add(i, 'disk snapshot', JSON.stringify(a.persisted.snapshot), JSON.stringify(b.persisted.snapshot));
  }
  const { added, removed } = networkChanges(before, after);
  for (const m of removed) add(null, `in flight: ${messageWords(m)}`, 'present', 'absent');
  for (const m of added) add(null, `in flight: ${messageWords(m)}`, 'absent', 'present');
  add(null, 'commands issued', String(before.commandsIssued), String(after.commandsIssued));
  add(null, 'crashes', String(before.crashes), String(after.crashes));
  add(null, 'restarts', String(before.restarts), String(after.restarts));
  add(null, 'snapshots', String(before.snapshots), String(after.snapshots));
  add(null, 'config changes', String(before.configChanges ?? 0), String(after.configChanges ?? 0));
  const committed = (s: SystemState): string => s.committed.map((c) => `${entryWords(c, String)}@t${c.commitTerm}`).join(' ');
  add(null, 'committed (history)', committed(before), committed(after));
  add(null, 'applied (history)', list(before.applied), list(after.applied));
  add(null, 'elected (history)', list(before.elected), list(after.elected));
  add(null, 'candidates (history)', list(before.candidates), list(after.candidates));
  add(null, 'breach', before.breach?.invariant ?? 'none', after.breach?.invariant ?? 'none');
  return out;
}
