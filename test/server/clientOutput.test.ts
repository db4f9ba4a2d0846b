import { describe, expect, test } from 'vitest';
import type { NodeStatus } from '../../src/server/clientApi.js';
import { readLine, statusLine, submitLine } from '../../src/server/clientOutput.js';

const status = (over: Partial<NodeStatus> = {}): NodeStatus => ({
  ok: true, id: 1, currentTerm: 3, role: 'leader', votedFor: 1, leaderId: 1, logLength: 12, lastIncludedIndex: 4, commitIndex: 12, lastApplied: 11, appliedCommands: 7, pendingSubmits: 0,
  configuration: { voters: [0, 1, 2], learners: [] }, leaderAddress: null, ...over,
});

describe('the client commands\' output: one line per result', () => {
  test('submit, in words', () => {
    expect(submitLine({ committed: true, fate: 'committed', index: 12, term: 3, position: 7, server: 0, attempts: 1 }, false)).toBe('committed index=12 term=3 position=7');
    expect(submitLine({ committed: false, fate: 'lost', index: 12, term: 3, server: 0, attempts: 1 }, false)).toBe('lost: a new leader overwrote its entry (index=12 term=3); not committed');
    expect(submitLine({ committed: false, fate: 'lost', server: 0, attempts: 1 }, false)).toBe('lost: a new leader overwrote its entry; not committed');
    expect(submitLine({ committed: false, fate: 'unknown', server: 2, attempts: 1, reason: 'request timed out after 2000 ms' }, false)).toBe('unknown: request timed out after 2000 ms; it may have committed');
    expect(submitLine({ committed: false, fate: 'no-leader', server: 2, attempts: 9 }, false)).toBe('no leader: no server took the command before the timeout (9 attempts); not committed');
    expect(submitLine({ committed: false, fate: 'refused', server: 0, attempts: 1, reason: 'submit needs a command' }, false)).toBe('refused: submit needs a command');
  });
  test('submit, --json: one object, saying whether it may have committed', () => {
    const line = (o: Parameters<typeof submitLine>[0]): unknown => JSON.parse(submitLine(o, true));
    expect(line({ committed: true, fate: 'committed', index: 12, term: 3, position: 7, server: 0, attempts: 1 })).toEqual({ result: 'committed', index: 12, term: 3, position: 7, server: 0 });
    expect(line({ committed: false, fate: 'unknown', server: 1, attempts: 1, reason: 'r' })).toEqual({ result: 'unknown', mayHaveCommitted: true, reason: 'r', server: 1 });
    expect(line({ committed: false, fate: 'lost', server: 1, attempts: 1 })).toEqual({ result: 'lost', mayHaveCommitted: false, index: null, term: null, server: 1 });
    expect(line({ committed: false, fate: 'no-leader', server: 1, attempts: 4 })).toEqual({ result: 'no-leader', mayHaveCommitted: false, attempts: 4 });
    expect(submitLine({ committed: false, fate: 'refused', server: 0, attempts: 1, reason: 'x' }, true)).not.toContain('\n');
  });
  test('status: a server, an unreachable one, one in another --peers order', () => {
    expect(statusLine({ id: 1, address: '10.0.0.2:7000', status: status() }, false)).toBe('1 10.0.0.2:7000 leader currentTerm=3 commitIndex=12 lastApplied=11 lastIncludedIndex=4');
    expect(JSON.parse(statusLine({ id: 1, address: '10.0.0.2:7000', status: status() }, true))).toEqual({
      id: 1, address: '10.0.0.2:7000', role: 'leader', currentTerm: 3, commitIndex: 12, lastApplied: 11, lastIncludedIndex: 4,
    });
    expect(statusLine({ id: 2, address: 'h:1', unreachable: 'connect ECONNREFUSED' }, false)).toBe('2 h:1 unreachable (connect ECONNREFUSED)');
    expect(JSON.parse(statusLine({ id: 2, address: 'h:1', unreachable: 'x' }, true))).toEqual({ id: 2, address: 'h:1', unreachable: true, reason: 'x' });
    expect(statusLine({ id: 0, address: 'h:1', status: status({ role: 'follower' }) }, false)).toMatch(/^0 h:1 follower .* \(it says it is server 1: --peers in another order\?\)$/);
    expect(JSON.parse(statusLine({ id: 0, address: 'h:1', status: status() }, true))).toMatchObject({ id: 0, reportedId: 1 });
  });
  test('read: the position and the command as JSON (a string stays quoted, so every line parses back)', () => {
    expect(readLine(7, 'a b', false)).toBe('7 "a b"');
    expect(readLine(8, { k: [1] }, false)).toBe('8 {"k":[1]}');
    expect(readLine(9, 'multi\nline', false)).toBe('9 "multi\\nline"');
    expect(JSON.parse(readLine(7, { k: 1 }, true))).toEqual({ position: 7, command: { k: 1 } });
  });
});
