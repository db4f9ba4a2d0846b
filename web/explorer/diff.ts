import type { RaftState } from '../../src/core/index.js';
import { plainMessageKey } from '../../model/raft/keys.js';
import type { SystemState } from '../../model/raft/system.js';
import { logText, messageText, route } from '../shared/format.js';

/** Where a replayed state and a recorded one differ, field by field, in words: "s1 currentTerm: core 2, trace 3". */

const list = (xs: readonly unknown[]): string => `[${xs.map(String).join(',')}]`;

const SERVER_FIELDS: readonly [string, (s: RaftState) => string][] = [
  ['role', (s) => s.role],
  ['currentTerm', (s) => String(s.currentTerm)],
  ['votedFor', (s) => (s.votedFor === null ? 'null' : `s${s.votedFor}`)],
  ['log', (s) => logText(s)],
  ['commitIndex', (s) => String(s.commitIndex)],
  ['lastApplied', (s) => String(s.lastApplied)],
  ['votesGranted', (s) => list(s.votesGranted)],
  ['nextIndex', (s) => list(s.nextIndex)],
  ['matchIndex', (s) => list(s.matchIndex)],
];

export interface FieldDifference {
  readonly where: string;
  readonly core: string;
  readonly trace: string;
}

export function diffStates(core: SystemState, trace: SystemState): FieldDifference[] {
  const out: FieldDifference[] = [];
  const add = (where: string, a: string, b: string): void => {
    if (a !== b) out.push({ where, core: a, trace: b });
  };
  const n = Math.max(core.servers.length, trace.servers.length);
  for (let i = 0; i < n; i++) {
    const a = core.servers[i];
    const b = trace.servers[i];
    if (!a || !b) {
      add(`s${i}`, a ? 'present' : 'absent', b ? 'present' : 'absent');
      continue;
    }
    if (!a.state || !b.state) add(`s${i}`, a.state ? 'up' : 'down', b.state ? 'up' : 'down');
    else for (const [name, f] of SERVER_FIELDS) add(`s${i} ${name}`, f(a.state), f(b.state));
    add(`s${i} disk currentTerm`, String(a.persisted.currentTerm), String(b.persisted.currentTerm));
    add(`s${i} disk votedFor`, String(a.persisted.votedFor), String(b.persisted.votedFor));
    add(`s${i} disk log`, logText(a.persisted), logText(b.persisted));
    add(`s${i} disk snapshot`, JSON.stringify(a.persisted.snapshot), JSON.stringify(b.persisted.snapshot));
  }
  const net = (s: SystemState): Map<string, { text: string; count: number }> => {
    const m = new Map<string, { text: string; count: number }>();
    for (const msg of s.network) {
      const k = plainMessageKey(msg);
      const e = m.get(k);
      if (e) e.count++;
      else m.set(k, { text: `${route(msg)} ${messageText(msg)}`, count: 1 });
    }
    return m;
  };
  const na = net(core);
  const nb = net(trace);
  for (const k of new Set([...na.keys(), ...nb.keys()])) {
    const a = na.get(k);
    const b = nb.get(k);
    add(`in flight: ${(a ?? b)!.text}`, `${a?.count ?? 0} copies`, `${b?.count ?? 0} copies`);
  }
  add('commands issued', String(core.commandsIssued), String(trace.commandsIssued));
  add('crashes', String(core.crashes), String(trace.crashes));
  add('restarts', String(core.restarts), String(trace.restarts));
  add('committed (history)', core.committed.map((c) => `${c.term}:${String(c.command)}@t${c.commitTerm}`).join(' '), trace.committed.map((c) => `${c.term}:${String(c.command)}@t${c.commitTerm}`).join(' '));
  add('applied (history)', list(core.applied), list(trace.applied));
  add('elected (history)', list(core.elected), list(trace.elected));
  add('candidates (history)', list(core.candidates), list(trace.candidates));
  add('breach', core.breach?.invariant ?? 'none', trace.breach?.invariant ?? 'none');
  return out;
}
