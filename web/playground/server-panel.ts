import { ROLE_COLOUR, termSwatch } from '../shared/colours.js';
import { h } from '../shared/dom.js';
import { serverName, snapshotExtent } from '../shared/format.js';
import { configText } from '../shared/config-text.js';
import { clusterConfiguration, configurationOf, isIsolated, membershipOf, type Membership, type Sim } from './sim.js';

/**
 * One row per server: role, its membership in the cluster's configuration (voter, learner,
 * outside: waiting to be added, removed), its own configuration in effect ("{0,1,2 +3}": voters
 * 0-2, learner 3), currentTerm, votedFor, commitIndex, lastApplied, the snapshot
 * (lastIncludedIndex@lastIncludedTerm; a crashed server's on its disk), the election timer
 * (a leader's next heartbeat instead), and the moves the user can make on it (the membership
 * changes the leader would take for it among them). The rows and their
 * buttons are built once and updated in place, so a click is never lost to a redraw.
 * Rows are data-testid="server-row" with data-server, data-role, data-term, data-voted-for,
 * data-commit-index, data-last-included-index (as web/shared's server table names them),
 * data-membership and data-config.
 */

export interface ServerHandlers {
  readonly onRequest: (server: number) => void;
  readonly onTimeout: (server: number) => void;
  readonly onCrash: (server: number) => void;
  readonly onRestart: (server: number) => void;
  readonly onIsolate: (server: number) => void;
  /** Ask the leader to add the server as a learner, promote it to voter, remove it. */
  readonly onAddLearner: (server: number) => void;
  readonly onPromote: (server: number) => void;
  readonly onRemove: (server: number) => void;
}

const MEMBERSHIP_TITLE: Readonly<Record<Membership, string>> = {
  voter: 'a voter of the cluster\'s configuration (the leader\'s in effect): it votes, stands and counts in quorums',
  learner: 'a learner: the leader replicates to it, but it neither votes nor stands',
  outside: 'outside the cluster: it waits to be added (as a learner first)',
  removed: 'removed from the cluster\'s configuration',
};

export interface ServerPanel {
  readonly element: HTMLElement;
  update(sim: Sim): void;
}

interface Row {
  readonly tr: HTMLTableRowElement;
  readonly role: HTMLElement;
  readonly term: HTMLElement;
  readonly voted: HTMLElement;
  readonly commit: HTMLElement;
  readonly applied: HTMLElement;
  readonly snapshot: HTMLElement;
  readonly timerFill: HTMLElement;
  readonly timerText: HTMLElement;
  readonly request: HTMLButtonElement;
  readonly timeout: HTMLButtonElement;
  readonly crash: HTMLButtonElement;
  readonly restart: HTMLButtonElement;
  readonly isolate: HTMLButtonElement;
  readonly membership: HTMLElement;
  readonly config: HTMLElement;
  readonly add: HTMLButtonElement;
  readonly promote: HTMLButtonElement;
  readonly remove: HTMLButtonElement;
  key: string;
}

const btn = (label: string, testid: string, title: string, cls = ''): HTMLButtonElement =>
  h('button', { type: 'button', class: `pg-btn is-small ${cls}`, 'data-testid': testid, title }, label);

export function serverPanel(servers: number, handlers: ServerHandlers): ServerPanel {
  const rows: Row[] = [];
  const body = h('tbody', {});
  for (let i = 0; i < servers; i++) {
    const role = h('span', { class: 'pg-role' });
    const term = h('span', { class: 'pg-term-chip' });
    const voted = h('span', {});
    const commit = h('span', {});
    const applied = h('span', {});
    const snapshot = h('span', {});
    const timerFill = h('span', { class: 'pg-timer-fill' });
    const timerText = h('span', { class: 'pg-timer-text' });
    const request = btn('Request', `request-${i}`, `ClientRequest(${i}): a client command to ${serverName(i)} (only a leader takes it: it appends it to its log)`);
    const timeout = btn('Timeout', `timeout-${i}`, `Timeout(${i}): ${serverName(i)}'s election timer fires now`);
    const crash = btn('Crash', `crash-${i}`, `Crash(${i}): ${serverName(i)} loses its memory and the messages to it; its disk survives`, 'is-danger');
    const restart = btn('Restart', `restart-${i}`, `Restart(${i}): ${serverName(i)} starts again from its disk`);
    const isolate = btn('Isolate', `isolate-${i}`, `cut (or heal) every link of ${serverName(i)}`);
    const membership = h('span', { class: 'pg-membership', 'data-testid': `membership-${i}` });
    const config = h('span', { class: 'pg-config', 'data-testid': `config-${i}` });
    const add = btn('Add', `add-${i}`, `ChangeMembership(AddLearner ${serverName(i)}), to the leader: ${serverName(i)} joins as a learner and catches up`, 'is-member');
    const promote = btn('Promote', `promote-${i}`, `ChangeMembership(PromoteLearner ${serverName(i)}), to the leader: the learner becomes a voter`, 'is-member');
    const remove = btn('Remove', `remove-${i}`, `ChangeMembership(RemoveServer ${serverName(i)}), to the leader: ${serverName(i)} leaves the configuration`, 'is-member');
    request.addEventListener('click', () => handlers.onRequest(i));
    timeout.addEventListener('click', () => handlers.onTimeout(i));
    crash.addEventListener('click', () => handlers.onCrash(i));
    restart.addEventListener('click', () => handlers.onRestart(i));
    isolate.addEventListener('click', () => handlers.onIsolate(i));
    add.addEventListener('click', () => handlers.onAddLearner(i));
    promote.addEventListener('click', () => handlers.onPromote(i));
    remove.addEventListener('click', () => handlers.onRemove(i));
    const tr = h('tr', { 'data-testid': 'server-row', 'data-server': i },
      h('th', { scope: 'row' }, serverName(i)),
      h('td', {}, role),
      h('td', { class: 'pg-member' }, membership, config),
      h('td', { class: 'pg-num' }, term),
      h('td', { class: 'pg-num' }, voted),
      h('td', { class: 'pg-num', 'data-testid': `commit-${i}` }, commit),
      h('td', { class: 'pg-num' }, applied),
      h('td', { class: 'pg-num', 'data-testid': `snapshot-${i}` }, snapshot),
      h('td', {}, h('div', { class: 'pg-timer', 'data-testid': `timer-${i}` }, h('span', { class: 'pg-timer-bar' }, timerFill), timerText)),
      h('td', { class: 'pg-actions' }, request, timeout, crash, restart, h('div', { class: 'pg-moves-more' }, isolate, add, promote, remove)));
    body.appendChild(tr);
    rows.push({ tr, role, term, voted, commit, applied, snapshot, timerFill, timerText, request, timeout, crash, restart, isolate, membership, config, add, promote, remove, key: '' });
  }

  const table = h('table', { class: 'pg-servers', 'data-testid': 'servers' },
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'server'), h('th', { scope: 'col' }, 'role'),
      h('th', { scope: 'col', title: 'its place in the cluster\'s configuration (the leader\'s in effect): voter, learner, outside (waiting to be added) or removed; below, its own configuration in effect (the latest in its log, committed or not): {voters +learners}' }, 'member'),
      h('th', { scope: 'col', class: 'pg-num', title: 'currentTerm' }, 'term'),
      h('th', { scope: 'col', class: 'pg-num', title: 'votedFor' }, 'voted for'),
      h('th', { scope: 'col', class: 'pg-num', title: 'commitIndex' }, 'commit'),
      h('th', { scope: 'col', class: 'pg-num', title: 'lastApplied' }, 'applied'),
      h('th', { scope: 'col', class: 'pg-num', title: 'the snapshot: lastIncludedIndex@lastIncludedTerm (its log holds the entries after it)' }, 'snapshot'),
      h('th', { scope: 'col', title: 'time left until the election timeout (a leader: until its next heartbeat)' }, 'election timer'),
      h('th', { scope: 'col' }, 'moves'))),
    body);

  function update(sim: Sim): void {
    const canCrash = sim.system.crashes < sim.bounds.maxCrashes;
    const cluster = clusterConfiguration(sim);
    rows.forEach((r, i) => {
      const st = sim.system.servers[i]!.state;
      const roleName = st?.role ?? 'down';
      const isolated = isIsolated(sim, i);
      const view = st ?? sim.system.servers[i]!.persisted;
      const member = membershipOf(sim, i, cluster);
      const own = configText(configurationOf(sim, i));
      const key = `${roleName}|${st?.currentTerm}|${st?.votedFor}|${st?.commitIndex}|${st?.lastApplied}|${view.lastIncludedIndex}|${isolated}|${canCrash}|${member}|${own}`;
      if (key !== r.key) {
        r.key = key;
        const c = ROLE_COLOUR[roleName];
        r.tr.className = st ? '' : 'is-down';
        r.tr.setAttribute('data-role', roleName);
        r.tr.setAttribute('data-term', st ? String(st.currentTerm) : '');
        r.tr.setAttribute('data-voted-for', st?.votedFor === null || !st ? '' : String(st.votedFor));
        r.tr.setAttribute('data-commit-index', st ? String(st.commitIndex) : '');
        r.role.textContent = st ? roleName : 'down';
        r.role.setAttribute('style', `background:${c.bg};color:${c.fg};border-color:${c.border}`);
        const term = st?.currentTerm ?? sim.system.servers[i]!.persisted.currentTerm;
        const t = termSwatch(term);
        r.term.textContent = String(term);
        r.term.setAttribute('style', `background:${t.bg};color:${t.fg};border-color:${t.border}`);
        r.term.title = st ? 'currentTerm' : 'currentTerm on disk';
        r.voted.textContent = st ? (st.votedFor === null ? '—' : serverName(st.votedFor)) : '';
        r.commit.textContent = st ? String(st.commitIndex) : '';
        r.applied.textContent = st ? String(st.lastApplied) : '';
        r.tr.setAttribute('data-last-included-index', String(view.lastIncludedIndex));
        r.snapshot.textContent = view.lastIncludedIndex > 0 ? snapshotExtent(view.lastIncludedIndex, view.lastIncludedTerm) : '—';
        r.snapshot.title = st ? 'lastIncludedIndex@lastIncludedTerm' : 'the snapshot on disk';
        // A follower or candidate may be asked too: the model refuses, and the notice says why.
        r.request.disabled = !st;
        r.request.classList.toggle('is-primary', st?.role === 'leader');
        r.timeout.disabled = !st || st.role === 'leader';
        r.crash.hidden = !st;
        r.crash.disabled = !canCrash;
        r.restart.hidden = st !== null;
        r.isolate.textContent = isolated ? 'Rejoin' : 'Isolate';
        r.tr.setAttribute('data-membership', member);
        r.tr.setAttribute('data-config', own);
        r.tr.classList.toggle('is-outside', member === 'outside' || member === 'removed');
        r.membership.textContent = member;
        r.membership.className = `pg-membership is-${member}`;
        r.membership.title = MEMBERSHIP_TITLE[member];
        r.config.textContent = own;
        r.config.title = `${serverName(i)}'s configuration in effect${st ? '' : ' (by its disk)'}: ${own}, the voters, then the learners after +`;
        // The changes that mean something for this server in the cluster's configuration; the leader may still refuse (and says why).
        r.add.hidden = member === 'voter' || member === 'learner';
        r.promote.hidden = member !== 'learner';
        r.remove.hidden = !(member === 'voter' || member === 'learner');
      }
      const clock = sim.clocks[i]!;
      if (!st) {
        r.timerFill.style.width = '0%';
        r.timerText.textContent = 'stopped';
      } else if (st.role === 'leader' && clock.heartbeatAt !== null) {
        const left = Math.max(0, clock.heartbeatAt - sim.timeline.now);
        r.timerFill.className = 'pg-timer-fill is-leader';
        r.timerFill.style.width = `${(100 * Math.min(1, left / sim.timing.heartbeatIntervalMs)).toFixed(1)}%`;
        r.timerText.textContent = `beat ${left.toFixed(0)} ms`;
      } else if (clock.electionAt !== null) {
        const total = clock.electionAt - clock.electionArmedAt;
        const left = Math.max(0, clock.electionAt - sim.timeline.now);
        r.timerFill.className = `pg-timer-fill${st.role === 'candidate' ? ' is-candidate' : ''}`;
        r.timerFill.style.width = `${(100 * Math.min(1, left / (total || 1))).toFixed(1)}%`;
        r.timerText.textContent = `${left.toFixed(0)} ms`;
      }
    });
  }

  const element = h('div', { class: 'pg-table-wrap' }, table);
  return { element, update };
}
