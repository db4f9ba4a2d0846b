import { produce } from 'immer';
import { lastLogIndex, step, type Message } from '../../src/core/index.js';
import { snapshotThrough } from '../raft/snapshot-data.js';
import type { Mutant } from './mutant.js';
import { received, repersist, rewritingReceived, stepFrom, withStep } from './wrap.js';

/**
 * Log compaction bugs (section 7 of the extended Raft paper, Figure 13), each the real core with
 * one rule of the Snapshot input or the InstallSnapshot RPC changed.
 */

/** Small bounds at which the snapshot bugs show: one snapshot, two entries, no crashes. */
const SNAPSHOT_BOUNDS = { maxLog: 2, maxCommands: 2, maxCrashes: 0, maxMessages: 3, maxSnapshots: 1, duplicate: false, crashMidStep: false } as const;

export const installDiscardsMatchingSuffix: Mutant = {
  name: 'install-discards-matching-suffix',
  description:
    'A follower installing a snapshot discards its whole log even when it holds the snapshot\'s last entry (same index and ' +
    'term): Figure 13 step 6 (retain the entries that follow it) skipped, so entries it acknowledged are gone.',
  breaks: 'CommittedSurvivesCrash',
  bounds: SNAPSHOT_BOUNDS,
  reducer: withStep((state, input) => {
    const r = step(state, input);
    if (received(input)?.type !== 'InstallSnapshot' || r.state.lastIncludedIndex === state.lastIncludedIndex || r.state.log.length === 0) return r;
    return repersist(state, { ...r, state: produce(r.state, (d) => { d.log = []; }) });
  }),
};

export const staleInstallRollsBack: Mutant = {
  name: 'stale-install-rolls-back',
  description:
    'A follower installs a current-term InstallSnapshot that holds no more than it has committed (a late or duplicated one), ' +
    'discarding its log and moving commitIndex and lastApplied back to the snapshot\'s index.',
  breaks: 'StateMachineSafety',
  bounds: SNAPSHOT_BOUNDS,
  reducer: withStep((state, input) => {
    const m = received(input);
    if (m?.type !== 'InstallSnapshot' || m.term < state.currentTerm || m.lastIncludedIndex > state.commitIndex || m.lastIncludedIndex <= state.lastIncludedIndex) {
      return step(state, input);
    }
    // The core installs what is past commitIndex: show it a server that has committed nothing past its snapshot.
    return stepFrom(state, { ...state, log: [], commitIndex: state.lastIncludedIndex, lastApplied: state.lastIncludedIndex }, input);
  }),
};

export const snapshotBeyondLastApplied: Mutant = {
  name: 'snapshot-beyond-lastApplied',
  description: 'The service\'s snapshot is taken through the end of the log, past what was applied (and committed), and Raft accepts it.',
  breaks: 'StateMachineSafety',
  bounds: SNAPSHOT_BOUNDS,
  reducer: withStep((state, input) => {
    const last = lastLogIndex(state);
    if (input.type !== 'Snapshot' || last <= state.lastApplied) return step(state, input);
    // The core ignores a snapshot past lastApplied: show it a server that applied its whole log.
    return stepFrom(state, { ...state, lastApplied: last }, { type: 'Snapshot', index: last, snapshot: snapshotThrough(state, last) });
  }),
};

export const snapshotNotPersisted: Mutant = {
  name: 'snapshot-not-persisted',
  description:
    'The persist effect of a snapshot says the snapshot did not change (snapshotChanged false): the persister writes the ' +
    'trimmed log but keeps the old snapshot, so the disk no longer holds the compacted entries.',
  breaks: 'PersistedMatchesMemory',
  bounds: SNAPSHOT_BOUNDS,
  reducer: withStep((state, input) => {
    const r = step(state, input);
    return input.type === 'Snapshot' && r.persist ? { ...r, persist: { ...r.persist, snapshotChanged: false } } : r;
  }),
};

export const appendEntriesBelowSnapshot: Mutant = {
  name: 'append-entries-below-snapshot',
  description:
    'A leader whose follower needs entries it has compacted sends AppendEntries instead of InstallSnapshot, with the entries ' +
    'after its snapshot as if they followed nextIndex - 1 (array positions read as log indices).',
  breaks: 'LogMatching',
  bounds: SNAPSHOT_BOUNDS,
  reducer: withStep((state, input) => {
    const r = step(state, input);
    if (!r.messages.some((m) => m.type === 'InstallSnapshot')) return r;
    const s = r.state;
    const messages = r.messages.map((m): Message => {
      if (m.type !== 'InstallSnapshot') return m;
      const prevLogIndex = s.nextIndex[m.to]! - 1;
      return {
        type: 'AppendEntries', from: m.from, to: m.to, term: m.term, leaderId: m.leaderId,
        prevLogIndex, prevLogTerm: prevLogIndex === 0 ? 0 : s.lastIncludedTerm, entries: s.log, leaderCommit: s.commitIndex,
      };
    });
    return { ...r, messages };
  }),
};

export const upToDateIgnoresSnapshot: Mutant = {
  name: 'up-to-date-check-ignores-snapshot',
  description:
    'A voter compares the candidate\'s last log index with the length of its log array, forgetting the entries its snapshot ' +
    'holds (a position read as an index), so it votes for a candidate that lacks entries it has compacted (§5.4.1).',
  breaks: 'LeaderCompleteness',
  bounds: SNAPSHOT_BOUNDS,
  // Seen by the real check, that is the candidate's lastLogIndex raised by the voter's lastIncludedIndex.
  reducer: rewritingReceived((m, state) =>
    (m.type === 'RequestVote' && state.lastIncludedIndex > 0 ? { ...m, lastLogIndex: m.lastLogIndex + state.lastIncludedIndex } : null)),
};
