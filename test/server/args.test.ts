import { describe, expect, test } from 'vitest';
import { isLoopbackHost, parseNodeArgs, UsageError } from '../../src/server/args.js';
import { DEFAULT_SNAPSHOT_POLICY } from '../../src/server/replicatedLog.js';

describe('node flags', () => {
  const peers = ['--peers', 'localhost:1,localhost:2,[::1]:3'];
  test('a full command line', () => {
    expect(parseNodeArgs(['--id', '2', ...peers, '--data-dir', '/tmp/x', '--secret-file', 's'])).toEqual({
      id: 2, dataDir: '/tmp/x', secretFile: 's', snapshots: DEFAULT_SNAPSHOT_POLICY, preVote: true, checkQuorum: true,
      peers: [{ host: 'localhost', port: 1 }, { host: 'localhost', port: 2 }, { host: '::1', port: 3 }],
    });
  });
  test('snapshot flags: counts, 0 for off; anything else is one line', () => {
    const base = ['--id', '0', ...peers, '--data-dir', 'd'];
    expect(parseNodeArgs([...base, '--snapshot-entries', '500', '--snapshot-bytes=0'])).toMatchObject({ snapshots: { entries: 500, bytes: 0 } });
    expect(parseNodeArgs([...base, '--snapshot-bytes', '1048576'])).toMatchObject({ snapshots: { entries: DEFAULT_SNAPSHOT_POLICY.entries, bytes: 1048576 } });
    for (const bad of ['-1', '1.5', 'ten', '1e3', '9007199254740993', ' 5']) {
      expect(() => parseNodeArgs([...base, '--snapshot-entries', bad])).toThrow(new RegExp(`^--snapshot-entries must be a non-negative integer \\(0: off\\), got '`));
    }
    expect(() => parseNodeArgs([...base, '--snapshot-bytes'])).toThrow(/^--snapshot-bytes needs a value$/);
    expect(() => parseNodeArgs([...base, '--snapshot-bytes', '1', '--snapshot-bytes', '2'])).toThrow(/^--snapshot-bytes is given twice$/);
  });
  test('PreVote and CheckQuorum are on unless turned off, each by its own flag', () => {
    const base = ['--id', '0', ...peers, '--data-dir', 'd'];
    expect(parseNodeArgs([...base, '--no-prevote'])).toMatchObject({ preVote: false, checkQuorum: true });
    expect(parseNodeArgs([...base, '--no-check-quorum'])).toMatchObject({ preVote: true, checkQuorum: false });
    expect(() => parseNodeArgs([...base, '--no-prevote', '--no-prevote'])).toThrow(/given twice/);
  });
  test('--http: a port alone is on 127.0.0.1; another host only when given', () => {
    const base = ['--id', '0', ...peers, '--data-dir', 'd'];
    expect(parseNodeArgs(base)).not.toHaveProperty('http');
    expect(parseNodeArgs([...base, '--http', '8080'])).toMatchObject({ http: { host: '127.0.0.1', port: 8080 } });
    expect(parseNodeArgs([...base, '--http=0.0.0.0:8080'])).toMatchObject({ http: { host: '0.0.0.0', port: 8080 } });
    expect(parseNodeArgs([...base, '--http', '[::1]:8080'])).toMatchObject({ http: { host: '::1', port: 8080 } });
    expect(() => parseNodeArgs([...base, '--http', '70000'])).toThrow(/^bad address '127.0.0.1:70000': port must be 1..65535$/);
    expect(() => parseNodeArgs([...base, '--http', 'host'])).toThrow(/^bad address 'host'/);
    expect(() => parseNodeArgs([...base, '--http'])).toThrow(/^--http needs a value$/);
  });
  test('loopback hosts: 127.0.0.0/8, ::1, localhost; nothing else', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['0.0.0.0', '10.0.0.1', '::', 'example.com', '128.0.0.1', '127.0.0.1.example.com']) expect(isLoopbackHost(host), host).toBe(false);
  });
  test('duplicate addresses are refused', () => {
    expect(() => parseNodeArgs(['--id', '0', '--peers', 'a:1,a:1', '--data-dir', 'd'])).toThrow(UsageError);
  });
  test.each([
    [['--id', '0', '--id', '1', ...peers, '--data-dir', 'd'], '--id'],
    [['--id', '0', '--id=0', ...peers, '--data-dir', 'd'], '--id'],
    [['--id', '0', ...peers, ...peers, '--data-dir', 'd'], '--peers'],
    [['--id', '0', ...peers, '--data-dir', 'd', '--data-dir', 'e'], '--data-dir'],
    [['--id', '0', ...peers, '--data-dir', 'd', '--secret-file', 's', '--secret-file', 's'], '--secret-file'],
  ])('a flag given twice is refused, never the last one silently taken: %j', (argv, flag) => {
    expect(() => parseNodeArgs(argv)).toThrow(new RegExp(`^${flag} is given twice$`));
  });
});
