import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { MAX_TERM, type AppendEntriesArgs, type Message } from '../../../src/core/index.js';
import {
  ByteWriter, DEFAULT_MAX_FRAME_BYTES, decodeMessageBytes, decodePeerFrame, encodeMessageBytes, encodePeerFrame,
  EncodeError, MAX_JSON_DEPTH, WireError, type DecodeContext,
} from '../../../src/runtime/net/index.js';
import { contextAndMessageArb } from './arbitraries.js';

const ctx: DecodeContext = { clusterSize: 3, peer: 1, me: 0 };

const heartbeat: AppendEntriesArgs = {
  type: 'AppendEntries', from: 1, to: 0, term: 3, leaderId: 1, prevLogIndex: 5, prevLogTerm: 3, entries: [], leaderCommit: 5,
};

/** Raw message bytes: numbers are varints, arrays are raw bytes, strings are UTF-8. */
function raw(...parts: (number | readonly number[] | string)[]): Buffer {
  const w = new ByteWriter();
  for (const part of parts) {
    if (typeof part === 'number') w.uint(part, 'test');
    else if (typeof part === 'string') w.bytes(Buffer.from(part, 'utf8'));
    else w.bytes(Uint8Array.from(part));
  }
  return Buffer.from(w.finish());
}

function rejection(bytes: Uint8Array, context: DecodeContext = ctx): WireError {
  try {
    decodeMessageBytes(bytes, context);
  } catch (error) {
    if (error instanceof WireError) return error;
    throw error;
  }
  throw new Error('decoded without complaint');
}

/** An AppendEntries from 1 to 0 with one entry whose command is the given bytes. */
function appendWithCommandBytes(json: readonly number[] | string): Buffer {
  const body = typeof json === 'string' ? Buffer.from(json, 'utf8') : Buffer.from(json);
  return raw([3], 1, 0, 2, 1, 0, 0, 0, 1, 2, body.length, [...body]);
}

describe('codec: round trip', () => {
  test('every message decodes to itself, and its encoding is the only one (property)', () => {
    fc.assert(fc.property(contextAndMessageArb, ([context, m]) => {
      const bytes = encodeMessageBytes(m);
      const decoded = decodeMessageBytes(bytes, context);
      expect(decoded).toEqual(m);
      expect(encodeMessageBytes(decoded).equals(bytes)).toBe(true);
    }), { numRuns: 500 });
  });

  test('a peer frame is one message, requests and replies alike, and nothing else (property)', () => {
    fc.assert(fc.property(contextAndMessageArb, ([context, m]) => {
      const bytes = encodePeerFrame(m);
      expect(bytes.equals(encodeMessageBytes(m))).toBe(true);
      expect(decodePeerFrame(bytes, context)).toEqual(m);
      expect(() => decodePeerFrame(Buffer.concat([bytes, Buffer.from([0])]), context)).toThrow(WireError);
    }), { numRuns: 500 });
  });

  test('a heartbeat is 9 bytes; an AppendEntries with one small entry 18', () => {
    expect(encodeMessageBytes(heartbeat).length).toBe(9);
    const one: AppendEntriesArgs = { ...heartbeat, entries: [{ term: 3, command: { x: 1 } }] };
    expect(encodeMessageBytes(one).length).toBe(9 + 1 + 1 + '{"x":1}'.length);
    expect(encodeMessageBytes({ type: 'RequestVote', from: 1, to: 0, term: 4, candidateId: 1, lastLogIndex: 7, lastLogTerm: 3 }).length).toBe(7);
    expect(encodeMessageBytes({ type: 'AppendEntriesReply', from: 0, to: 1, term: 3, success: true, matchIndex: 6, conflictTerm: 0, conflictIndex: 0 }).length).toBe(8);
  });

  test('an InstallSnapshot is its header, its data as JSON and a byte saying no configuration follows; its reply 5 bytes', () => {
    const data = { list: [1, 2, 3] };
    const m: Message = { type: 'InstallSnapshot', from: 1, to: 0, term: 3, leaderId: 1, lastIncludedIndex: 9, lastIncludedTerm: 2, data };
    expect(encodeMessageBytes(m).length).toBe(8 + JSON.stringify(data).length + 1);
    expect(decodeMessageBytes(encodeMessageBytes(m), ctx)).toEqual(m);
    expect(encodeMessageBytes({ type: 'InstallSnapshotReply', from: 0, to: 1, term: 3, matchIndex: 9 }).length).toBe(5);
  });

  test('a snapshot of a few MiB round-trips in one message (the frame cap is 64 MiB)', () => {
    const data = Array.from({ length: 200_000 }, (_, i) => `command ${i}`);
    const m: Message = { type: 'InstallSnapshot', from: 1, to: 0, term: 3, leaderId: 1, lastIncludedIndex: 200_000, lastIncludedTerm: 2, data };
    const bytes = encodeMessageBytes(m);
    expect(bytes.length).toBeGreaterThan(2 * 1024 * 1024);
    expect(bytes.length).toBeLessThan(DEFAULT_MAX_FRAME_BYTES);
    expect(decodeMessageBytes(bytes, ctx)).toEqual(m);
  });
});

describe('codec: every malformed message is rejected with a one-line reason', () => {
  test('every proper prefix of a valid message is truncated (property)', () => {
    fc.assert(fc.property(contextAndMessageArb, ([context, m]) => {
      const bytes = encodeMessageBytes(m);
      for (let cut = 0; cut < bytes.length; cut++) {
        const error = rejection(bytes.subarray(0, cut), context);
        expect(error.kind).toBe('malformed');
      }
    }), { numRuns: 120 });
  });

  const cases: [string, Buffer, RegExp][] = [
    ['empty', raw(), /truncated in message type/],
    ['type byte 0', raw([0], 1, 0, 1), /bad message type byte 0x00/],
    ['type byte 9', raw([9], 1, 0, 1), /bad message type byte 0x09/],
    ['InstallSnapshot leaderId not the sender', raw([5], 1, 0, 1, 2, 0, 0, 2, '{}'), /InstallSnapshot\.leaderId is 2, not its sender 1/],
    ['InstallSnapshot data longer than the message', raw([5], 1, 0, 1, 1, 4, 1, 40, '{}'), /InstallSnapshot\.data: 40 bytes declared, 2 left/],
    ['InstallSnapshot data that is not JSON', raw([5], 1, 0, 1, 1, 4, 1, 3, '[1,'), /InstallSnapshot\.data is not valid JSON/],
    ['InstallSnapshot data JSON cannot give back', raw([5], 1, 0, 1, 1, 4, 1, 7, '[1e999]'), /InstallSnapshot\.data\[0\] is the number Infinity/],
    ['InstallSnapshot with an index but no term', raw([5], 1, 0, 1, 1, 4, 0, 2, '{}'), /InstallSnapshot\.lastIncludedIndex 4 with lastIncludedTerm 0: both 0 or neither/],
    ['InstallSnapshot with a term but no index', raw([5], 1, 0, 1, 1, 0, 1, 2, '{}'), /InstallSnapshot\.lastIncludedIndex 0 with lastIncludedTerm 1: both 0 or neither/],
    ['InstallSnapshot whose last term is past its own', raw([5], 1, 0, 1, 1, 4, 2, 2, '{}'), /InstallSnapshot\.lastIncludedTerm 2 is past its term 1/],
    ['InstallSnapshotReply with trailing bytes', raw([6], 1, 0, 1, 4, [0]), /1 trailing bytes?/],
    ['type byte 0xff', raw([0xff]), /bad message type byte 0xff/],
    ['trailing bytes', Buffer.concat([encodeMessageBytes(heartbeat), Buffer.from([0, 0])]), /2 trailing bytes/],
    ['from out of range', raw([2], 3, 0, 1, [1]), /RequestVoteReply\.from is 3, outside 0\.\.2/],
    ['to out of range', raw([2], 1, 7, 1, [1]), /RequestVoteReply\.to is 7, outside 0\.\.2/],
    ['from not the authenticated peer', raw([2], 2, 0, 1, [1]), /from is 2, not the authenticated peer 1/],
    ['to not this node', raw([2], 1, 2, 1, [1]), /to is 2, not this node \(0\)/],
    ['candidateId out of range', raw([1], 1, 0, 1, 9, 0, 0), /candidateId is 9, outside 0\.\.2/],
    ['candidateId not the sender', raw([1], 1, 0, 1, 2, 0, 0), /candidateId is 2, not its sender 1/],
    ['PreVote.candidateId not the sender', raw([7], 1, 0, 1, 2, 0, 0), /PreVote.candidateId is 2, not its sender 1/],
    ['leaderId out of range', raw([3], 1, 0, 1, 3, 0, 0, 0, 0), /leaderId is 3, outside/],
    ['leaderId not the sender', raw([3], 1, 0, 1, 2, 0, 0, 0, 0), /leaderId is 2, not its sender 1/],
    ['term above 2^53-1', raw([2], 1, 0, [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10], [1]), /term exceeds 2\^53-1/],
    ['a 9-byte varint', raw([2], 1, 0, [0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00], [1]), /term is a varint longer than 8 bytes/],
    ['an overlong varint', raw([2], 1, 0, [0x85, 0x00], [1]), /term is an overlong varint/],
    ['a boolean byte 2', raw([2], 1, 0, 1, [2]), /voteGranted is byte 2, not a boolean/],
    ['more entries than bytes', raw([3], 1, 0, 1, 1, 0, 0, 0, 1000, [1, 1, 0x31]), /1000 entries declared/],
    ['a command longer than the message', raw([3], 1, 0, 1, 1, 0, 0, 0, 1, 1, 40, '{}'), /entries\[0\]\.command: 40 bytes declared, 2 left/],
    ['a command that is not JSON', appendWithCommandBytes('{"x":'), /entries\[0\]\.command is not valid JSON/],
    ['a command that is not UTF-8', appendWithCommandBytes([0x22, 0xff, 0x22]), /entries\[0\]\.command is not valid UTF-8/],
    ['a command JSON cannot give back (1e999)', appendWithCommandBytes('[1e999]'), /entries\[0\]\.command\[0\] is the number Infinity/],
    ['a command JSON cannot give back (-0)', appendWithCommandBytes('{"a":-0}'), /entries\[0\]\.command\.a is -0/],
  ];

  test('a command nested past the limit is refused before parsing, however deep', () => {
    const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
    for (const depth of [MAX_JSON_DEPTH + 1, 1_000_000]) {
      expect(rejection(appendWithCommandBytes(nested(depth))).message).toMatch(/entries\[0\]\.command nests deeper than 512 levels/);
    }
    const deepest = JSON.parse(nested(MAX_JSON_DEPTH)) as unknown;
    const m: AppendEntriesArgs = { ...heartbeat, entries: [{ term: 1, command: deepest }] };
    expect(decodeMessageBytes(encodeMessageBytes(m), ctx)).toEqual(m);
    const bracketsInAString = { ...heartbeat, entries: [{ term: 1, command: '['.repeat(2000) }] };
    expect(decodeMessageBytes(encodeMessageBytes(bracketsInAString), ctx)).toEqual(bracketsInAString);
  });

  test.each(cases)('%s', (_name, bytes, reason) => {
    const error = rejection(bytes);
    expect(error.kind).toBe('malformed');
    expect(error.message).toMatch(reason);
    expect(error.message).not.toMatch(/\n/);
  });

  test('a valid message from the wrong cluster size is out of range', () => {
    const m: Message = { type: 'RequestVoteReply', from: 4, to: 0, term: 1, voteGranted: true };
    expect(rejection(encodeMessageBytes(m)).message).toMatch(/from is 4, outside 0\.\.2/);
    expect(decodeMessageBytes(encodeMessageBytes(m), { clusterSize: 5, peer: 4, me: 0 })).toEqual(m);
  });
});

describe('codec: no term beyond MAX_TERM crosses the wire', () => {
  // A term no persister reader accepts must never reach a core: one such AppendEntries once
  // made every node fsync a term it then refused at restart.
  const beyond = [MAX_TERM + 1, 2 ** 53 - 1];
  const inRange = (t: number): [string, Buffer, RegExp][] => [
    ['term', raw([2], 1, 0, t, [1]), /RequestVoteReply\.term is \d+, beyond MAX_TERM \(4294967295\)/],
    ['lastLogTerm', raw([1], 1, 0, 1, 1, 0, t), /RequestVote\.lastLogTerm is \d+, beyond MAX_TERM/],
    ['prevLogTerm', raw([3], 1, 0, 1, 1, 0, t, 0, 0), /AppendEntries\.prevLogTerm is \d+, beyond MAX_TERM/],
    ['an entry term', raw([3], 1, 0, 2, 1, 0, 0, 0, 1, t, 2, '{}'), /AppendEntries\.entries\[0\]\.term is \d+, beyond MAX_TERM/],
    ['conflictTerm', raw([4], 1, 0, 1, [0], 0, t, 0), /AppendEntriesReply\.conflictTerm is \d+, beyond MAX_TERM/],
    ['lastIncludedTerm', raw([5], 1, 0, MAX_TERM, 1, 4, t, 1, '0', [0]), /InstallSnapshot\.lastIncludedTerm is \d+, beyond MAX_TERM/],
  ];

  test.each(beyond.flatMap((t) => inRange(t).map(([field, bytes, reason]) => [`${field} ${t}`, bytes, reason] as const)))(
    'decoding %s is a malformed frame', (_name, bytes, reason) => {
      const error = rejection(bytes);
      expect(error.kind).toBe('malformed');
      expect(error.message).toMatch(reason);
    });

  test('the same bytes with MAX_TERM itself decode', () => {
    for (const [field, bytes] of inRange(MAX_TERM)) expect(() => decodeMessageBytes(bytes, ctx), field).not.toThrow();
  });

  const withTerm = (t: number): [string, Message][] => [
    ['term', { ...heartbeat, term: t }],
    ['lastLogTerm', { type: 'RequestVote', from: 1, to: 0, term: 1, candidateId: 1, lastLogIndex: 0, lastLogTerm: t }],
    ['prevLogTerm', { ...heartbeat, prevLogTerm: t }],
    ['an entry term', { ...heartbeat, entries: [{ term: t, command: 1 }] }],
    ['conflictTerm', { type: 'AppendEntriesReply', from: 1, to: 0, term: 1, success: false, matchIndex: 0, conflictTerm: t, conflictIndex: 1 }],
    ['lastIncludedTerm', { type: 'InstallSnapshot', from: 1, to: 0, term: MAX_TERM, leaderId: 1, lastIncludedIndex: 4, lastIncludedTerm: t, data: [1] }],
  ];

  test.each(beyond.flatMap((t) => withTerm(t).map(([field, m]) => [`${field} ${t}`, m] as const)))(
    'encoding %s is refused', (_name, m) => {
      expect(() => encodeMessageBytes(m)).toThrow(EncodeError);
      expect(() => encodeMessageBytes(m)).toThrow(/beyond MAX_TERM \(4294967295\)/);
    });

  test('every term field at MAX_TERM round-trips', () => {
    for (const [field, m] of withTerm(MAX_TERM)) expect(decodeMessageBytes(encodeMessageBytes(m), ctx), field).toEqual(m);
  });
});

describe('codec: what the wire cannot carry is an EncodeError', () => {
  const withCommand = (command: unknown): AppendEntriesArgs => ({ ...heartbeat, entries: [{ term: 1, command }] });
  const cases: [string, Message, RegExp][] = [
    ['an undefined command', withCommand(undefined), /entries\[0\]\.command is undefined/],
    ['a function', withCommand(() => 1), /entries\[0\]\.command is a function/],
    ['a bigint', withCommand({ n: 1n }), /entries\[0\]\.command\.n is a bigint/],
    ['NaN', withCommand([1, NaN]), /entries\[0\]\.command\[1\] is the number NaN/],
    ['an undefined member', withCommand({ a: undefined }), /command\.a is undefined/],
    ['a Date', withCommand(new Date(0)), /an instance of Date/],
    ['a negative term', { ...heartbeat, term: -1 }, /AppendEntries\.term is -1, not a non-negative safe integer/],
    ['a fractional index', { ...heartbeat, prevLogIndex: 1.5 }, /prevLogIndex is 1\.5/],
    ['an unsafe integer', { ...heartbeat, leaderCommit: 2 ** 53 }, /leaderCommit is 9007199254740992/],
    ['a command nested past the limit', withCommand(JSON.parse('['.repeat(MAX_JSON_DEPTH + 1) + ']'.repeat(MAX_JSON_DEPTH + 1))), /command nests deeper than 512 levels/],
    ['a cyclic command', withCommand((() => { const o: Record<string, unknown> = {}; o['self'] = o; return o; })()), /command nests deeper than 512 levels \(or is cyclic\)/],
    ['snapshot data that is undefined', { type: 'InstallSnapshot', from: 1, to: 0, term: 1, leaderId: 1, lastIncludedIndex: 4, lastIncludedTerm: 1, data: undefined }, /InstallSnapshot\.data is undefined/],
    ['snapshot data holding NaN', { type: 'InstallSnapshot', from: 1, to: 0, term: 1, leaderId: 1, lastIncludedIndex: 4, lastIncludedTerm: 1, data: { n: NaN } }, /InstallSnapshot\.data\.n is the number NaN/],
    ['a non-boolean', { type: 'RequestVoteReply', from: 1, to: 0, term: 1, voteGranted: 1 as unknown as boolean }, /voteGranted is number, not a boolean/],
  ];
  test.each(cases)('%s', (_name, m, reason) => {
    expect(() => encodeMessageBytes(m)).toThrow(EncodeError);
    expect(() => encodeMessageBytes(m)).toThrow(reason);
  });
});
