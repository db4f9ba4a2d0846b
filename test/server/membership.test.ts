/**
 * Membership in the node process, piece by piece: the replicated list applies configuration
 * entries (no command, their index taken), the address book learns from configuration entries
 * and the list's snapshot, the client protocol's membership op, and the flags.
 */
import { describe, expect, test } from 'vitest';
import { EMPTY_PERSISTENT_STATE, restore, type LogEntry, type MembershipResult, type RaftState } from '../../src/core/index.js';
import { AddressBook, memberAddress, snapshotAddresses } from '../../src/server/addressBook.js';
import { parseNodeArgs } from '../../src/server/args.js';
import { answerClient, parseClientRequest } from '../../src/server/clientApi.js';
import { parseMembershipArgs } from '../../src/server/membershipCli.js';
import { ReplicatedLog, type ListSnapshot } from '../../src/server/replicatedLog.js';
import { fixture } from './fixture.js';

const voters = (...ids: number[]) => ({ voters: ids, learners: [] });

describe('ReplicatedLog and configuration entries', () => {
  test('a configuration entry or no-op takes its index and adds no command; the next command follows it', async () => {
    const { app, terms } = fixture([]);
    terms.set(1, 1).set(2, 1).set(3, 1);
    app.apply({ configValid: true, configIndex: 1, config: null, context: null });
    app.apply({ configValid: true, configIndex: 2, config: { voters: [0], learners: [1] }, context: { server: 1, address: 'h:1' } });
    app.apply({ commandValid: true, command: ['a'], commandIndex: 3 });
    expect(app.read(1, 10)).toEqual(['a']);
    expect(app.lastApplied).toBe(3);
    expect([...app.addresses]).toEqual([[1, 'h:1']]);
    expect(() => app.apply({ configValid: true, configIndex: 5, config: null, context: null })).toThrow(/apply out of order: index 5 after 3/);
  });

  test('a submit whose index a configuration entry took was lost', async () => {
    const { app, terms } = fixture([{ index: 1, term: 1, isLeader: true }]);
    const reply = app.submit('a');
    app.flush();
    terms.set(1, 2);
    app.apply({ configValid: true, configIndex: 1, config: null, context: null });
    await expect(reply).resolves.toEqual({ ok: false, error: 'lost', index: 1, term: 1 });
  });

  test('awaitApplied: applied in its term, lost to another entry, unknown under a snapshot', async () => {
    const { app, terms } = fixture([]);
    const applied = app.awaitApplied(1, 2);
    const lost = app.awaitApplied(2, 2);
    const covered = app.awaitApplied(4, 2);
    expect(app.pending).toBe(3);
    terms.set(1, 2).set(2, 3);
    app.apply({ configValid: true, configIndex: 1, config: voters(0), context: null });
    app.apply({ configValid: true, configIndex: 2, config: voters(0), context: null });
    app.apply({ snapshotValid: true, snapshot: { list: [] }, snapshotTerm: 3, snapshotIndex: 5 });
    expect(await Promise.all([applied, lost, covered])).toEqual(['applied', 'lost', 'unknown']);
    terms.set(5, 3);
    await expect(app.awaitApplied(5, 3)).resolves.toBe('applied');
  });

  test('its snapshot carries the addresses configuration entries named, and installing one brings them back', () => {
    const taken: ListSnapshot[] = [];
    const app = new ReplicatedLog(() => ({ index: -1, term: 0, isLeader: false }), () => 1, () => undefined, {
      policy: { entries: 1, bytes: 0 }, snapshot: (_i, s) => taken.push(s),
    });
    app.apply({ configValid: true, configIndex: 1, config: voters(0, 3), context: { server: 3, address: '127.0.0.1:7003' } });
    app.apply({ commandValid: true, command: ['a'], commandIndex: 2 });
    expect(taken).toEqual([{ list: ['a'], addresses: { 3: '127.0.0.1:7003' } }]);
    const other = fixture([]).app;
    other.apply({ snapshotValid: true, snapshot: taken[0], snapshotTerm: 1, snapshotIndex: 2 });
    expect([...other.addresses]).toEqual([[3, '127.0.0.1:7003']]);
    // a snapshot from before membership has none
    const plain = new ReplicatedLog(() => ({ index: -1, term: 0, isLeader: false }), () => 1, () => undefined, {
      policy: { entries: 1, bytes: 0 }, snapshot: (_i, s) => taken.push(s),
    });
    plain.apply({ commandValid: true, command: ['b'], commandIndex: 1 });
    expect(taken[1]).toEqual({ list: ['b'] });
  });
});

describe('AddressBook', () => {
  const state = (log: readonly LogEntry[], over: Partial<RaftState> = {}): RaftState =>
    ({ ...restore(0, 6, { ...EMPTY_PERSISTENT_STATE, log }, voters(0, 1, 2)), ...over });
  const add = (server: number, address: string): LogEntry => ({ term: 1, command: { server, address }, config: { voters: [0, 1, 2], learners: [server] } });

  test('learns from configuration entries as they enter the log (uncommitted), the latest winning; its own address never', () => {
    const learned: string[] = [];
    const book = new AddressBook(0, ['a:1', 'a:2', 'a:3'], (id, address, source) => learned.push(`${id} ${address} ${source}`));
    const s0 = state([]);
    expect(book.observe(null, s0)).toBe(true);
    const s1 = state([{ term: 1, command: 'x' }, add(3, 'b:4')]);
    expect(book.observe(s0, s1)).toBe(true);
    const s2 = state([...s1.log, { term: 1, command: 'y' }]);
    expect(book.observe(s1, s2)).toBe(false); // no configuration entry among the new ones
    const s3 = state([...s2.log, add(3, 'c:4'), add(0, 'elsewhere:1')]);
    book.observe(s2, s3);
    expect(learned).toEqual(['3 b:4 the configuration entry at index 2', '3 c:4 the configuration entry at index 4']);
    expect(book.address(3)).toBe('c:4');
    expect(book.address(0)).toBe('a:1');
  });

  test('a replaced tail is read again; a snapshot\'s addresses are learned', () => {
    const learned: string[] = [];
    const book = new AddressBook(1, ['a:1', 'a:2', 'a:3'], (id, address) => learned.push(`${id} ${address}`));
    const s1 = state([{ term: 1, command: 'x' }, { term: 1, command: 'y' }]);
    book.observe(null, s1);
    const s2 = state([{ term: 1, command: 'x' }, add(4, 'd:5')]); // entry 2 replaced, same length
    expect(book.observe(s1, s2)).toBe(true);
    const s3 = state([], { lastIncludedIndex: 9, lastIncludedTerm: 1, snapshot: { list: [], addresses: { 5: 'e:6', 1: 'me:1' } } });
    expect(book.observe(s2, s3)).toBe(true);
    expect(learned).toEqual(['4 d:5', '5 e:6']);
  });

  test('contexts and snapshots that name no address are no address', () => {
    expect(memberAddress({ server: 3, address: 'h:1' })).toEqual({ server: 3, address: 'h:1' });
    for (const bad of [null, 'h:1', { server: -1, address: 'h:1' }, { server: 3, address: 'no port' }, { server: 3 }]) expect(memberAddress(bad)).toBeNull();
    expect(snapshotAddresses({ list: [] })).toEqual([]);
    expect(snapshotAddresses(null)).toEqual([]);
  });
});

describe('the membership op', () => {
  test.each([
    [{ op: 'membership', kind: 'Add', server: 1 }, /kind must be one of AddLearner, PromoteLearner, RemoveServer/],
    [{ op: 'membership', kind: 'RemoveServer', server: -1 }, /server must be a server id/],
    [{ op: 'membership', kind: 'AddLearner', server: 3 }, /needs address/],
    [{ op: 'membership', kind: 'AddLearner', server: 3, address: 'nowhere' }, /not HOST:PORT/],
    [{ op: 'membership', kind: 'RemoveServer', server: 3, address: 'h:1' }, /address is for AddLearner only/],
  ])('%j is a bad request', (payload, reason) => {
    expect((parseClientRequest(payload) as { reason: string }).reason).toMatch(reason);
  });

  test('asks the node, names the address in the context, and answers once the entry is applied; a refusal at once', async () => {
    const { app, terms } = fixture([]);
    const node = { raftState: restore(0, 6, EMPTY_PERSISTENT_STATE, voters(0, 1, 2)) };
    const asked: unknown[] = [];
    let answer: MembershipResult = { ok: true, index: 4, term: 2 };
    const context = { changeMembership: (change: unknown, ctx?: unknown) => { asked.push([change, ctx]); return answer; } };
    const reply = answerClient({ op: 'membership', kind: 'AddLearner', server: 3, address: 'localhost:9' }, node, app, null, context);
    expect(asked).toEqual([[{ kind: 'AddLearner', server: 3 }, { server: 3, address: 'localhost:9' }]]);
    for (let i = 1; i <= 3; i++) { terms.set(i, 1); app.apply({ configValid: true, configIndex: i, config: null, context: null }); }
    terms.set(4, 2);
    app.apply({ configValid: true, configIndex: 4, config: { voters: [0, 1, 2], learners: [3] }, context: { server: 3, address: 'localhost:9' } });
    await expect(reply).resolves.toMatchObject({ ok: true, index: 4, term: 2 });
    answer = { ok: false, reason: 'no-commit-in-term' };
    expect(answerClient({ op: 'membership', kind: 'RemoveServer', server: 1 }, node, app, null, context))
      .toEqual({ ok: false, error: 'refused', reason: 'no-commit-in-term', configuration: voters(0, 1, 2) });
    answer = { ok: false, reason: 'not-leader' };
    expect(answerClient({ op: 'membership', kind: 'RemoveServer', server: 1 }, node, app, null, context))
      .toEqual({ ok: false, error: 'not-leader', leaderId: null, leaderAddress: null });
  });
});

describe('flags', () => {
  const base = ['--peers', 'h:1,h:2,h:3', '--data-dir', 'd'];
  test('node: --max-servers is the id space; an id past --peers needs --address; --join stands for --peers and --max-servers', () => {
    expect(parseNodeArgs(['--id', '1', ...base])).not.toHaveProperty('maxServers');
    expect(parseNodeArgs(['--id', '1', ...base, '--max-servers', '6'])).toMatchObject({ id: 1, maxServers: 6 });
    expect(parseNodeArgs(['--id', '4', ...base, '--max-servers', '6', '--address', 'h:5'])).toMatchObject({ id: 4, maxServers: 6, address: { host: 'h', port: 5 } });
    expect(() => parseNodeArgs(['--id', '4', ...base, '--max-servers', '6'])).toThrow(/^--id 4 is past --peers: give --address/);
    expect(() => parseNodeArgs(['--id', '6', ...base, '--max-servers', '6', '--address', 'h:5'])).toThrow(/^--id 6 is outside 0\.\.5 \(--max-servers 6\)$/);
    expect(() => parseNodeArgs(['--id', '4', ...base, '--address', 'h:5'])).toThrow(/^--id 4 is not an index into --peers/);
    expect(() => parseNodeArgs(['--id', '1', ...base, '--max-servers', '2'])).toThrow(/^--max-servers 2 is less than the 3 --peers$/);
    expect(() => parseNodeArgs(['--id', '1', ...base, '--max-servers', '6', '--address', 'h:9'])).toThrow(/^--address is for an id past --peers/);
    expect(() => parseNodeArgs(['--id', '1', ...base, '--max-servers', '999'])).toThrow(/^--max-servers must be an integer in 1\.\.256/);
    expect(parseNodeArgs(['--id', '3', '--address', 'h:4', '--join', 'h:1,h:2', '--data-dir', 'd'])).toMatchObject({ id: 3, peers: [], join: [{ host: 'h', port: 1 }, { host: 'h', port: 2 }] });
    expect(() => parseNodeArgs(['--id', '3', '--join', 'h:1', '--data-dir', 'd'])).toThrow(/^--join needs --address/);
    expect(() => parseNodeArgs(['--id', '3', '--address', 'h:4', '--join', 'h:1', ...base])).toThrow(/^--join reads --peers and --max-servers from the cluster/);
  });

  test('add-server and remove-server', () => {
    expect(parseMembershipArgs('add-server', ['--id', '3', '--address', 'h:4', '--peers', 'h:1'])).toMatchObject({ verb: 'add-server', server: 3, address: 'h:4', catchUp: 64 });
    expect(parseMembershipArgs('remove-server', ['--id', '0', '--peers', 'h:1', '--timeout', '5'])).toMatchObject({ server: 0, timeoutMs: 5000 });
    expect(() => parseMembershipArgs('add-server', ['--id', '3', '--peers', 'h:1'])).toThrow(/^--address is required/);
    expect(() => parseMembershipArgs('remove-server', ['--id', '3', '--address', 'h:4', '--peers', 'h:1'])).toThrow(/^--address is a flag of add-server, not of remove-server$/);
    expect(() => parseMembershipArgs('remove-server', ['--peers', 'h:1'])).toThrow(/^--id is required$/);
    expect(() => parseMembershipArgs('remove-server', ['--id', '1', '--peers', 'h:1', 'extra'])).toThrow(/takes no argument/);
  });
});
