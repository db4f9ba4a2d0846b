import type { Message, RaftState } from '../../src/core/index.js';
import { identity, MAX_IDS } from '../engine/relabelling.js';
import { StringSink } from '../engine/string-sink.js';
import { encodeMessage, encodeRaftState, encodeSystem } from './encode.js';
import type { SystemState } from './system.js';

/**
 * Plain keys (ids as they are) of messages, server states and system states: the same encoding
 * as the fingerprints (encode.ts), spelled out. The network is kept sorted by message key, the
 * step memo looks states up by key, and replays compare states by key.
 *
 * One sink for all of them, named for what it is: a cache of the keys of the same messages and
 * states, which the network's order and the memo look up many times over (one lookup each).
 */
const plainKeys = new StringSink();

/** Server ids are below MAX_IDS: the identity on MAX_IDS ids leaves any message's as they are. */
const IDS_AS_THEY_ARE = identity(MAX_IDS);

export const plainMessageKey = (m: Message): string => plainKeys.partKey(m, IDS_AS_THEY_ARE, encodeMessage);

export const plainRaftStateKey = (s: RaftState): string => plainKeys.partKey(s, identity(s.clusterSize), encodeRaftState);

export const plainSystemKey = (s: SystemState): string => plainKeys.key(s, identity(s.servers.length), encodeSystem);
