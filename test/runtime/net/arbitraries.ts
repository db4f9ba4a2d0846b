import fc from 'fast-check';
import { MAX_TERM, type Configuration, type LogEntry, type Message } from '../../../src/core/index.js';
import type { DecodeContext } from '../../../src/runtime/net/index.js';

/** A receiver's view: a cluster of 2..7, an authenticated peer and this node, distinct. */
export const contextArb: fc.Arbitrary<DecodeContext> = fc
  .integer({ min: 2, max: 7 })
  .chain((clusterSize) => fc.record({
    clusterSize: fc.constant(clusterSize),
    peer: fc.nat(clusterSize - 1),
    me: fc.nat(clusterSize - 1),
  }))
  .filter((c) => c.peer !== c.me);

/** Small values mostly, now and then up to 2^53 - 1. */
export const uintArb = fc.oneof(fc.nat(20), fc.nat(), fc.maxSafeNat());

/** Terms: small mostly, now and then up to MAX_TERM (the wire refuses anything beyond). */
export const termArb = fc.oneof(fc.nat(20), fc.nat(MAX_TERM), fc.constant(MAX_TERM));

/** JSON values as JSON gives them back (fast-check's jsonValue may hold -0, which JSON turns into 0). */
export const commandArb: fc.Arbitrary<unknown> = fc.jsonValue().map((v) => JSON.parse(JSON.stringify(v)) as unknown);

export const entryArb: fc.Arbitrary<LogEntry> = fc.record({ term: termArb, command: commandArb });

/** A well-formed configuration of a cluster of `clusterSize`: each server a voter, a learner or neither, at least one voter. */
export function configurationArb(clusterSize: number): fc.Arbitrary<Configuration> {
  return fc.array(fc.constantFrom('voter', 'learner', 'out'), { minLength: clusterSize, maxLength: clusterSize })
    .filter((roles) => roles.includes('voter'))
    .map((roles) => ({
      voters: roles.flatMap((r, id) => (r === 'voter' ? [id] : [])),
      learners: roles.flatMap((r, id) => (r === 'learner' ? [id] : [])),
    }));
}

/** Entries of every kind: commands mostly, now and then a configuration entry (with a context) or a leader's no-op. */
export function anyEntryArb(clusterSize: number): fc.Arbitrary<LogEntry> {
  return fc.oneof(
    { weight: 4, arbitrary: entryArb },
    { weight: 1, arbitrary: fc.record({ term: termArb, command: commandArb, config: configurationArb(clusterSize) }) },
    { weight: 1, arbitrary: termArb.map((term): LogEntry => ({ term, command: null, noop: true })) },
  );
}

/** Any of the six messages, from the context's peer to its node. */
export function messageArb(ctx: DecodeContext): fc.Arbitrary<Message> {
  const from = ctx.peer;
  const to = ctx.me;
  return fc.oneof(
    fc.record({
      type: fc.constant('RequestVote' as const), from: fc.constant(from), to: fc.constant(to), term: termArb,
      candidateId: fc.constant(from), lastLogIndex: uintArb, lastLogTerm: termArb,
    }),
    fc.record({ type: fc.constant('RequestVoteReply' as const), from: fc.constant(from), to: fc.constant(to), term: termArb, voteGranted: fc.boolean() }),
    fc.record({
      type: fc.constant('AppendEntries' as const), from: fc.constant(from), to: fc.constant(to), term: termArb,
      leaderId: fc.constant(from), prevLogIndex: uintArb, prevLogTerm: termArb,
      entries: fc.array(anyEntryArb(ctx.clusterSize), { maxLength: 6 }), leaderCommit: uintArb,
    }),
    fc.record({
      type: fc.constant('AppendEntriesReply' as const), from: fc.constant(from), to: fc.constant(to), term: termArb,
      success: fc.boolean(), matchIndex: uintArb, conflictTerm: termArb, conflictIndex: uintArb,
    }),
    // A snapshot the codec accepts: index and term both 0 or neither, the term at most the message's.
    // A lastIncludedConfig only with a snapshot.
    fc.tuple(termArb, uintArb, termArb, commandArb, fc.option(configurationArb(ctx.clusterSize), { nil: undefined })).map(([term, index, t, data, config]) => {
      const lastIncludedTerm = index === 0 ? 0 : Math.max(1, Math.min(t, term));
      const m = { type: 'InstallSnapshot' as const, from, to, term: index > 0 && term === 0 ? 1 : term, leaderId: from, lastIncludedIndex: lastIncludedTerm === 0 ? 0 : index, lastIncludedTerm, data };
      return config === undefined || m.lastIncludedIndex === 0 ? m : { ...m, lastIncludedConfig: config };
    }),
    fc.record({ type: fc.constant('InstallSnapshotReply' as const), from: fc.constant(from), to: fc.constant(to), term: termArb, matchIndex: uintArb }),
    fc.record({
      type: fc.constant('PreVote' as const), from: fc.constant(from), to: fc.constant(to), term: termArb,
      candidateId: fc.constant(from), lastLogIndex: uintArb, lastLogTerm: termArb,
    }),
    fc.record({ type: fc.constant('PreVoteReply' as const), from: fc.constant(from), to: fc.constant(to), term: termArb, voteGranted: fc.boolean() }),
  );
}

export const contextAndMessageArb = contextArb.chain((ctx) => fc.tuple(fc.constant(ctx), messageArb(ctx)));
