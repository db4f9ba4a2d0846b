import type { MembershipChange } from '../../src/core/index.js';
import { formatBounds } from '../../model/raft/bounds.js';
import { firstViolation, INVARIANTS } from '../../model/raft/invariants.js';
import { ROLE_COLOUR } from '../shared/colours.js';
import { ensureStyle, h } from '../shared/dom.js';
import { laneLegend } from '../shared/lane-diagram.js';
import themeCss from '../shared/theme.css?inline';
import { serverName } from '../shared/format.js';
import css from './playground.css?inline';
import { clusterView, legendGlyph, type ClusterView } from './cluster-view.js';
import { eventsPanel, formatTime, type EventsPanel } from './events-panel.js';
import { LANE_STEPS, lanesPanel, type LanesPanel } from './lanes-panel.js';
import { logPanel, type LogPanel } from './log-panel.js';
import { serverPanel, type ServerPanel } from './server-panel.js';
import {
  advance, changeMembership, clientRequest, clientRequestToLeader, crash, createSim, currentLeader, dropFlight, flights, healAll, MAX_SNAPSHOT_EVERY, membershipText,
  PLAYGROUND_SNAPSHOT_EVERY, restart, stepEvent, timeoutNow, toggleIsolation, toggleLink, type HistoryNode, type Sim,
} from './sim.js';
import { exportTrace, traceJson } from './trace.js';

/**
 * The Raft playground page: the simulation (sim.ts, no DOM) driven by the animation frame while
 * running, by the buttons while paused; every view redrawn from the simulation's value.
 * URL parameters: servers (3 or 5), seed, paused=1 (start paused), speed (an index into SPEEDS),
 * snapshot-every (the service's snapshot interval in applied entries, 0 off; PLAYGROUND_SNAPSHOT_EVERY by default),
 * voters (s0..s(voters-1) start as voters, the others outside, waiting to be added; all by default).
 */

/** Simulated ms per real ms. */
const SPEEDS = [1 / 200, 1 / 100, 1 / 50, 1 / 30, 1 / 20, 1 / 10, 1 / 5, 1 / 2, 1] as const;
const DEFAULT_SPEED = 3;
const speedText = (i: number): string => (SPEEDS[i]! >= 1 ? '1×' : `1/${Math.round(1 / SPEEDS[i]!)}×`);

interface Settings {
  readonly servers: number;
  readonly seed: number;
  readonly paused: boolean;
  readonly speed: number;
  readonly snapshotEvery: number;
  /** null: every server a voter. */
  readonly voters: number | null;
}

function readSettings(): Settings {
  const q = new URLSearchParams(location.search);
  const servers = q.get('servers') === '5' ? 5 : 3;
  const seedText = q.get('seed');
  const seed = seedText !== null && /^\d+$/.test(seedText) ? Number(seedText) >>> 0 : crypto.getRandomValues(new Uint32Array(1))[0]!;
  const speed = Number(q.get('speed') ?? DEFAULT_SPEED);
  return {
    servers, seed, paused: q.get('paused') === '1', speed: Number.isInteger(speed) && speed >= 0 && speed < SPEEDS.length ? speed : DEFAULT_SPEED,
    snapshotEvery: snapshotEveryOf(q.get('snapshot-every')) ?? PLAYGROUND_SNAPSHOT_EVERY,
    voters: votersOf(q.get('voters'), servers),
  };
}

/** A number of starting voters as typed (a whole number 1..servers), or null (every server a voter). */
function votersOf(text: string | null, servers: number): number | null {
  if (text === null || !/^\d+$/.test(text.trim())) return null;
  const n = Number(text.trim());
  return n >= 1 && n <= servers ? n : null;
}

/** A snapshot interval as typed (a whole number 0..MAX_SNAPSHOT_EVERY), or null. */
function snapshotEveryOf(text: string | null): number | null {
  if (text === null || !/^\d+$/.test(text.trim())) return null;
  const n = Number(text.trim());
  return n <= MAX_SNAPSHOT_EVERY ? n : null;
}

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = h('a', { href: url, download: name });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

const button = (label: string, testid: string, title: string, cls = ''): HTMLButtonElement =>
  h('button', { type: 'button', class: `pg-btn ${cls}`, 'data-testid': testid, title }, label);

function start(): void {
  ensureStyle('pr-theme', themeCss);
  ensureStyle('pg-playground-css', css);
  document.body.classList.add('pg-body');
  document.title = 'Raft playground · pure-raft';

  const settings = readSettings();
  let sim: Sim = createSim({ servers: settings.servers, seed: settings.seed, snapshotEvery: settings.snapshotEvery, ...(settings.voters !== null ? { voters: settings.voters } : {}) });
  let running = !settings.paused;
  let speed = settings.speed;
  let lastFrame: number | null = null;
  let rendered: Sim | null = null;
  let slowRendered: Sim | null = null;
  let lastSlow = 0;
  const T = sim.timing;
  const B = sim.bounds;

  // Every state the run reaches is checked against the model's invariants as it arrives.
  let checkedHead: HistoryNode | null = null;
  let statesChecked = 0;
  let broken: string | null = null;

  // ---- toolbar ----
  const playPause = button('', 'play-pause', 'run or pause the simulated clock (space)', 'is-primary');
  const nextEvent = button('Next event', 'step-event', 'pause, and jump the clock to the next timer or delivery (n)');
  const plus10 = button('+10 ms', 'advance-10', 'pause, and run the clock 10 ms of simulated time');
  const plus100 = button('+100 ms', 'advance-100', 'pause, and run the clock 100 ms of simulated time');
  const plus1000 = button('+1 s', 'advance-1000', 'pause, and run the clock 1 s of simulated time');
  const speedInput = h('input', { type: 'range', class: 'pg-speed', min: 0, max: SPEEDS.length - 1, step: 1, value: speed, 'data-testid': 'speed', title: 'simulated time per real time' });
  const speedLabel = h('span', { class: 'pg-speed-text', 'data-testid': 'speed-text' });
  const requestLeader = button('Client request → leader', 'request-leader', 'ClientRequest to the current leader (r)', 'is-primary');
  const heal = button('Heal all links', 'heal-all', 'reconnect every cut link');
  const serversSelect = h('select', { class: 'pg-select', 'data-testid': 'servers-select', title: 'cluster size (starts a new run)' },
    h('option', { value: '3' }, '3 servers'), h('option', { value: '5' }, '5 servers'));
  serversSelect.value = String(settings.servers);
  const seedInput = h('input', { class: 'pg-input', 'data-testid': 'seed', value: String(settings.seed), title: 'the seed of every election timeout and latency', inputmode: 'numeric' });
  const snapshotInput = h('input', {
    class: 'pg-input pg-input-short', type: 'number', min: 0, max: MAX_SNAPSHOT_EVERY, step: 1, value: settings.snapshotEvery, 'data-testid': 'snapshot-every',
    title: `the service snapshots a server's state every this many applied entries (0: never); a change starts a new run`,
  });
  const votersInput = h('input', {
    class: 'pg-input pg-input-short', type: 'number', min: 1, max: settings.servers, step: 1, value: settings.voters ?? settings.servers, 'data-testid': 'voters',
    title: 'the servers s0.. that start as voters; the others start outside the cluster, waiting to be added (a change starts a new run)',
  });
  const newRun = button('New run', 'new-run', 'start again from the initial state with this size and seed');
  const exportBtn = button('Export trace.json', 'export-trace', 'download the run as a trace: npm run check -- --replay trace.json re-runs it through the core');

  // ---- status ----
  const clockText = h('strong', { class: 'pg-clock', 'data-testid': 'sim-time' });
  const stepsText = h('strong', { 'data-testid': 'step-count' });
  const flightText = h('strong', { 'data-testid': 'in-flight' });
  const leaderText = h('strong', { 'data-testid': 'leader' });
  const invariantsText = h('span', { 'data-testid': 'invariants' });
  const noticeText = h('span', { class: 'pg-notice', 'data-testid': 'notice', role: 'status' });

  const clusterHost = h('div', {});
  const serversHost = h('div', {});
  const logsHost = h('div', {});
  const lanesHost = h('div', {});
  const eventsHost = h('div', {});

  let cluster: ClusterView;
  let servers: ServerPanel;
  let logs: LogPanel;
  let lanes: LanesPanel;
  let events: EventsPanel;

  const setNotice = (text: string, membership = ''): void => {
    noticeText.textContent = text;
    noticeText.setAttribute('data-membership', membership);
  };

  /** A user move: the next simulation, drawn at once (not on the next frame). */
  function move(f: (s: Sim) => Sim): void {
    const next = f(sim);
    setNotice(next.refusal ?? '');
    sim = next;
    render();
  }

  /** A membership change asked of the leader: its answer, an acceptance too, in the notice. */
  function changeMove(change: MembershipChange): void {
    sim = changeMembership(sim, change);
    const m = sim.membership;
    // null: the model refused the move (its bounds), and the refusal says why.
    if (m === null) setNotice(sim.refusal ?? '');
    else setNotice(membershipText(m, sim), m.result.ok ? 'ok' : m.result.reason);
    render();
  }

  /** A clock control: pauses first, so what the user sees is exactly what the button did. */
  function clockMove(f: (s: Sim) => Sim): void {
    running = false;
    move(f);
  }

  function buildViews(): void {
    cluster = clusterView(sim.servers, {
      onServer: (i) => move((s) => toggleIsolation(s, i)),
      onLink: (a, b) => move((s) => toggleLink(s, a, b)),
      onMessage: (id) => move((s) => dropFlight(s, id)),
    });
    servers = serverPanel(sim.servers, {
      onRequest: (i) => move((s) => clientRequest(s, i)),
      onTimeout: (i) => move((s) => timeoutNow(s, i)),
      onCrash: (i) => move((s) => crash(s, i)),
      onRestart: (i) => move((s) => restart(s, i)),
      onIsolate: (i) => move((s) => toggleIsolation(s, i)),
      onAddLearner: (i) => changeMove({ kind: 'AddLearner', server: i }),
      onPromote: (i) => changeMove({ kind: 'PromoteLearner', server: i }),
      onRemove: (i) => changeMove({ kind: 'RemoveServer', server: i }),
    });
    logs = logPanel();
    lanes = lanesPanel();
    events = eventsPanel();
    clusterHost.replaceChildren(cluster.element);
    serversHost.replaceChildren(servers.element);
    logsHost.replaceChildren(logs.element);
    lanesHost.replaceChildren(lanes.element);
    eventsHost.replaceChildren(events.element);
    rendered = null;
    slowRendered = null;
    checkedHead = null;
    statesChecked = 0;
    broken = null;
  }

  function newSim(serversCount: number, seed: number): void {
    const snapshotEvery = snapshotEveryOf(snapshotInput.value) ?? sim.snapshotEvery;
    snapshotInput.value = String(snapshotEvery);
    const voters = votersOf(votersInput.value, serversCount) ?? serversCount;
    votersInput.max = String(serversCount);
    votersInput.value = String(voters);
    sim = createSim({ servers: serversCount, seed, snapshotEvery, voters });
    const q = new URLSearchParams(location.search);
    q.set('servers', String(serversCount));
    q.set('seed', String(seed));
    q.set('snapshot-every', String(snapshotEvery));
    if (voters < serversCount) q.set('voters', String(voters));
    else q.delete('voters');
    history.replaceState(null, '', `${location.pathname}?${q.toString()}`);
    setNotice('');
    buildViews();
    render();
  }

  function checkInvariants(): void {
    const fresh: HistoryNode[] = [];
    for (let n = sim.history; n !== null && n !== checkedHead; n = n.prev) fresh.push(n);
    checkedHead = sim.history;
    for (let i = fresh.length - 1; i >= 0; i--) {
      const e = fresh[i]!.happening;
      if (e.kind !== 'step') continue;
      statesChecked++;
      if (broken === null) {
        const bad = firstViolation(e.state);
        if (bad) broken = `${bad.invariant} broken at ${formatTime(e.at)} (after ${e.label}): ${bad.sentence}`;
      }
    }
  }

  function render(): void {
    playPause.textContent = running ? '❚❚ Pause' : '▶ Run';
    playPause.setAttribute('data-running', String(running));
    speedLabel.textContent = speedText(speed);
    // The lists are redrawn at most ten times a second while the clock runs; the drawing every frame.
    const t = performance.now();
    if (slowRendered !== sim && (!running || t - lastSlow >= 100)) {
      slowRendered = sim;
      lastSlow = t;
      logs.update(sim);
      lanes.update(sim);
      events.update(sim);
    }
    if (rendered === sim) return;
    rendered = sim;
    cluster.update(sim);
    servers.update(sim);
    checkInvariants();
    clockText.textContent = `t = ${formatTime(sim.timeline.now)}`;
    stepsText.textContent = String(sim.steps);
    flightText.textContent = String(flights(sim).length);
    const leader = currentLeader(sim);
    leaderText.textContent = leader === null ? 'none' : `${serverName(leader)} (term ${sim.system.servers[leader]!.state!.currentTerm})`;
    leaderText.setAttribute('data-leader', leader === null ? '' : String(leader));
    invariantsText.className = broken ? 'pg-bad' : 'pg-ok';
    invariantsText.setAttribute('data-ok', String(broken === null));
    invariantsText.textContent = broken ?? `✓ all ${INVARIANTS.length} invariants hold in all ${statesChecked} states`;
    invariantsText.title = INVARIANTS.map((i) => i.name).join(', ');
  }

  function frame(t: number): void {
    if (running && lastFrame !== null) {
      // A hidden tab or a slow frame does not make the clock leap.
      const dt = Math.min(100, Math.max(0, t - lastFrame));
      sim = advance(sim, dt * SPEEDS[speed]!);
    }
    lastFrame = t;
    render();
    requestAnimationFrame(frame);
  }

  // ---- wiring ----
  playPause.addEventListener('click', () => {
    running = !running;
    render();
  });
  nextEvent.addEventListener('click', () => clockMove(stepEvent));
  plus10.addEventListener('click', () => clockMove((s) => advance(s, 10)));
  plus100.addEventListener('click', () => clockMove((s) => advance(s, 100)));
  plus1000.addEventListener('click', () => clockMove((s) => advance(s, 1000)));
  speedInput.addEventListener('input', () => {
    speed = Number(speedInput.value);
    render();
  });
  requestLeader.addEventListener('click', () => move(clientRequestToLeader));
  heal.addEventListener('click', () => move(healAll));
  serversSelect.addEventListener('change', () => newSim(Number(serversSelect.value), sim.seed));
  snapshotInput.addEventListener('change', () => newSim(sim.servers, sim.seed));
  votersInput.addEventListener('change', () => newSim(sim.servers, sim.seed));
  newRun.addEventListener('click', () => {
    const seed = /^\d+$/.test(seedInput.value.trim()) ? Number(seedInput.value.trim()) >>> 0 : sim.seed;
    seedInput.value = String(seed);
    newSim(Number(serversSelect.value), seed);
  });
  exportBtn.addEventListener('click', () => {
    const trace = exportTrace(sim);
    const text = traceJson(trace);
    download('trace.json', text);
    const kib = new Blob([text]).size / 1024;
    const size = kib >= 1024 ? `${(kib / 1024).toFixed(1)} MiB` : `${kib.toFixed(1)} KiB`;
    setNotice(`trace.json: ${trace.steps.length} steps, ${size}, bounds ${formatBounds(trace.bounds)}. Replay it: npm run check -- --replay trace.json; step through it: npm run explore -- trace.json`);
  });
  document.addEventListener('keydown', (e) => {
    const target = e.target as HTMLElement | null;
    if (e.ctrlKey || e.metaKey || e.altKey || (target && (target.tagName === 'INPUT' || target.tagName === 'SELECT' || target.tagName === 'TEXTAREA'))) return;
    if (e.key === ' ') {
      e.preventDefault();
      running = !running;
      render();
    } else if (e.key === 'n') clockMove(stepEvent);
    else if (e.key === 'r') move(clientRequestToLeader);
  });

  // ---- the page ----
  const swatch = (role: keyof typeof ROLE_COLOUR, label: string): HTMLElement => {
    const c = ROLE_COLOUR[role];
    return h('div', { class: 'pg-key' }, h('span', { class: 'pg-role', style: `background:${c.bg};color:${c.fg};border-color:${c.border}` }, label));
  };
  const legend = h('div', { class: 'pg-legend', 'data-testid': 'legend' },
    h('div', { class: 'pg-key' }, legendGlyph('RequestVote', false), 'RequestVote'),
    h('div', { class: 'pg-key' }, legendGlyph('RequestVoteReply', false), 'vote granted', legendGlyph('RequestVoteReply', true), 'refused'),
    h('div', { class: 'pg-key' }, legendGlyph('AppendEntries', false), 'heartbeat', legendGlyph('AppendEntries', false, 2), 'with 2 entries'),
    h('div', { class: 'pg-key' }, legendGlyph('AppendEntriesReply', false), 'append ok', legendGlyph('AppendEntriesReply', true), 'rejected'),
    h('div', { class: 'pg-key' }, legendGlyph('InstallSnapshot', false), 'InstallSnapshot'),
    h('div', { class: 'pg-key' }, legendGlyph('InstallSnapshotReply', false), 'installed', legendGlyph('InstallSnapshotReply', true), 'stale'),
    h('div', { class: 'pg-key' }, swatch('follower', 'follower'), swatch('preCandidate', 'pre-candidate'), swatch('candidate', 'candidate'), swatch('leader', 'leader ★'), swatch('down', 'crashed')));

  const page = h('div', { class: 'pg-app' },
    h('header', { class: 'pg-header' },
      h('div', {},
        h('h1', {}, 'Raft playground'),
        h('p', { class: 'pg-sub' }, 'The real core (src/core step) through the model checker\'s transitions, on a simulated clock and network. ',
          'Every move is a model action: export the run and replay it with ', h('code', {}, 'npm run check -- --replay trace.json'), '.')),
      h('div', { class: 'pg-group pg-run' }, serversSelect, h('span', { class: 'pg-label' }, 'seed'), seedInput,
        h('span', { class: 'pg-label', title: 'the service snapshots every this many applied entries; 0 turns snapshots off' }, 'snapshot every'), snapshotInput,
        h('span', { class: 'pg-label' }, 'entries'),
        h('span', { class: 'pg-label', title: 'the servers s0.. that start as voters; the others wait outside to be added' }, 'voters'), votersInput,
        newRun, exportBtn)),
    h('div', { class: 'pg-toolbar', role: 'toolbar' },
      h('div', { class: 'pg-group' }, playPause, nextEvent, plus10, plus100, plus1000),
      h('div', { class: 'pg-group' }, h('span', { class: 'pg-label' }, 'speed'), speedInput, speedLabel),
      h('div', { class: 'pg-group' }, requestLeader, heal)),
    h('div', { class: 'pg-status' },
      clockText,
      h('span', {}, 'steps ', stepsText),
      h('span', {}, 'in flight ', flightText),
      h('span', {}, 'leader ', leaderText),
      invariantsText,
      noticeText),
    h('div', { class: 'pg-main' },
      h('section', { class: 'pg-panel' },
        h('h2', {}, 'Cluster', h('span', { class: 'pg-hint' }, 'click a server to isolate it, a link to cut it, a message to lose it')),
        clusterHost),
      h('div', { class: 'pg-stack' },
        h('section', { class: 'pg-panel' }, h('h2', {}, 'Servers'), serversHost),
        h('section', { class: 'pg-panel' }, h('h2', {}, 'Logs'), logsHost))),
    h('section', { class: 'pg-panel pg-lanes' },
      h('h2', {}, 'Lanes', h('span', { class: 'pg-hint' }, `the last ${LANE_STEPS} steps, newest at the bottom: a lane per server, an arrow per message (InstallSnapshot brown)`)),
      lanesHost, laneLegend()),
    h('div', { class: 'pg-bottom' },
      h('section', { class: 'pg-panel' }, h('h2', {}, 'What happened', h('span', { class: 'pg-hint' }, 'newest first; your moves in bold')), eventsHost),
      h('section', { class: 'pg-panel' }, h('h2', {}, 'Legend'), legend,
        h('ul', { class: 'pg-help' },
          h('li', {}, 'The ring round a server is its election timer running out.'),
          h('li', {}, 'A faded message will be lost on arrival: its link is cut or its receiver is down.'),
          h('li', {}, 'The service snapshots a server every so many applied entries ("snapshot every" above; 0: never): the Snapshot move, its log compacted into a brown block. A follower cut off while the leader compacted catches up through InstallSnapshot (brown squares) when it rejoins.'),
          h('li', {}, 'Membership, one server at a time: Add asks the leader to add a server as a learner (replicated to, never voting), Promote makes a learner a voter, Remove takes a member out. The leader refuses while a change is uncommitted (change-in-progress) and before an entry of its term has committed (no-commit-in-term: it appends a no-op, the dot in the log; ask again once it commits). A leader that removed itself steps down once that commits.'),
          h('li', {}, h('kbd', {}, 'space'), ' run/pause, ', h('kbd', {}, 'n'), ' next event, ', h('kbd', {}, 'r'), ' client request.'),
          h('li', {}, `The model's bounds hold: terms up to ${B.maxTerm}, ${B.maxCommands} commands, logs of ${B.maxLog}, ${B.maxCrashes} crashes, ${B.maxSnapshots} snapshots, ${B.maxMessages} messages in flight; a move past them is refused.`),
          h('li', {}, `Election timeouts ${T.electionTimeoutMinMs}–${T.electionTimeoutMaxMs} ms and latencies ${T.network.delayMinMs}–${T.network.delayMaxMs} ms drawn from the seed; heartbeats every ${T.heartbeatIntervalMs} ms.`)))));

  // Mounts into #app (the self-contained page of scripts/build-web.ts), or the body (web/playground/index.html).
  const host = document.getElementById('app') ?? document.body;
  host.replaceChildren(page);
  buildViews();
  render();
  requestAnimationFrame(frame);
}

start();
