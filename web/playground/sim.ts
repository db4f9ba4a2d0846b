import {
  configurationInEffect, isLearner, isVoter, lastLogIndex, lastLogTerm, membersOf,
  type Configuration, type MembershipChange, type MembershipRefusal, type MembershipResult, type Message, type PersistentState, type StepResult, type TimerDirective,
} from '../../src/core/index.js';
import { actionKey, formatAction, type RaftAction } from '../../model/raft/actions.js';
import { bootstrapConfigOf, type Bounds } from '../../model/raft/bounds.js';
import { plainMessageKey } from '../../model/raft/keys.js';
import { productionReducer, type Reducer } from '../../model/raft/reducer.js';
import { initialSystem, type SystemState } from '../../model/raft/system.js';
import { enabledActions, nextState } from '../../model/raft/transitions.js';
import { allConnected, isCut as linkIsCut, isIsolated as linkIsIsolated, noneCut, withBothWays, type Links } from '../../src/runtime/sim/links.js';
import { messageFate, type NetworkSettings } from '../../src/runtime/sim/faults.js';
import { cancelWhere, emptyTimeline, next, pop, schedule, advanceTo, scheduledWhere, type Scheduled, type Timeline } from '../../src/runtime/sim/timeline.js';
import { electionChanged, heartbeatChanged, STOPPED_TIMERS, timersOn, timesOutOnElectionTimer, type ServerTimers, type TimerEvent } from '../../src/runtime/timerRule.js';
import type { Timing as NodeTiming } from '../../src/runtime/timing.js';
import { isRequest } from '../../src/runtime/transport.js';
import { changeWords, configText } from '../shared/config-text.js';
import { drawing } from './random.js';

/**
 * The playground's simulation: N servers running the real core through the model's own
 * transitions (so every move is a model action and the run exports as a replayable trace), with
 * a simulated clock deciding when each move happens. No DOM, no wall clock, no Math.random: a
 * simulation is a value, and every function here returns a new one. Its clock is the runtime's
 * timeline (src/runtime/sim/timeline.ts), the one VirtualClock drives: virtual now and every
 * timer firing and delivery to come, in (time, scheduling order).
 *
 * When things happen:
 *  - each server's timers are the runtime's timer bookkeeping (src/runtime/timerRule.ts, as a
 *    live node's NodeTimers): the election timer always runs, re-armed with a fresh timeout
 *    from the seeded generator whenever it fires or the core says 'resetElectionTimer'; when it
 *    fires on a follower or candidate the move is Timeout (a leader ignores it);
 *  - a leader's heartbeat timer fires every interval between 'startHeartbeat' and 'stopHeartbeat'
 *    (the move is Heartbeat);
 *  - every message sent meets the world's fault model (src/runtime/sim/faults.ts, as the
 *    simulated network's), with the playground's network settings: on its reliable network of
 *    10-20 ms, it is delivered after a random latency (Receive), unless at that moment its link
 *    (per direction: src/runtime/sim/links.ts) is cut or its receiver is down: then it is lost
 *    (DropMessage), as is a message the fault model loses (on an unreliable network);
 *  - the user's moves: ClientRequest, Crash, Restart, Timeout now, and dropping a message;
 *  - the service's move: a server that has applied `snapshotEvery` entries past its snapshot
 *    takes a new one (the model's Snapshot action: through everything it applied) in the same
 *    instant, so a follower that fell behind the leader's snapshot (after a partition, a crash)
 *    catches up through InstallSnapshot. 0 turns snapshots off, and then the run is move for
 *    move what it was before snapshots existed;
 *  - membership (thesis ch. 4, one server at a time): the user asks the leader to add a server
 *    as a learner, promote a learner or remove a member (the model's ChangeMembership); with
 *    `voters` below `servers` only s0..s(voters-1) start in the cluster, the others outside it,
 *    waiting to be added. Without membership moves a run is exactly what it was before.
 */

/** The runtime's timer settings (src/runtime/timing.ts), and the network's. */
export interface Timing extends NodeTiming {
  /** The fault model's settings (src/runtime/sim/faults.ts): the messages' latency, and whether they are lost or reordered. */
  readonly network: NetworkSettings;
}

/** The Raft paper's figures (§9: 150-300 ms timeouts), with a network an order faster. */
export const PLAYGROUND_TIMING: Timing = {
  electionTimeoutMinMs: 150,
  electionTimeoutMaxMs: 300,
  heartbeatIntervalMs: 50,
  network: { reliable: true, longReordering: false, delayMinMs: 10, delayMaxMs: 20 },
};

/**
 * The bounds the playground runs under: the largest the model accepts (validateBounds), so a
 * move the simulation takes is one the model enables, and the exported trace can record bounds
 * just large enough for it. Drop on (cut links lose messages), duplication and mid-step crashes
 * off (the playground never takes those moves). PreVote and CheckQuorum on, as in the runtime.
 */
export function playgroundBounds(servers: number, voters = servers): Bounds {
  return {
    servers, maxTerm: 50, maxLog: 50, maxCommands: 50, maxCrashes: 20, maxMessages: 64, maxSnapshots: 20, drop: true, duplicate: false, crashMidStep: false, preVote: true, checkQuorum: true,
    maxConfigChanges: MAX_CONFIG_CHANGES, ...(voters < servers ? { initialVoters: voters } : {}),
  };
}

/** The most membership changes the model allows in a run (validateBounds' largest). */
export const MAX_CONFIG_CHANGES = 20;

/** The service snapshots every this many applied entries unless told otherwise (0: never). */
export const PLAYGROUND_SNAPSHOT_EVERY = 5;

/** The largest snapshot interval the page offers: past maxLog no server ever applies that many. */
export const MAX_SNAPSHOT_EVERY = 50;

export interface Flight {
  readonly id: number;
  readonly message: Message;
  readonly sentAt: number;
  readonly deliverAt: number;
  /** The fault model lost it: at deliverAt it is dropped, whatever the link. */
  readonly lost: boolean;
}

/** A server's timers (stopped while it is down): the runtime's bookkeeping, whose firings the timeline holds. */
export type ServerClock = ServerTimers;

/** Who made a move: the simulated clock (timers, deliveries), the service (its snapshots) or the user. */
export type Cause = 'clock' | 'service' | 'user';

/** What happened, newest first: the model actions taken (the trace) and notes for people. */
export type Happening =
  | { readonly kind: 'step'; readonly at: number; readonly action: RaftAction; readonly label: string; readonly state: SystemState; readonly by: Cause }
  | { readonly kind: 'note'; readonly at: number; readonly text: string };

export interface HistoryNode {
  readonly happening: Happening;
  readonly prev: HistoryNode | null;
}

export interface Sim {
  readonly servers: number;
  readonly seed: number;
  readonly timing: Timing;
  readonly bounds: Bounds;
  /** The service takes a snapshot once a server has applied this many entries past its last one (0: never). */
  readonly snapshotEvery: number;
  /** Simulated time (`timeline.now`, ms since the start) and what happens next: every delivery and timer firing to come. */
  readonly timeline: Timeline<SimEvent>;
  /** The random generator's state. */
  readonly rng: number;
  readonly system: SystemState;
  readonly clocks: readonly ServerClock[];
  /** Which links carry, per direction (the page cuts and heals both directions together). */
  readonly links: Links;
  readonly nextFlightId: number;
  readonly steps: number;
  readonly history: HistoryNode | null;
  /** The text of the newest note in the history. */
  readonly lastNote: string | null;
  /** The last move refused, and why (shown to the user until the next move). */
  readonly refusal: string | null;
  /** The servers that start as voters, s0..s(voters-1) (all of them unless told otherwise); the others start outside. */
  readonly voters: number;
  /** The configuration every server starts with (undefined: every server a voter, Raft without membership). */
  readonly bootstrapConfig: Configuration | undefined;
  /** Bitmask of the servers that were ever a member of some server's configuration in effect (one not now a member was removed). */
  readonly everMember: number;
  /** The leader's answer to the user's last membership change (until the next move of the user). */
  readonly membership: MembershipAnswer | null;
}

/** A membership change the user asked for, whom it was asked of, and the answer (the core's StepResult.membership). */
export interface MembershipAnswer {
  readonly change: MembershipChange;
  /** The leader it went to; null when there was none. */
  readonly leader: number | null;
  readonly result: MembershipResult | { readonly ok: false; readonly reason: 'not-leader' };
}

export interface SimOptions {
  readonly servers: number;
  readonly seed: number;
  readonly timing?: Timing;
  /** Smaller bounds than playgroundBounds (the model then refuses more moves). */
  readonly bounds?: Bounds;
  /** The service's snapshot interval in applied entries, 0..MAX_SNAPSHOT_EVERY (0: off); PLAYGROUND_SNAPSHOT_EVERY by default. */
  readonly snapshotEvery?: number;
  /** s0..s(voters-1) start as voters, the others outside the cluster (1..servers; all by default). */
  readonly voters?: number;
}

export function createSim(options: SimOptions): Sim {
  const { servers, seed } = options;
  const timing = options.timing ?? PLAYGROUND_TIMING;
  const snapshotEvery = options.snapshotEvery ?? PLAYGROUND_SNAPSHOT_EVERY;
  if (!Number.isInteger(servers) || servers < 1 || servers > 7) throw new RangeError(`servers must be 1..7, got ${servers}`);
  if (!Number.isInteger(snapshotEvery) || snapshotEvery < 0 || snapshotEvery > MAX_SNAPSHOT_EVERY) throw new RangeError(`snapshotEvery must be 0..${MAX_SNAPSHOT_EVERY}, got ${snapshotEvery}`);
  const voters = options.voters ?? options.bounds?.initialVoters ?? servers;
  if (!Number.isInteger(voters) || voters < 1 || voters > servers) throw new RangeError(`voters must be 1..${servers}, got ${voters}`);
  const bounds = options.bounds ?? playgroundBounds(servers, voters);
  if ((bounds.initialVoters ?? servers) !== voters) throw new RangeError(`voters ${voters} and the bounds' initialVoters ${bounds.initialVoters} differ`);
  const bootstrapConfig = bootstrapConfigOf(bounds);
  let sim: Sim = {
    servers,
    seed: seed >>> 0,
    timing,
    bounds,
    snapshotEvery,
    timeline: emptyTimeline(),
    rng: seed >>> 0,
    system: initialSystem(servers, bootstrapConfig),
    clocks: new Array<ServerClock>(servers).fill(STOPPED_TIMERS),
    links: allConnected(servers),
    nextFlightId: 1,
    steps: 0,
    history: null,
    lastNote: null,
    refusal: null,
    voters,
    bootstrapConfig,
    everMember: (1 << voters) - 1,
    membership: null,
  };
  for (let i = 0; i < servers; i++) sim = onTimers(sim, i, 'start');
  return sim;
}

// ---- the clock ----------------------------------------------------------------------------------

/** What the clock makes happen: a delivery (or loss) of a flight, a heartbeat tick, an election timer firing. */
export type SimEvent =
  | { readonly kind: 'deliver'; readonly flight: Flight }
  | { readonly kind: 'heartbeat'; readonly server: number }
  | { readonly kind: 'election'; readonly server: number };

const isDelivery = (e: SimEvent): e is Extract<SimEvent, { kind: 'deliver' }> => e.kind === 'deliver';

/** The network's messages, each with its flight (the same multiset as system.network), in the order they were sent. */
export function flights(sim: Sim): Flight[] {
  return scheduledWhere(sim.timeline, isDelivery).map((e) => e.event.flight).sort((a, b) => a.id - b.id);
}

/** The next thing the clock will make happen, and when (ties: in the order they were scheduled). */
export function nextEvent(sim: Sim): Scheduled<SimEvent> | null {
  return next(sim.timeline);
}

/** Far more events than any advance of a frame or a test carries out: past it the clock is stuck (a bug), which is said rather than hung on. */
const MAX_EVENTS_PER_ADVANCE = 200_000;

/** Runs the clock forward by `ms`, carrying out everything due on the way, in time order. */
export function advance(sim: Sim, ms: number): Sim {
  const until = sim.timeline.now + Math.max(0, ms);
  let s = sim;
  for (let n = 0; ; n++) {
    const e = next(s.timeline);
    if (e === null || e.at > until) break;
    if (n === MAX_EVENTS_PER_ADVANCE) throw new Error(`the simulated clock is stuck at ${s.timeline.now} ms: ${MAX_EVENTS_PER_ADVANCE} events without reaching ${until} ms`);
    s = fireNext(s);
  }
  return { ...s, timeline: advanceTo(s.timeline, until) };
}

/** Jumps the clock to the next event and carries it out (nothing when nothing is scheduled). */
export function stepEvent(sim: Sim): Sim {
  return fireNext(sim);
}

function fireNext(sim: Sim): Sim {
  const popped = pop(sim.timeline);
  return popped === null ? sim : fire({ ...sim, timeline: popped.timeline }, popped.fired.event);
}

/** Carries out an event the timeline has just fired (now is its time). */
function fire(sim: Sim, e: SimEvent): Sim {
  const s: Sim = { ...sim, refusal: null };
  switch (e.kind) {
    case 'deliver': {
      const { message } = e.flight;
      const drop: RaftAction = { kind: 'DropMessage', message };
      if (e.flight.lost || s.system.servers[message.to]!.state === null || isCut(s, message.from, message.to)) return take(s, 'clock', drop, e.flight.id);
      const received = take(s, 'clock', { kind: 'Receive', message, crashMidStep: false }, e.flight.id);
      // A delivery the model refuses (its replies would overflow the network) loses the message
      // instead: a flight whose time has come must leave, or the clock would stand still.
      return received.steps > s.steps ? received : take(received, 'clock', drop, e.flight.id);
    }
    case 'heartbeat': {
      const rearmed = onTimers(s, e.server, 'heartbeatFired');
      return take(rearmed, 'clock', { kind: 'Heartbeat', server: e.server, crashMidStep: false });
    }
    case 'election':
      return electionTimerFires(s, e.server, 'clock');
  }
}

/** The timer rule: the timer is re-armed first (it always runs); a leader ignores it (without checkQuorum), anyone else stands. */
function electionTimerFires(sim: Sim, server: number, by: Cause): Sim {
  const s = onTimers(sim, server, 'electionFired');
  const role = s.system.servers[server]!.state?.role;
  if (role !== undefined && !timesOutOnElectionTimer(role, s.bounds)) return s;
  return take(s, by, { kind: 'Timeout', server, crashMidStep: false });
}

// ---- moves --------------------------------------------------------------------------------------

/** Captures the core's step result inside the model's transition (timers and sends are read off it). */
let captured: StepResult | null = null;
function capturing(bounds: Bounds): Reducer {
  const core = productionReducer(bounds);
  return { step: (state, input) => (captured = core.step(state, input)), operations: core.operations };
}

/** The model's transition, and the core's step result inside it (null for moves that are no server's step). */
function transition(s: SystemState, action: RaftAction, bounds: Bounds): { readonly system: SystemState | null; readonly result: StepResult | null } {
  captured = null;
  const system = nextState(s, action, bounds, capturing(bounds));
  const result = captured as StepResult | null;
  captured = null;
  return { system, result };
}

/** The server whose step the action is, if it is a server step. */
function stepper(a: RaftAction): number | null {
  switch (a.kind) {
    case 'Timeout':
    case 'Heartbeat':
    case 'ClientRequest':
    case 'Snapshot':
    case 'ChangeMembership':
      return a.server;
    case 'Receive':
      return a.message.to;
    default:
      return null;
  }
}

const keyOf = (a: RaftAction): string => actionKey(a, plainMessageKey);

/**
 * Takes one model action: it must be enabled under the playground's bounds, and the model's
 * transition (the core's step, its effects carried out in the contract's order) gives the next
 * system state. Flights and timers then follow what the step did. `flightId` names the flight
 * a Receive or DropMessage takes out of the network.
 */
function take(sim: Sim, by: Cause, wanted: RaftAction, flightId?: number): Sim {
  const want = keyOf(wanted);
  const action = enabledActions(sim.system, sim.bounds).find((a) => keyOf(a) === want);
  if (!action) return refuse(sim, `${formatAction(wanted)}: not enabled in the model here${whyNotEnabled(sim, wanted)}`);
  const { system, result } = transition(sim.system, action, sim.bounds);
  if (!system) return refuse(sim, `${formatAction(wanted)}: would leave the model's bounds (more than ${sim.bounds.maxMessages} messages in flight)`);

  let s: Sim = { ...sim, system };
  // The network lost the message received or dropped. A crash leaves the network alone (as the
  // model does): a flight to a server that is down when it lands is dropped then.
  if (action.kind === 'Receive' || action.kind === 'DropMessage') {
    const id = flightId ?? flights(s).find((f) => plainMessageKey(f.message) === plainMessageKey(action.message))?.id;
    s = { ...s, timeline: cancelWhere(s.timeline, (e) => isDelivery(e) && e.flight.id === id) };
  }
  // A server step: its messages take flight, its timer directives are carried out.
  const server = stepper(action);
  if (result !== null && server !== null) {
    for (const message of result.messages) s = launch(s, message);
    for (const directive of result.timers) s = onTimers(s, server, directive);
  }
  if (server !== null && system.servers[server]!.state?.log !== sim.system.servers[server]!.state?.log) s = withMembersOf(s, server);
  if (action.kind === 'Crash') s = onTimers(s, action.server, 'stop');
  if (action.kind === 'Restart') s = onTimers(s, action.server, 'start');
  const happening: Happening = { kind: 'step', at: s.timeline.now, action, label: formatAction(action), state: system, by };
  s = { ...s, steps: s.steps + 1, history: { happening, prev: s.history } };
  if (action.kind === 'Snapshot') return s.system.snapshots === (s.bounds.maxSnapshots ?? 0) ? note(s, `all ${(s.bounds.maxSnapshots ?? 0)} snapshots the model allows are taken: the service takes no more`) : s;
  return server === null ? s : serviceSnapshot(s, server);
}

/**
 * The service's rule, after each step of a server: once it has applied `snapshotEvery` entries
 * past its snapshot, it snapshots everything it applied (while the model's budget lasts).
 */
function serviceSnapshot(sim: Sim, server: number): Sim {
  const st = sim.system.servers[server]!.state;
  if (sim.snapshotEvery === 0 || st === null || st.lastApplied - st.lastIncludedIndex < sim.snapshotEvery) return sim;
  if (sim.system.snapshots >= (sim.bounds.maxSnapshots ?? 0)) return sim;
  return take(sim, 'service', { kind: 'Snapshot', server, crashMidStep: false });
}

function whyNotEnabled(sim: Sim, a: RaftAction): string {
  const st = 'server' in a ? sim.system.servers[a.server]!.state : null;
  switch (a.kind) {
    case 'ClientRequest':
      if (!st) return ' (the server is down)';
      if (st.role !== 'leader') return ` (s${a.server} is a ${st.role}; only a leader takes client requests)`;
      if (sim.system.commandsIssued >= sim.bounds.maxCommands) return ` (all ${sim.bounds.maxCommands} commands the model allows are issued)`;
      return ` (the leader's log holds the ${sim.bounds.maxLog} entries the model allows)`;
    case 'Timeout':
      if (!st) return ' (the server is down)';
      if (st.role === 'leader' && sim.bounds.checkQuorum !== true) return ' (a leader does not time out)';
      return ` (term ${st.currentTerm} is the model's largest)`;
    case 'Crash':
      if (!st) return ' (the server is already down)';
      return ` (all ${sim.bounds.maxCrashes} crashes the model allows are used)`;
    case 'Restart':
      return ' (the server is up)';
    case 'ChangeMembership':
      if (!st) return ' (the server is down)';
      if (st.role !== 'leader') return ` (s${a.server} is a ${st.role}; only a leader changes the configuration)`;
      return ` (all ${sim.bounds.maxConfigChanges ?? 0} configuration changes the model allows are made, or the leader's log holds the ${sim.bounds.maxLog} entries it allows)`;
    case 'Snapshot':
      if (!st) return ' (the server is down)';
      if (sim.system.snapshots >= (sim.bounds.maxSnapshots ?? 0)) return ` (all ${(sim.bounds.maxSnapshots ?? 0)} snapshots the model allows are taken)`;
      return ` (s${a.server} applied nothing past its snapshot at ${st.lastIncludedIndex})`;
    default:
      return '';
  }
}

/** A move refused; recorded as a note unless the last note says the same (a timer refused at every firing says so once). */
function refuse(sim: Sim, reason: string): Sim {
  if (sim.lastNote === reason) return { ...sim, refusal: reason };
  return note({ ...sim, refusal: reason }, reason);
}

function note(sim: Sim, text: string): Sim {
  return { ...sim, lastNote: text, history: { happening: { kind: 'note', at: sim.timeline.now, text }, prev: sim.history } };
}

function launch(sim: Sim, message: Message): Sim {
  const rng = drawing(sim.rng);
  const fate = messageFate(sim.timing.network, isRequest(message), rng.uniform);
  const now = sim.timeline.now;
  const flight: Flight = { id: sim.nextFlightId, message, sentAt: now, deliverAt: now + (fate.lost ? 0 : fate.delayMs), lost: fate.lost };
  return { ...sim, rng: rng.state(), timeline: schedule(sim.timeline, flight.deliverAt, { kind: 'deliver', flight }).timeline, nextFlightId: sim.nextFlightId + 1 };
}

/** The server's timers after `event` (the runtime's bookkeeping), their firings rescheduled on the timeline. */
function onTimers(sim: Sim, server: number, event: TimerEvent): Sim {
  const rng = drawing(sim.rng);
  const { timers, changed } = timersOn(sim.clocks[server]!, event, sim.timeline.now, sim.timing, rng.uniform, sim.bounds);
  let timeline = sim.timeline;
  const reschedule = (kind: 'election' | 'heartbeat', at: number | null): void => {
    timeline = cancelWhere(timeline, (e) => e.kind === kind && e.server === server);
    if (at !== null) timeline = schedule(timeline, at, { kind, server }).timeline;
  };
  if (electionChanged(changed)) reschedule('election', timers.electionAt);
  if (heartbeatChanged(changed)) reschedule('heartbeat', timers.heartbeatAt);
  const clocks = sim.clocks.slice();
  clocks[server] = timers;
  return { ...sim, rng: rng.state(), timeline, clocks };
}

// ---- membership ---------------------------------------------------------------------------------

/** Why a leader refuses a change, for people (the core's MembershipRefusal, thesis ch. 4). */
const REFUSAL_WHY: Readonly<Record<MembershipRefusal, string>> = {
  'not-leader': 'only a leader changes the configuration',
  'no-such-server': 'the server is not a member',
  'already-member': 'the server is a member already',
  'not-a-learner': 'only a learner is promoted (add the server as a learner first)',
  'last-voter': 'the only voter cannot be removed',
  'change-in-progress': 'the last configuration entry is not committed yet: one change at a time',
  'no-commit-in-term': 'no entry of the leader\'s term is committed yet; it appended a no-op: ask again once that commits',
};

/** The answer in words, as the notice shows it. */
export function membershipText(m: MembershipAnswer, sim: Sim): string {
  const asked = `ChangeMembership(${changeWords(m.change)})`;
  if (m.leader === null) return `${asked}: no server is leader now`;
  if (m.result.ok) {
    const e = sim.system.servers[m.leader]!.state;
    const entry = e ? e.log[m.result.index - e.lastIncludedIndex - 1] : undefined;
    return `${asked} → s${m.leader}: accepted, configuration entry ${m.result.index} of term ${m.result.term}${entry?.config ? ` ${configText(entry.config)}` : ''}; in effect on each server once in its log`;
  }
  return `${asked} → s${m.leader}: refused, ${m.result.reason} (${REFUSAL_WHY[m.result.reason]})`;
}

/**
 * The user asks the leader (of the highest term) for a membership change. The leader's answer is
 * the core's (its step, pure: nothing carried out yet). A step that does something is then taken
 * as the model's ChangeMembership: an accepted change appends a configuration entry, a
 * 'no-commit-in-term' refusal the leader's no-op (once). A refusal that changes nothing is no
 * move (the model has no such step): only noted. The answer stays in `membership` until the
 * user's next move.
 */
export function changeMembership(sim: Sim, change: MembershipChange): Sim {
  const s: Sim = { ...sim, refusal: null, membership: null };
  const leader = currentLeader(s);
  if (leader === null) {
    const membership: MembershipAnswer = { change, leader, result: { ok: false, reason: 'not-leader' } };
    return { ...refuse(s, membershipText(membership, s)), membership };
  }
  const before = s.system.servers[leader]!.state!;
  const answer = productionReducer(s.bounds).step(before, { type: 'ChangeMembership', change });
  const membership: MembershipAnswer = { change, leader, result: answer.membership ?? { ok: false, reason: 'not-leader' } };
  if (!membership.result.ok && answer.state === before) return { ...refuse(s, membershipText(membership, s)), membership };
  const taken = take(s, 'user', { kind: 'ChangeMembership', server: leader, change, crashMidStep: false });
  if (taken.steps === s.steps) return taken; // the model refused (its bounds): the note says why, and no answer is given
  return { ...taken, membership, refusal: membership.result.ok ? null : membershipText(membership, taken) };
}

/** Where server `i`'s configuration is read from: its memory, or its disk while it is down. */
function configSource(sim: Sim, i: number): Parameters<typeof configurationInEffect>[0] {
  const slot = sim.system.servers[i]!;
  if (slot.state) return slot.state;
  const disk: PersistentState = slot.persisted;
  return { ...disk, clusterSize: sim.servers, ...(sim.bootstrapConfig ? { bootstrapConfig: sim.bootstrapConfig } : {}) };
}

/** Server `i`'s configuration in effect (thesis §4.1: the latest in its log, committed or not). */
export function configurationOf(sim: Sim, i: number): Configuration {
  return configurationInEffect(configSource(sim, i));
}

/**
 * The cluster's configuration as the page reads it: the leader's in effect (the newest any
 * server acts on); with no leader, that of the server whose log is most up to date.
 */
export function clusterConfiguration(sim: Sim): Configuration {
  const leader = currentLeader(sim);
  if (leader !== null) return configurationOf(sim, leader);
  let best = 0;
  const view = (i: number) => sim.system.servers[i]!.state ?? sim.system.servers[i]!.persisted;
  for (let i = 1; i < sim.servers; i++) {
    const a = view(i);
    const b = view(best);
    if (lastLogTerm(a) > lastLogTerm(b) || (lastLogTerm(a) === lastLogTerm(b) && lastLogIndex(a) > lastLogIndex(b))) best = i;
  }
  return configurationOf(sim, best);
}

/** A server's place in the cluster's configuration: outside (never a member yet) or removed (a member once). */
export type Membership = 'voter' | 'learner' | 'outside' | 'removed';

export function membershipOf(sim: Sim, i: number, config = clusterConfiguration(sim)): Membership {
  if (isVoter(config, i)) return 'voter';
  if (isLearner(config, i)) return 'learner';
  return (sim.everMember & (1 << i)) !== 0 ? 'removed' : 'outside';
}

/** everMember with the members of server `i`'s configuration in effect added (after its log changed). */
function withMembersOf(sim: Sim, i: number): Sim {
  let mask = sim.everMember;
  for (const id of membersOf(configurationOf(sim, i))) mask |= 1 << id;
  return mask === sim.everMember ? sim : { ...sim, everMember: mask };
}

/** A client command, sent to the given server (only a leader takes it). */
export function clientRequest(sim: Sim, server: number): Sim {
  return take({ ...sim, refusal: null }, 'user', { kind: 'ClientRequest', server, crashMidStep: false });
}

/** The live leader of the highest term, or null when there is none. */
export function currentLeader(sim: Sim): number | null {
  let best: number | null = null;
  sim.system.servers.forEach((slot, i) => {
    const st = slot.state;
    if (st?.role === 'leader' && (best === null || st.currentTerm > sim.system.servers[best]!.state!.currentTerm)) best = i;
  });
  return best;
}

/** A client command to whoever leads (the leader of the highest term). */
export function clientRequestToLeader(sim: Sim): Sim {
  const leader = currentLeader(sim);
  return leader === null ? refuse({ ...sim, refusal: null }, 'ClientRequest: no server is leader now') : clientRequest(sim, leader);
}

export function crash(sim: Sim, server: number): Sim {
  return take({ ...sim, refusal: null }, 'user', { kind: 'Crash', server });
}

export function restart(sim: Sim, server: number): Sim {
  return take({ ...sim, refusal: null }, 'user', { kind: 'Restart', server });
}

/** The server's election timer fires now. */
export function timeoutNow(sim: Sim, server: number): Sim {
  const s: Sim = { ...sim, refusal: null };
  if (s.system.servers[server]!.state === null) return refuse(s, `Timeout(${server}): not enabled in the model here (the server is down)`);
  if (s.system.servers[server]!.state!.role === 'leader' && s.bounds.checkQuorum !== true) return refuse(s, `Timeout(${server}): not enabled in the model here (a leader does not time out)`);
  return electionTimerFires(s, server, 'user');
}

/** The user loses one message in flight. */
export function dropFlight(sim: Sim, flightId: number): Sim {
  const flight = flights(sim).find((f) => f.id === flightId);
  if (!flight) return sim;
  return take({ ...sim, refusal: null }, 'user', { kind: 'DropMessage', message: flight.message }, flightId);
}

// ---- links --------------------------------------------------------------------------------------

export function isCut(sim: Sim, a: number, b: number): boolean {
  return linkIsCut(sim.links, a, b);
}

/** Cuts the link between a and b (both directions), or heals it when it is cut. Messages on a cut link are lost. */
export function toggleLink(sim: Sim, a: number, b: number): Sim {
  if (a === b) return sim;
  const nowCut = !isCut(sim, a, b);
  return note({ ...sim, refusal: null, links: withBothWays(sim.links, a, b, nowCut) }, `link s${a}–s${b} ${nowCut ? 'cut' : 'healed'}`);
}

/** Whether every link of the server is cut. */
export function isIsolated(sim: Sim, server: number): boolean {
  return linkIsIsolated(sim.links, server);
}

/** Cuts every link of the server, or (when all are cut already) heals them all. */
export function toggleIsolation(sim: Sim, server: number): Sim {
  const isolate = !isIsolated(sim, server);
  let links = sim.links;
  for (let peer = 0; peer < sim.servers; peer++) if (peer !== server) links = withBothWays(links, server, peer, isolate);
  return note({ ...sim, refusal: null, links }, isolate ? `s${server} isolated` : `s${server} rejoined`);
}

export function healAll(sim: Sim): Sim {
  if (noneCut(sim.links)) return sim;
  return note({ ...sim, refusal: null, links: allConnected(sim.servers) }, 'every link healed');
}

// ---- reading the history ------------------------------------------------------------------------

/** The history, oldest first. */
export function happenings(sim: Sim): Happening[] {
  const out: Happening[] = [];
  for (let n = sim.history; n !== null; n = n.prev) out.push(n.happening);
  return out.reverse();
}

/** The newest `limit` happenings, newest first. */
export function recentHappenings(sim: Sim, limit: number): Happening[] {
  const out: Happening[] = [];
  for (let n = sim.history; n !== null && out.length < limit; n = n.prev) out.push(n.happening);
  return out;
}

/** The model actions taken, the newest `limit` of them, newest first (notes left out). */
export function recentSteps(sim: Sim, limit: number): Extract<Happening, { kind: 'step' }>[] {
  const out: Extract<Happening, { kind: 'step' }>[] = [];
  for (let n = sim.history; n !== null && out.length < limit; n = n.prev) if (n.happening.kind === 'step') out.push(n.happening);
  return out;
}

/** Whether the flights are exactly the network's messages (as a multiset): the simulation's own invariant. */
export function flightsMatchNetwork(sim: Sim): boolean {
  const a = flights(sim).map((f) => plainMessageKey(f.message)).sort();
  const b = sim.system.network.map((m) => plainMessageKey(m)).sort();
  return a.length === b.length && a.every((k, i) => k === b[i]);
}
