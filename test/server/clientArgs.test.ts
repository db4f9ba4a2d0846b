import { describe, expect, test } from 'vitest';
import { DEFAULT_CLIENT_TIMEOUT_MS, parseClientArgs, parseCommand } from '../../src/server/clientArgs.js';
import { MAX_COMMAND_BYTES } from '../../src/server/clientApi.js';
import { UsageError } from '../../src/server/flags.js';

const peers = ['--peers', 'a:1,b:2,[::1]:3'];
const addresses = [{ host: 'a', port: 1 }, { host: 'b', port: 2 }, { host: '::1', port: 3 }];

describe('the client commands\' flags', () => {
  test('status: --peers as the node\'s, defaults for the rest', () => {
    expect(parseClientArgs('status', peers)).toEqual({ verb: 'status', peers: addresses, timeoutMs: DEFAULT_CLIENT_TIMEOUT_MS, json: false });
  });
  test('every common flag, as FLAG VALUE and FLAG=VALUE', () => {
    expect(parseClientArgs('status', [...peers, '--secret-file', 's', '--cluster-id=prod-1', '--timeout', '2.5', '--json'])).toEqual({
      verb: 'status', peers: addresses, secretFile: 's', clusterId: 'prod-1', timeoutMs: 2500, json: true,
    });
  });
  test('submit: the command is JSON if it parses, else the string; -- before one that looks like a flag', () => {
    const command = (...argv: string[]): unknown => (parseClientArgs('submit', [...peers, ...argv]) as { command: unknown }).command;
    expect(command('hello')).toBe('hello');
    expect(command('42')).toBe(42);
    expect(command('-5')).toBe(-5);
    expect(command('"42"')).toBe('42');
    expect(command('{"k":[1,null]}')).toEqual({ k: [1, null] });
    expect(command('{not json')).toBe('{not json');
    expect(command('--', '--json')).toBe('--json');
    expect(command('--', '--a=b')).toBe('--a=b');
  });
  test('read: --from and --limit, positive integers; default from 1, no limit', () => {
    expect(parseClientArgs('read', peers)).toMatchObject({ verb: 'read', from: 1, limit: null });
    expect(parseClientArgs('read', [...peers, '--from', '7', '--limit=3'])).toMatchObject({ from: 7, limit: 3 });
    for (const bad of ['0', '-1', '1.5', 'x']) {
      expect(() => parseClientArgs('read', [...peers, '--from', bad])).toThrow(new RegExp(`^--from must be a positive integer, got '`));
    }
    expect(() => parseClientArgs('status', [...peers, '--from', '2'])).toThrow(/^--from is a flag of read, not of status$/);
  });
  test('--help wins wherever it is', () => {
    expect(parseClientArgs('submit', ['--help'])).toBe('help');
    expect(parseClientArgs('read', ['-h'])).toBe('help');
  });
  test.each([
    ['status', [], /^--peers is required$/],
    ['status', [...peers, '--bogus'], /^unknown flag '--bogus'$/],
    ['status', [...peers, ...peers], /^--peers is given twice$/],
    ['status', ['--peers', 'a:1,a:1'], /^--peers lists a:1 twice$/],
    ['status', ['--peers', 'a'], /^bad address 'a'/],
    ['status', [...peers, 'extra'], /^status takes no argument, got 'extra'$/],
    ['status', [...peers, '--json=yes'], /^--json takes no value$/],
    ['status', [...peers, '--timeout', '0'], /^--timeout must be a number of seconds in \(0, 86400\], got '0'$/],
    ['status', [...peers, '--timeout', '1e3'], /^--timeout must be/],
    ['status', [...peers, '--timeout'], /^--timeout needs a value$/],
    ['status', [...peers, '--cluster-id', 'has space'], /^--cluster-id: /],
    ['submit', peers, /^submit needs a command$/],
    ['submit', [...peers, 'a', 'b'], /^submit takes one command, got 2 \(quote it\)$/],
    ['submit', [...peers, JSON.stringify('x'.repeat(MAX_COMMAND_BYTES))], /^a command is \d+ bytes of JSON, more than 16384$/],
    ['submit', [...peers, '['.repeat(70) + ']'.repeat(70)], /^a command nests deeper than 64 levels$/],
  ] as const)('%s %j is refused: one line', (verb, argv, message) => {
    expect(() => parseClientArgs(verb, argv)).toThrow(UsageError);
    expect(() => parseClientArgs(verb, argv)).toThrow(message);
  });
  test('parseCommand on its own', () => {
    expect(parseCommand('true')).toBe(true);
    expect(parseCommand('null')).toBe(null);
    expect(parseCommand(' 7 ')).toBe(7);
  });
});
