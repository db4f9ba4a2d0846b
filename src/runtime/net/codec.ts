import {
  MAX_TERM,
  type AppendEntriesArgs, type Configuration, type AppendEntriesReply, type InstallSnapshotArgs, type InstallSnapshotReply, type LogEntry,
  type Message, type MessageType, type PreVoteArgs, type PreVoteReply, type RequestVoteArgs, type RequestVoteReply, type ServerId, type Term,
} from '../../core/index.js';
import { configurationProblem, frozenConfiguration } from '../configurationFormat.js';
import { ByteReader, ByteWriter } from './bytes.js';
import { EncodeError } from './errors.js';
import { decodeJson, encodeJson } from './json.js';

/**
 * The binary codec of the Raft RPC messages (Figures 2 and 13, and PreVote of thesis §9.6). A message is a type byte, then
 * its fields in the order below, each id, term, index and count an unsigned varint, each
 * boolean one byte (0 or 1). An entry is its term, then its command as length-prefixed UTF-8
 * JSON. No JSON text is empty, so a length of 0 marks an entry of another kind (membership,
 * thesis §4.1), followed by a kind byte: 1 a configuration entry (its configuration, then its
 * command, the host's context, as above), 2 a leader's no-op (command null, nothing more). A
 * configuration is its voters (a count, then each id) and its learners (the same). So entries
 * before membership cost and read exactly as before.
 *
 *   1 RequestVote         from to term candidateId lastLogIndex lastLogTerm
 *   2 RequestVoteReply    from to term voteGranted
 *   3 AppendEntries       from to term leaderId prevLogIndex prevLogTerm leaderCommit n entry*n
 *   4 AppendEntriesReply  from to term success matchIndex conflictTerm conflictIndex
 *   5 InstallSnapshot     from to term leaderId lastIncludedIndex lastIncludedTerm data hasConfig [lastIncludedConfig]
 *   6 InstallSnapshotReply from to term matchIndex
 *   7 PreVote             from to term candidateId lastLogIndex lastLogTerm
 *   8 PreVoteReply        from to term voteGranted
 *
 * The snapshot's data is length-prefixed UTF-8 JSON under the same rule as a command (a JSON
 * value that JSON gives back unchanged, nested at most MAX_JSON_DEPTH deep). It is sent whole
 * (Figure 13's offset/done chunking is not used), so a snapshot must fit one frame: the
 * transport's frame cap (DEFAULT_MAX_FRAME_BYTES, 64 MiB, `maxFrameBytes`) bounds it, and a
 * larger one is not sent (the channel logs it) rather than cut. `hasConfig` (a boolean) says
 * whether the snapshot's lastIncludedConfig follows (only with a snapshot: lastIncludedIndex > 0).
 *
 * Decoding validates everything the types promise and everything the connection knows: ids in
 * 0..clusterSize-1, `from` the authenticated peer, `to` this node, candidateId and leaderId the
 * sender itself (Raft's candidates ask votes for themselves, its leaders speak for themselves),
 * every term (term, lastLogTerm, prevLogTerm, entry terms, conflictTerm) at most MAX_TERM, no
 * bytes left over, every configuration well formed (ids in range, each list ascending, the two
 * disjoint, at least one voter). Encoding refuses a term past MAX_TERM, and a malformed
 * configuration: no reader would take it.
 */
export const MESSAGE_TYPE_BYTE: { readonly [T in MessageType]: number } = {
  RequestVote: 1,
  RequestVoteReply: 2,
  AppendEntries: 3,
  AppendEntriesReply: 4,
  InstallSnapshot: 5,
  InstallSnapshotReply: 6,
  PreVote: 7,
  PreVoteReply: 8,
};

const TYPE_OF_BYTE: readonly (MessageType | undefined)[] = [
  undefined, 'RequestVote', 'RequestVoteReply', 'AppendEntries', 'AppendEntriesReply', 'InstallSnapshot', 'InstallSnapshotReply',
  'PreVote', 'PreVoteReply',
];

/** What a receiver knows about the connection a message came in on. */
export interface DecodeContext {
  readonly clusterSize: number;
  /** The authenticated sender. */
  readonly peer: ServerId;
  /** This node. */
  readonly me: ServerId;
}

export function encodeMessage(m: Message, w: ByteWriter): void {
  const typeByte = (MESSAGE_TYPE_BYTE as Record<string, number | undefined>)[m.type];
  if (typeByte === undefined) throw new EncodeError(`message type ${String(m.type)} is not a Raft RPC`);
  w.byte(typeByte);
  w.uint(m.from, `${m.type}.from`);
  w.uint(m.to, `${m.type}.to`);
  writeTerm(w, m.term, `${m.type}.term`);
  switch (m.type) {
    case 'RequestVote':
      w.uint(m.candidateId, 'RequestVote.candidateId');
      w.uint(m.lastLogIndex, 'RequestVote.lastLogIndex');
      writeTerm(w, m.lastLogTerm, 'RequestVote.lastLogTerm');
      return;
    case 'RequestVoteReply':
      w.bool(m.voteGranted, 'RequestVoteReply.voteGranted');
      return;
    case 'AppendEntries':
      w.uint(m.leaderId, 'AppendEntries.leaderId');
      w.uint(m.prevLogIndex, 'AppendEntries.prevLogIndex');
      writeTerm(w, m.prevLogTerm, 'AppendEntries.prevLogTerm');
      w.uint(m.leaderCommit, 'AppendEntries.leaderCommit');
      w.uint(m.entries.length, 'AppendEntries.entries.length');
      m.entries.forEach((entry, i) => w.bytes(encodeEntry(entry, i)));
      return;
    case 'AppendEntriesReply':
      w.bool(m.success, 'AppendEntriesReply.success');
      w.uint(m.matchIndex, 'AppendEntriesReply.matchIndex');
      writeTerm(w, m.conflictTerm, 'AppendEntriesReply.conflictTerm');
      w.uint(m.conflictIndex, 'AppendEntriesReply.conflictIndex');
      return;
    case 'InstallSnapshot': {
      w.uint(m.leaderId, 'InstallSnapshot.leaderId');
      w.uint(m.lastIncludedIndex, 'InstallSnapshot.lastIncludedIndex');
      writeTerm(w, m.lastIncludedTerm, 'InstallSnapshot.lastIncludedTerm');
      const json = encodeJson(m.data, 'InstallSnapshot.data');
      w.uint(json.length, 'InstallSnapshot.data length');
      w.bytes(json);
      w.bool(m.lastIncludedConfig !== undefined, 'InstallSnapshot.hasConfig');
      if (m.lastIncludedConfig !== undefined) writeConfiguration(w, m.lastIncludedConfig, 'InstallSnapshot.lastIncludedConfig');
      return;
    }
    case 'InstallSnapshotReply':
      w.uint(m.matchIndex, 'InstallSnapshotReply.matchIndex');
      return;
    case 'PreVote':
      w.uint(m.candidateId, 'PreVote.candidateId');
      w.uint(m.lastLogIndex, 'PreVote.lastLogIndex');
      writeTerm(w, m.lastLogTerm, 'PreVote.lastLogTerm');
      return;
    case 'PreVoteReply':
      w.bool(m.voteGranted, 'PreVoteReply.voteGranted');
      return;
  }
}

export function encodeMessageBytes(m: Message): Buffer {
  const w = new ByteWriter();
  encodeMessage(m, w);
  return w.finish();
}

/** The kind byte after an entry's zero length. */
const ENTRY_CONFIG = 1;
const ENTRY_NOOP = 2;

/**
 * Entries are immutable once in a log (the core freezes its state), and a leader sends the
 * same entries again to every follower and on every retry: a frozen entry's encoding is made
 * once and remembered.
 */
const encodedEntries = new WeakMap<LogEntry, Buffer>();

function encodeEntry(entry: LogEntry, i: number): Buffer {
  const cached = encodedEntries.get(entry);
  if (cached) return cached;
  const what = `AppendEntries.entries[${i}]`;
  const w = new ByteWriter();
  writeTerm(w, entry.term, `${what}.term`);
  if (entry.noop === true) {
    if (entry.command !== null) throw new EncodeError(`${what} is a no-op with a command`);
    w.uint(0, `${what}.kind`);
    w.byte(ENTRY_NOOP);
  } else {
    if (entry.config !== undefined) {
      w.uint(0, `${what}.kind`);
      w.byte(ENTRY_CONFIG);
      writeConfiguration(w, entry.config, `${what}.config`);
    }
    const json = encodeJson(entry.command, `${what}.command`);
    w.uint(json.length, `${what}.command length`);
    w.bytes(json);
  }
  const bytes = Buffer.from(w.finish()); // an exact-size copy: the writer's buffer has slack
  if (Object.isFrozen(entry)) encodedEntries.set(entry, bytes);
  return bytes;
}

/** Reads one message; the caller checks that nothing follows it. */
export function decodeMessage(r: ByteReader, ctx: DecodeContext): Message {
  const typeByte = r.byte('message type');
  const type = TYPE_OF_BYTE[typeByte];
  if (type === undefined) throw r.error(`bad message type byte 0x${typeByte.toString(16).padStart(2, '0')}`);
  const from = r.uint(`${type}.from`);
  checkServerId(r, from, `${type}.from`, ctx);
  if (from !== ctx.peer) throw r.error(`${type}.from is ${from}, not the authenticated peer ${ctx.peer}`);
  const to = r.uint(`${type}.to`);
  checkServerId(r, to, `${type}.to`, ctx);
  if (to !== ctx.me) throw r.error(`${type}.to is ${to}, not this node (${ctx.me})`);
  const term = readTerm(r, `${type}.term`);
  switch (type) {
    case 'RequestVote': {
      const candidateId = r.uint('RequestVote.candidateId');
      checkServerId(r, candidateId, 'RequestVote.candidateId', ctx);
      if (candidateId !== from) throw r.error(`RequestVote.candidateId is ${candidateId}, not its sender ${from}`);
      const m: RequestVoteArgs = {
        type, from, to, term, candidateId,
        lastLogIndex: r.uint('RequestVote.lastLogIndex'),
        lastLogTerm: readTerm(r, 'RequestVote.lastLogTerm'),
      };
      return m;
    }
    case 'RequestVoteReply': {
      const m: RequestVoteReply = { type, from, to, term, voteGranted: r.bool('RequestVoteReply.voteGranted') };
      return m;
    }
    case 'AppendEntries': {
      const leaderId = r.uint('AppendEntries.leaderId');
      checkServerId(r, leaderId, 'AppendEntries.leaderId', ctx);
      if (leaderId !== from) throw r.error(`AppendEntries.leaderId is ${leaderId}, not its sender ${from}`);
      const prevLogIndex = r.uint('AppendEntries.prevLogIndex');
      const prevLogTerm = readTerm(r, 'AppendEntries.prevLogTerm');
      const leaderCommit = r.uint('AppendEntries.leaderCommit');
      const m: AppendEntriesArgs = { type, from, to, term, leaderId, prevLogIndex, prevLogTerm, entries: decodeEntries(r, ctx), leaderCommit };
      return m;
    }
    case 'AppendEntriesReply': {
      const m: AppendEntriesReply = {
        type, from, to, term,
        success: r.bool('AppendEntriesReply.success'),
        matchIndex: r.uint('AppendEntriesReply.matchIndex'),
        conflictTerm: readTerm(r, 'AppendEntriesReply.conflictTerm'),
        conflictIndex: r.uint('AppendEntriesReply.conflictIndex'),
      };
      return m;
    }
    case 'InstallSnapshot': {
      const leaderId = r.uint('InstallSnapshot.leaderId');
      checkServerId(r, leaderId, 'InstallSnapshot.leaderId', ctx);
      if (leaderId !== from) throw r.error(`InstallSnapshot.leaderId is ${leaderId}, not its sender ${from}`);
      const lastIncludedIndex = r.uint('InstallSnapshot.lastIncludedIndex');
      const lastIncludedTerm = readTerm(r, 'InstallSnapshot.lastIncludedTerm');
      // What restore and the disk format accept: both 0 or neither, and no term past the sender's.
      if ((lastIncludedIndex === 0) !== (lastIncludedTerm === 0)) throw r.error(`InstallSnapshot.lastIncludedIndex ${lastIncludedIndex} with lastIncludedTerm ${lastIncludedTerm}: both 0 or neither`);
      if (lastIncludedTerm > term) throw r.error(`InstallSnapshot.lastIncludedTerm ${lastIncludedTerm} is past its term ${term}`);
      const length = r.uint('InstallSnapshot.data length');
      const data = decodeJson(r.bytes(length, 'InstallSnapshot.data'), 'InstallSnapshot.data');
      const m: InstallSnapshotArgs = { type, from, to, term, leaderId, lastIncludedIndex, lastIncludedTerm, data };
      if (!r.bool('InstallSnapshot.hasConfig')) return m;
      if (lastIncludedIndex === 0) throw r.error('InstallSnapshot.lastIncludedConfig with no snapshot (lastIncludedIndex 0)');
      return { ...m, lastIncludedConfig: readConfiguration(r, 'InstallSnapshot.lastIncludedConfig', ctx) };
    }
    case 'InstallSnapshotReply': {
      const m: InstallSnapshotReply = { type, from, to, term, matchIndex: r.uint('InstallSnapshotReply.matchIndex') };
      return m;
    }
    case 'PreVote': {
      const candidateId = r.uint('PreVote.candidateId');
      checkServerId(r, candidateId, 'PreVote.candidateId', ctx);
      if (candidateId !== from) throw r.error(`PreVote.candidateId is ${candidateId}, not its sender ${from}`);
      const m: PreVoteArgs = {
        type, from, to, term, candidateId,
        lastLogIndex: r.uint('PreVote.lastLogIndex'),
        lastLogTerm: readTerm(r, 'PreVote.lastLogTerm'),
      };
      return m;
    }
    case 'PreVoteReply': {
      const m: PreVoteReply = { type, from, to, term, voteGranted: r.bool('PreVoteReply.voteGranted') };
      return m;
    }
  }
}

/** A whole byte string holding exactly one message. */
export function decodeMessageBytes(bytes: Uint8Array, ctx: DecodeContext): Message {
  const r = new ByteReader(bytes, 'message');
  const m = decodeMessage(r, ctx);
  r.end();
  return m;
}

/** The smallest entry is 3 bytes (term, length, a one-byte JSON value). */
const MIN_ENTRY_BYTES = 3;

function decodeEntries(r: ByteReader, ctx: DecodeContext): LogEntry[] {
  const count = r.uint('AppendEntries.entries.length');
  if (count * MIN_ENTRY_BYTES > r.remaining) {
    throw r.error(`truncated: ${count} entries declared, only ${r.remaining} bytes left`);
  }
  const entries: LogEntry[] = [];
  for (let i = 0; i < count; i++) {
    const what = `AppendEntries.entries[${i}]`;
    const term = readTerm(r, `${what}.term`);
    let length = r.uint(`${what}.command length`);
    if (length > 0) {
      entries.push({ term, command: decodeJson(r.bytes(length, `${what}.command`), `${what}.command`) });
      continue;
    }
    const kind = r.byte(`${what}.kind`);
    if (kind === ENTRY_NOOP) {
      entries.push({ term, command: null, noop: true });
      continue;
    }
    if (kind !== ENTRY_CONFIG) throw r.error(`${what} has kind byte ${kind}: neither a configuration entry (1) nor a no-op (2)`);
    const config = readConfiguration(r, `${what}.config`, ctx);
    length = r.uint(`${what}.command length`);
    entries.push({ term, command: decodeJson(r.bytes(length, `${what}.command`), `${what}.command`), config });
  }
  return entries;
}

function writeConfiguration(w: ByteWriter, config: Configuration, field: string): void {
  const problem = configurationProblem(config);
  if (problem !== null) throw new EncodeError(`${field} ${problem}`);
  for (const [name, ids] of [['voters', config.voters], ['learners', config.learners]] as const) {
    w.uint(ids.length, `${field}.${name}.length`);
    ids.forEach((id, i) => w.uint(id, `${field}.${name}[${i}]`));
  }
}

function readConfiguration(r: ByteReader, field: string, ctx: DecodeContext): Configuration {
  const list = (name: string): number[] => {
    const count = r.uint(`${field}.${name}.length`);
    if (count > r.remaining) throw r.error(`truncated: ${count} ${name} declared, only ${r.remaining} bytes left`);
    const ids: number[] = [];
    for (let i = 0; i < count; i++) ids.push(r.uint(`${field}.${name}[${i}]`));
    return ids;
  };
  const config = { voters: list('voters'), learners: list('learners') };
  const problem = configurationProblem(config, ctx.clusterSize);
  if (problem !== null) throw r.error(`${field} ${problem}`);
  return frozenConfiguration(config);
}

function writeTerm(w: ByteWriter, term: Term, field: string): void {
  if (term > MAX_TERM) throw new EncodeError(`${field} is ${term}, beyond MAX_TERM (${MAX_TERM})`);
  w.uint(term, field);
}

function readTerm(r: ByteReader, field: string): Term {
  const term = r.uint(field);
  if (term > MAX_TERM) throw r.error(`${field} is ${term}, beyond MAX_TERM (${MAX_TERM})`);
  return term;
}

function checkServerId(r: ByteReader, id: number, field: string, ctx: DecodeContext): void {
  if (id >= ctx.clusterSize) throw r.error(`${field} is ${id}, outside 0..${ctx.clusterSize - 1}`);
}
