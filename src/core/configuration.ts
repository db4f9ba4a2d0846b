import { majority } from './cluster.js';
import { lastConfigPosition } from './configPosition.js';
import type { Configuration, LogIndex, LogView, MembershipChange, MembershipRefusal, ServerId } from './types.js';

/**
 * Configuration arithmetic (Raft thesis §4.1): who votes and who is replicated to, as pure
 * functions of plain data. The configuration in effect on a server is the latest one in its log,
 * committed or not, so it is always computed from the log (never stored beside it, except the one
 * a snapshot compacted away: lastIncludedConfig).
 */

/** Raft without membership change: every server 0..clusterSize-1 votes, nobody learns. */
export function everyoneVotes(clusterSize: number): Configuration {
  const voters: ServerId[] = [];
  for (let i = 0; i < clusterSize; i++) voters.push(i);
  return { voters, learners: [] };
}

export function isVoter(config: Configuration, id: ServerId): boolean {
  return config.voters.includes(id);
}

export function isLearner(config: Configuration, id: ServerId): boolean {
  return config.learners.includes(id);
}

/** A voter or a learner: a server the leader replicates to. */
export function isMember(config: Configuration, id: ServerId): boolean {
  return isVoter(config, id) || isLearner(config, id);
}

/** Every member: the voters, then the learners, each ascending. */
export function membersOf(config: Configuration): ServerId[] {
  return [...config.voters, ...config.learners];
}

/** Every member but `id` (membersOf without it), in one pass: the servers a leader replicates to. */
export function othersOf(config: Configuration, id: ServerId): ServerId[] {
  const others: ServerId[] = [];
  for (const list of [config.voters, config.learners]) {
    for (let i = 0; i < list.length; i++) if (list[i] !== id) others.push(list[i]!);
  }
  return others;
}

/**
 * The configuration after `change`. Pure and validates nothing (the leader's refusals do, in
 * membership.ts): adding a member or removing a non-member gives a configuration with the same
 * members.
 */
export function applyChange(config: Configuration, change: MembershipChange): Configuration {
  const { server } = change;
  const voters = config.voters.filter((id) => id !== server);
  const learners = config.learners.filter((id) => id !== server);
  switch (change.kind) {
    case 'AddLearner':
      return { voters: [...config.voters], learners: ascending([...learners, server]) };
    case 'PromoteLearner':
      return { voters: ascending([...voters, server]), learners };
    case 'RemoveServer':
      return { voters, learners };
  }
}

/**
 * Why `change` means nothing in `config` (the refusals that depend on the configuration alone), or
 * null when it is a change: AddLearner of a member ('already-member'), PromoteLearner of a
 * non-learner ('not-a-learner'), RemoveServer of a non-member ('no-such-server') or of the only
 * voter ('last-voter'). The leader's other refusals are in membership.ts.
 */
export function changeRefusal(config: Configuration, change: MembershipChange): MembershipRefusal | null {
  const { server } = change;
  switch (change.kind) {
    case 'AddLearner':
      return isMember(config, server) ? 'already-member' : null;
    case 'PromoteLearner':
      return isLearner(config, server) ? null : 'not-a-learner';
    case 'RemoveServer':
      if (!isMember(config, server)) return 'no-such-server';
      return config.voters.length === 1 && config.voters[0] === server ? 'last-voter' : null;
  }
}

function ascending(ids: ServerId[]): ServerId[] {
  return ids.sort((a, b) => a - b);
}

/** What the configuration in effect is read from: a log, the snapshot's configuration, the bootstrap one. */
export interface ConfigurationSource extends LogView {
  readonly lastIncludedConfig?: Configuration;
  readonly bootstrapConfig?: Configuration;
  readonly clusterSize: number;
}

/**
 * The configuration in effect (thesis §4.1): the last configuration entry in the log, committed
 * or not; else the one the snapshot compacted (lastIncludedConfig); else the bootstrap
 * configuration; else every server a voter.
 */
export function configurationInEffect(v: ConfigurationSource): Configuration {
  return latestConfiguration(v, v.lastIncludedConfig, v.bootstrapConfig, v.clusterSize).config;
}

/** A configuration and the index of the entry that holds it (0: none in the log; from the snapshot or the bootstrap). */
export interface ConfigurationAt {
  readonly config: Configuration;
  readonly index: LogIndex;
}

/**
 * configurationInEffect, with the index of its entry: O(1) on a log array the core made (it notes
 * where its last configuration entry is: configPosition.ts), else a search back from its end.
 */
export function latestConfiguration(
  v: LogView, lastIncludedConfig: Configuration | undefined, bootstrapConfig: Configuration | undefined, clusterSize: number,
): ConfigurationAt {
  const index = lastConfigIndex(v, v.lastIncludedIndex + v.log.length);
  if (index > 0) return { config: v.log[index - v.lastIncludedIndex - 1]!.config!, index };
  return { config: lastIncludedConfig ?? bootstrapConfig ?? everyoneVotes(clusterSize), index: 0 };
}

/** The index of the last configuration entry at or before `upTo` and after the snapshot (0: none). */
export function lastConfigIndex(v: LogView, upTo: LogIndex): LogIndex {
  const position = lastConfigPosition(v.log, upTo - v.lastIncludedIndex - 1);
  return position < 0 ? 0 : v.lastIncludedIndex + 1 + position;
}

/** How many voters of `config` have their flag set (`flags` indexed by server id). */
export function votersFlagged(config: Configuration, flags: readonly boolean[]): number {
  const { voters } = config;
  let count = 0;
  for (let i = 0; i < voters.length; i++) if (flags[voters[i]!] === true) count++;
  return count;
}

/** A majority of the voters: any two such sets share a voter. */
export function voterQuorum(config: Configuration): number {
  return majority(config.voters.length);
}

/**
 * Why `config` is not a configuration of a cluster of `clusterSize` (ids ascending, disjoint,
 * each a server id, at least one voter), or null when it is one.
 */
export function configurationProblem(config: Configuration, clusterSize: number): string | null {
  if (typeof config !== 'object' || config === null || !Array.isArray(config.voters) || !Array.isArray(config.learners)) return 'a configuration is { voters: ServerId[], learners: ServerId[] }';
  if (config.voters.length === 0) return 'a configuration needs at least one voter';
  for (const list of [config.voters, config.learners]) {
    for (let i = 0; i < list.length; i++) {
      const id = list[i]!;
      if (!Number.isInteger(id) || id < 0 || id >= clusterSize) return `server id ${String(id)} is not in 0..${clusterSize - 1}`;
      if (i > 0 && !(list[i - 1]! < id)) return 'server ids must be ascending and distinct';
    }
  }
  if (config.voters.some((id) => config.learners.includes(id))) return 'a server is a voter or a learner, not both';
  return null;
}
