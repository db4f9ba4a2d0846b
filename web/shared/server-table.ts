import type { PersistentState, RaftState } from '../../src/core/index.js';
import { ROLE_COLOUR, termStyle } from './colours.js';
import type { Culprit, CulpritField } from './culprits.js';
import { type Child, h } from './dom.js';
import { logText, serverName, snapshotExtent } from './format.js';
import { logView } from './log-view.js';

/** One server as the table shows it. */
export interface ServerRow {
  readonly id: number;
  /** The in-memory state; null while the server is down. */
  readonly state: RaftState | null;
  /** What its disk holds; shown when it differs from memory, and always while the server is down. */
  readonly persisted?: PersistentState;
  /** The same server one step earlier: fields that changed since are marked. */
  readonly previous?: { readonly state: RaftState | null; readonly persisted?: PersistentState };
  /** What an invariant blames on this server: outlined in red. */
  readonly culprits?: readonly Culprit[];
}

export interface ServerTableOptions {
  /** Column heads and cells for the leader's bookkeeping; on by default. */
  readonly showIndices?: boolean;
}

const voted = (v: number | null): string => (v === null ? '—' : serverName(v));

const sameLog = (a: PersistentState['log'], b: PersistentState['log']): boolean =>
  a === b || (a.length === b.length && a.every((e, i) => e.term === b[i]!.term && e.command === b[i]!.command));

/** The snapshot is the service's opaque value: compared as the JSON it travels and is stored as. */
const sameSnapshot = (a: PersistentState, b: PersistentState): boolean =>
  a.lastIncludedIndex === b.lastIncludedIndex && a.lastIncludedTerm === b.lastIncludedTerm && (a.snapshot === b.snapshot || JSON.stringify(a.snapshot) === JSON.stringify(b.snapshot));

const samePersistent = (a: PersistentState, b: PersistentState): boolean =>
  a.currentTerm === b.currentTerm && a.votedFor === b.votedFor && sameSnapshot(a, b) && sameLog(a.log, b.log);

/** "≤7@t2" for a server whose log is compacted through 7, "—" for one with no snapshot. */
const snapshotCell = (v: PersistentState): Child =>
  v.lastIncludedIndex === 0 ? h('span', { class: 'pr-muted' }, '—') : snapshotExtent(v.lastIncludedIndex, v.lastIncludedTerm);

function cell(testid: string, field: CulpritField | null, row: ServerRow, changed: boolean, ...children: Child[]): HTMLTableCellElement {
  const blamed = field !== null && (row.culprits ?? []).some((c) => c.field === field);
  return h('td', { class: `pr-cell${changed ? ' is-changed' : ''}${blamed ? ' is-culprit' : ''}`, 'data-testid': testid, 'data-changed': String(changed), 'data-culprit': String(blamed) }, ...children);
}

/** Per-peer numbers (nextIndex, matchIndex) of a leader, "s1 3"; the leader's own slot is left out. */
function peerList(testid: string, id: number, values: readonly number[], blamedPeers: ReadonlySet<number>): HTMLElement {
  return h('span', { class: 'pr-peers' }, values.map((v, peer) => peer === id ? null : h('span', {
    class: `pr-peer${blamedPeers.has(peer) ? ' is-culprit' : ''}`,
    'data-testid': testid,
    'data-peer': peer,
    'data-value': v,
    title: `${testid === 'next-index' ? 'nextIndex' : 'matchIndex'}[${serverName(peer)}] = ${v}`,
  }, h('span', { class: 'pr-peer-name' }, serverName(peer)), String(v))));
}

function roleBadge(st: RaftState | null): HTMLElement {
  const role = st?.role ?? 'down';
  const c = ROLE_COLOUR[role];
  const asking = st?.role === 'candidate' || st?.role === 'preCandidate';
  const votes = asking ? st.votesGranted.flatMap((g, i) => (g ? [serverName(i)] : [])) : [];
  return h('span', { class: `pr-role pr-role-${role}`, style: `background:${c.bg};color:${c.fg};border-color:${c.border}` },
    role === 'down' ? 'DOWN' : role,
    asking ? h('span', { class: 'pr-votes', title: st.role === 'candidate' ? 'votes granted in this term' : 'pre-votes granted for the next term' }, ` ${st.role === 'candidate' ? 'votes' : 'pre-votes'} ${votes.length > 0 ? votes.join(',') : '—'}`) : null);
}

function diskView(row: ServerRow): HTMLElement | string {
  const disk = row.persisted;
  if (!disk) return '';
  const st = row.state;
  if (st && samePersistent(st, disk)) return h('span', { class: 'pr-muted', title: 'currentTerm, votedFor, snapshot and log on disk equal memory' }, '= memory');
  const blamedIdx = new Set((row.culprits ?? []).flatMap((c) => (c.field === 'disk' && c.index !== undefined ? [c.index] : [])));
  const expected = new Map((row.culprits ?? []).flatMap((c) => (c.field === 'disk' && c.index !== undefined && c.expected ? [[c.index, c.expected] as const] : [])));
  return h('span', { class: 'pr-disk' },
    h('span', { class: 'pr-term', style: termStyle(disk.currentTerm) }, `t${disk.currentTerm}`),
    h('span', { class: 'pr-muted' }, ` voted ${voted(disk.votedFor)} `),
    logView(disk, { highlight: blamedIdx, expected }));
}

function serverRow(row: ServerRow, showIndices: boolean, showSnapshot: boolean): HTMLTableRowElement {
  const st = row.state;
  const prev = row.previous;
  const had = prev?.state ?? null;
  const changed = (f: (x: RaftState) => unknown): boolean => prev !== undefined && (had === null || st === null ? had !== st : f(had) !== f(st));
  const culprits = row.culprits ?? [];
  const blamedLog = new Set(culprits.flatMap((c) => (c.field === 'log' && c.index !== undefined ? [c.index] : [])));
  const expectedLog = new Map(culprits.flatMap((c) => (c.field === 'log' && c.index !== undefined && c.expected ? [[c.index, c.expected] as const] : [])));
  const blamedMatch = new Set(culprits.flatMap((c) => (c.field === 'matchIndex' && c.peer !== undefined ? [c.peer] : [])));
  const isLeader = st?.role === 'leader';
  const diskChanged = prev !== undefined && row.persisted !== undefined && prev.persisted !== undefined && !samePersistent(prev.persisted, row.persisted);
  const roleChanged = prev !== undefined && (had?.role ?? 'down') !== (st?.role ?? 'down');

  return h('tr', {
    class: `pr-server${st ? '' : ' is-down'}${culprits.length > 0 ? ' is-culprit' : ''}`,
    'data-testid': 'server-row',
    'data-server': row.id,
    'data-role': st?.role ?? 'down',
    'data-term': st?.currentTerm ?? '',
    'data-voted-for': st ? (st.votedFor === null ? '' : st.votedFor) : '',
    'data-commit-index': st?.commitIndex ?? '',
    'data-log': st ? st.log.map((e) => `${e.term}:${String(e.command)}`).join(' ') : '',
    'data-last-included-index': st?.lastIncludedIndex ?? '',
    'data-culprit': String(culprits.length > 0),
  },
  h('th', { scope: 'row', class: `pr-server-name${culprits.some((c) => c.field === 'server') ? ' is-culprit' : ''}` }, serverName(row.id)),
  cell('role', 'role', row, roleChanged, roleBadge(st)),
  cell('term', 'currentTerm', row, changed((x) => x.currentTerm), st ? h('span', { class: 'pr-term', style: termStyle(st.currentTerm) }, String(st.currentTerm)) : ''),
  cell('voted-for', 'votedFor', row, changed((x) => x.votedFor), st ? voted(st.votedFor) : ''),
  showSnapshot ? cell('last-included-index', null, row, changed((x) => `${x.lastIncludedIndex}@${x.lastIncludedTerm}`), st ? snapshotCell(st) : '') : null,
  cell('log-cell', 'log', row, changed((x) => logText(x)),
    st ? logView(st, { commitIndex: st.commitIndex, highlight: blamedLog, expected: expectedLog, ...(had ? { previous: had } : {}) }) : h('span', { class: 'pr-muted' }, '(memory lost)')),
  cell('commit-index', 'commitIndex', row, changed((x) => x.commitIndex), st ? String(st.commitIndex) : ''),
  showIndices ? cell('next-indices', null, row, changed((x) => x.nextIndex.join()), isLeader ? peerList('next-index', row.id, st.nextIndex, new Set()) : h('span', { class: 'pr-muted' }, '—')) : null,
  showIndices ? cell('match-indices', 'matchIndex', row, changed((x) => x.matchIndex.join()), isLeader ? peerList('match-index', row.id, st.matchIndex, blamedMatch) : h('span', { class: 'pr-muted' }, '—')) : null,
  row.persisted !== undefined ? cell('disk', 'disk', row, diskChanged, diskView(row)) : null);
}

/**
 * Every server's state in one table: role, currentTerm, votedFor, the snapshot (lastIncludedIndex@
 * lastIncludedTerm; the column once any server has one), log (a snapshot block, then chips coloured by term, committed ones solid), commitIndex, a leader's nextIndex and matchIndex per peer, and the disk
 * when it differs from memory. Cells changed since `previous` get `is-changed`; culprits get
 * `is-culprit`. Rows are data-testid="server-row" with data-server, data-role, data-term,
 * data-voted-for, data-commit-index, data-log (the entries after the snapshot), data-last-included-index,
 * data-culprit.
 */
export function serverTable(rows: readonly ServerRow[], options: ServerTableOptions = {}): HTMLTableElement {
  const showIndices = options.showIndices ?? true;
  const showDisk = rows.some((r) => r.persisted !== undefined);
  // A column for the snapshot once any server, in memory or on disk, has one (traces without snapshots look as they did).
  const showSnapshot = rows.some((r) => (r.state?.lastIncludedIndex ?? 0) > 0 || (r.persisted?.lastIncludedIndex ?? 0) > 0);
  return h('table', { class: 'pr-servers', 'data-testid': 'servers' },
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'server'), h('th', { scope: 'col' }, 'role'), h('th', { scope: 'col', title: 'currentTerm' }, 'term'),
      h('th', { scope: 'col', title: 'votedFor' }, 'voted'),
      showSnapshot ? h('th', { scope: 'col', title: 'the snapshot: lastIncludedIndex@lastIncludedTerm (the log holds the entries after it)' }, 'snapshot') : null, h('th', { scope: 'col' }, 'log'), h('th', { scope: 'col', title: 'commitIndex' }, 'commit'),
      showIndices ? h('th', { scope: 'col', title: 'nextIndex (leader)' }, 'next') : null,
      showIndices ? h('th', { scope: 'col', title: 'matchIndex (leader)' }, 'match') : null,
      showDisk ? h('th', { scope: 'col', title: 'persisted currentTerm, votedFor, snapshot, log' }, 'disk') : null)),
    h('tbody', {}, rows.map((r) => serverRow(r, showIndices, showSnapshot))));
}
