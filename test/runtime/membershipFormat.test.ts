/**
 * Membership on disk and on the wire: configuration entries, leaders' no-ops and a snapshot's
 * lastIncludedConfig round-trip through the DiskPersister and the codec, read back exactly (no
 * field added to an old entry), and anything malformed is refused with a reason in one line.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { AppendEntriesArgs, Configuration, InstallSnapshotArgs, LogEntry, PersistEffect } from '../../src/core/index.js';
import { DiskPersister, DiskPersisterError, LOG_FILE, SEAL_FILE } from '../../src/runtime/index.js';
import {
  encodeFrame, encodeHeader, encodeSealFile, HEADER_SIZE, NO_SNAPSHOT, RecordType, storedChecksum,
} from '../../src/runtime/diskFormat.js';
import { configurationProblem } from '../../src/runtime/configurationFormat.js';
import { ByteWriter, decodeMessageBytes, encodeMessageBytes, EncodeError, WireError, type DecodeContext } from '../../src/runtime/net/index.js';
import { scratchDirs } from '../helpers/scratchDir.js';

const freshDir = scratchDirs('membership-format');

const config = (voters: number[], learners: number[] = []): Configuration => ({ voters, learners });
const entries: LogEntry[] = [
  { term: 1, command: 'a' },
  { term: 1, command: { address: '127.0.0.1:9003' }, config: config([0, 1, 2], [3]) },
  { term: 2, command: null, noop: true },
  { term: 2, command: null, config: config([0, 1, 2, 3]) },
  { term: 2, command: ['b'] },
];
const effect = (log: readonly LogEntry[], extra: Partial<PersistEffect> = {}): PersistEffect => ({
  currentTerm: 2, votedFor: 0, log, logChangedFrom: 1, lastIncludedIndex: 0, lastIncludedTerm: 0, snapshot: null, snapshotChanged: false, ...extra,
});
/** A directory's state as the next start reads it. */
async function reopened(dir: string) {
  const p = await DiskPersister.open(dir);
  try {
    return p.load();
  } finally {
    await p.close();
  }
}

/** A log written by hand: a header and these records, sealed whole (what a writer of that format left). */
function handLog(dir: string, records: readonly [number, string][], lastIncludedIndex = 0): void {
  const frames = records.map(([type, payload]) => encodeFrame(type as RecordType, payload));
  const header = encodeHeader({ generation: 1, lastIncludedIndex, lastIncludedTerm: lastIncludedIndex === 0 ? 0 : 1 });
  const log = Buffer.concat([header, ...frames]);
  writeFileSync(join(dir, LOG_FILE), log);
  const last = frames[frames.length - 1];
  const snapshot = lastIncludedIndex === 0 ? NO_SNAPSHOT : NO_SNAPSHOT; // only snapshot-less logs are written by hand here
  writeFileSync(join(dir, SEAL_FILE), encodeSealFile({ seq: 1, generation: 1, end: log.length, lastCrc: last === undefined ? 0 : storedChecksum(last), snapshot }));
}

async function refusal(dir: string): Promise<DiskPersisterError> {
  const error: unknown = await DiskPersister.open(dir).then(async (p) => { await p.close(); return null; }, (e: unknown) => e);
  expect(error).toBeInstanceOf(DiskPersisterError);
  expect((error as Error).message).not.toContain('\n');
  return error as DiskPersisterError;
}

describe('disk: configuration entries, no-ops and lastIncludedConfig', () => {
  test('configuration entries and no-ops survive a restart exactly; a command entry gains no field', async () => {
    const dir = freshDir();
    const p = await DiskPersister.open(dir);
    await p.save(effect(entries));
    await p.close();
    const log = (await reopened(dir))!.log;
    expect(log).toEqual(entries);
    expect(Object.keys(log[0]!)).toEqual(['term', 'command']);
    expect(Object.keys(log[2]!).sort()).toEqual(['command', 'noop', 'term']);
  });

  test('lastIncludedConfig is written with the snapshot and survives a restart and a compaction; absent stays absent', async () => {
    const dir = freshDir();
    const p = await DiskPersister.open(dir, { compactMinBytes: 0, compactFactor: 1.5 });
    await p.save(effect(entries));
    const withSnapshot = effect(entries.slice(3), {
      lastIncludedIndex: 3, lastIncludedTerm: 2, snapshot: { list: ['a'] }, snapshotChanged: true, lastIncludedConfig: config([0, 1, 2], [3]),
    });
    await p.save(withSnapshot);
    // Appends after it, many, so the file compacts (the new generation must carry the config too).
    let log = entries.slice(3);
    for (let i = 0; i < 40; i++) {
      log = [...log, { term: 2, command: `c${i}` }];
      await p.save({ ...withSnapshot, log, snapshotChanged: false, logChangedFrom: 3 + log.length });
    }
    expect(p.stats.compactions).toBeGreaterThan(0);
    await p.close();
    const read = (await reopened(dir))!;
    expect(read.lastIncludedConfig).toEqual(config([0, 1, 2], [3]));
    expect(read.log).toEqual(log);

    const plain = freshDir();
    const q = await DiskPersister.open(plain);
    await q.save(effect(entries.slice(0, 1)));
    await q.save(effect([], { lastIncludedIndex: 1, lastIncludedTerm: 1, snapshot: { list: ['a'] }, snapshotChanged: true, logChangedFrom: 2 }));
    await q.close();
    expect('lastIncludedConfig' in (await reopened(plain))!).toBe(false);
  });

  test('a save that changes lastIncludedConfig without a new snapshot, or holds a malformed configuration, is refused before it is written', async () => {
    const dir = freshDir();
    const p = await DiskPersister.open(dir);
    await p.save(effect(entries));
    await expect(p.save(effect(entries, { lastIncludedConfig: config([0]) }))).rejects.toThrow(/changes lastIncludedConfig without a new snapshot/);
    const q = await DiskPersister.open(freshDir());
    await expect(q.save(effect([{ term: 1, command: null, config: config([2, 1]) }]))).rejects.toThrow(/log entry 1: its configuration voters is not strictly ascending/);
    await expect(q.save(effect([], { lastIncludedIndex: 1, lastIncludedTerm: 1, snapshot: 0, snapshotChanged: true, lastIncludedConfig: config([]) })))
      .rejects.toThrow(/lastIncludedConfig has no voter; refusing to persist it/);
    await q.close();
    await p.close();
  });

  test('a log from before membership (two-element entries, no SNAPSHOT_CONFIG) reads as before', async () => {
    const dir = freshDir();
    handLog(dir, [[RecordType.State, '{"term":3,"votedFor":1}'], [RecordType.Append, '{"from":1,"entries":[[1,"a"],[3,{"b":2}],[3,null]]}']]);
    const read = (await reopened(dir))!;
    expect(read.log).toEqual([{ term: 1, command: 'a' }, { term: 3, command: { b: 2 } }, { term: 3, command: null }]);
    expect(read.log.every((e) => Object.keys(e).join() === 'term,command')).toBe(true);
    expect('lastIncludedConfig' in read).toBe(false);
  });

  const malformed: [string, [number, string][], RegExp][] = [
    ['voters out of order', [[RecordType.Append, '{"from":1,"entries":[[1,null,{"config":{"voters":[1,0],"learners":[]}}]]}']], /configuration entry 1 whose configuration voters is not strictly ascending/],
    ['a server both voter and learner', [[RecordType.Append, '{"from":1,"entries":[[1,null,{"config":{"voters":[0,1],"learners":[1]}}]]}']], /server 1 is both a voter and a learner/],
    ['no voter', [[RecordType.Append, '{"from":1,"entries":[[1,null,{"config":{"voters":[],"learners":[0]}}]]}']], /has no voter/],
    ['an id that is no server id', [[RecordType.Append, '{"from":1,"entries":[[1,null,{"config":{"voters":[-1],"learners":[]}}]]}']], /voters\[0\] is -1, not a server id/],
    ['a field too many', [[RecordType.Append, '{"from":1,"entries":[[1,null,{"config":{"voters":[0],"learners":[],"x":1}}]]}']], /not exactly \{learners,voters\}/],
    ['a third element of no known kind', [[RecordType.Append, '{"from":1,"entries":[[1,null,{"joint":true}]]}']], /neither \{"config":…\} nor \{"noop":true\}/],
    ['a no-op with a command', [[RecordType.Append, '{"from":1,"entries":[[1,"x",{"noop":true}]]}']], /malformed no-op entry 1/],
    ['SNAPSHOT_CONFIG in a log that follows no snapshot', [[RecordType.SnapshotConfig, '{"voters":[0],"learners":[]}']], /SNAPSHOT_CONFIG record in a log that follows no snapshot/],
  ];
  test.each(malformed)('a record with %s is refused at start, naming it', async (_name, records, reason) => {
    const dir = freshDir();
    handLog(dir, [[RecordType.State, '{"term":1,"votedFor":null}'], ...records]);
    const error = await refusal(dir);
    expect(error.kind).toBe('invalid-record');
    expect(error.offset).toBeGreaterThan(HEADER_SIZE);
    expect(error.message).toMatch(reason);
  });

  test('configurationProblem is the one rule: ids below the cluster size when it is known', () => {
    expect(configurationProblem(config([0, 2], [1]))).toBeNull();
    expect(configurationProblem(config([0, 3]), 3)).toMatch(/voters\[1\] is 3, outside 0\.\.2/);
    expect(configurationProblem(config([0], [1, 1]))).toMatch(/learners is not strictly ascending/);
    expect(configurationProblem([0, 1])).toMatch(/not an object/);
  });
});

describe('wire: configuration entries, no-ops and lastIncludedConfig', () => {
  const ctx: DecodeContext = { clusterSize: 5, peer: 1, me: 0 };
  const append = (es: readonly LogEntry[]): AppendEntriesArgs => ({
    type: 'AppendEntries', from: 1, to: 0, term: 3, leaderId: 1, prevLogIndex: 5, prevLogTerm: 3, entries: es, leaderCommit: 5,
  });
  const snapshot: InstallSnapshotArgs = { type: 'InstallSnapshot', from: 1, to: 0, term: 3, leaderId: 1, lastIncludedIndex: 9, lastIncludedTerm: 2, data: [1] };
  const raw = (...parts: (number | readonly number[] | string)[]): Buffer => {
    const w = new ByteWriter();
    for (const part of parts) {
      if (typeof part === 'number') w.uint(part, 'test');
      else if (typeof part === 'string') w.bytes(Buffer.from(part, 'utf8'));
      else w.bytes(Uint8Array.from(part));
    }
    return Buffer.from(w.finish());
  };
  const rejected = (bytes: Uint8Array): string => {
    try {
      decodeMessageBytes(bytes, ctx);
    } catch (error) {
      expect(error).toBeInstanceOf(WireError);
      expect((error as Error).message).not.toContain('\n');
      return (error as Error).message;
    }
    throw new Error('decoded without complaint');
  };

  test('each kind of entry round-trips; a command entry costs what it did, a no-op 3 bytes, a configuration entry its ids on top', () => {
    const m = append(entries);
    expect(decodeMessageBytes(encodeMessageBytes(m), ctx)).toEqual(m);
    const base = encodeMessageBytes(append([])).length;
    expect(encodeMessageBytes(append([{ term: 3, command: { x: 1 } }])).length).toBe(base + 1 + 1 + 7);
    expect(encodeMessageBytes(append([{ term: 3, command: null, noop: true }])).length).toBe(base + 3);
    // term, 0, kind, 3 voters (count + 3 ids), 1 learner (count + id), then the command null (length + 4)
    expect(encodeMessageBytes(append([{ term: 3, command: null, config: config([0, 1, 2], [3]) }])).length).toBe(base + 3 + 4 + 2 + 1 + 4);
  });

  test('an InstallSnapshot carries lastIncludedConfig when it has one, and decodes without one as before', () => {
    const withConfig: InstallSnapshotArgs = { ...snapshot, lastIncludedConfig: config([0, 1], [4]) };
    expect(decodeMessageBytes(encodeMessageBytes(withConfig), ctx)).toEqual(withConfig);
    const without = decodeMessageBytes(encodeMessageBytes(snapshot), ctx);
    expect(without).toEqual(snapshot);
    expect('lastIncludedConfig' in without).toBe(false);
  });

  test('a malformed configuration is never encoded', () => {
    expect(() => encodeMessageBytes(append([{ term: 1, command: null, config: config([1, 0]) }]))).toThrow(EncodeError);
    expect(() => encodeMessageBytes({ ...snapshot, lastIncludedConfig: config([], [1]) })).toThrow(/lastIncludedConfig has no voter/);
    expect(() => encodeMessageBytes(append([{ term: 1, command: 'x', noop: true }]))).toThrow(/a no-op with a command/);
  });

  // AppendEntries from 1 to 0, term 2, prevLogIndex 0, prevLogTerm 0, leaderCommit 0, one entry of term 1:
  const oneEntry = (...entry: (number | readonly number[] | string)[]) => raw([3], 1, 0, 2, 1, 0, 0, 0, 1, 1, ...entry);
  const cases: [string, Buffer, RegExp][] = [
    ['an entry of an unknown kind', oneEntry(0, [3]), /entries\[0\] has kind byte 3/],
    ['a voter outside the cluster', oneEntry(0, [1], 1, 5, 0, 4, 'null'), /entries\[0\]\.config voters\[0\] is 5, outside 0\.\.4/],
    ['voters out of order', oneEntry(0, [1], 2, 2, 1, 0, 4, 'null'), /voters is not strictly ascending/],
    ['a learner who votes', oneEntry(0, [1], 1, 2, 1, 2, 4, 'null'), /server 2 is both a voter and a learner/],
    ['no voter', oneEntry(0, [1], 0, 1, 2, 4, 'null'), /has no voter/],
    ['more ids declared than bytes left', oneEntry(0, [1], 90, 1), /truncated: 90 voters declared/],
    ['a configuration with no snapshot', raw([5], 1, 0, 1, 1, 0, 0, 1, '0', [1], 1, 0, 0), /lastIncludedConfig with no snapshot/],
    ['a snapshot configuration out of range', raw([5], 1, 0, 1, 1, 4, 1, 1, '0', [1], 1, 7, 0), /lastIncludedConfig voters\[0\] is 7/],
    ['hasConfig that is no boolean', raw([5], 1, 0, 1, 1, 4, 1, 1, '0', [2]), /InstallSnapshot\.hasConfig is byte 2/],
    ['bytes after the configuration', raw([5], 1, 0, 1, 1, 4, 1, 1, '0', [1], 1, 0, 0, [0]), /1 trailing bytes?/],
  ];
  test.each(cases)('%s is a malformed frame', (_name, bytes, reason) => {
    expect(rejected(bytes)).toMatch(reason);
  });
});
