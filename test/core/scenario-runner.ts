/**
 * Runs one scenario file (format: ./scenarios/README.md): every command is carried out on a
 * hand-driven cluster and its expected block replaced by the output it really gave. The result
 * is the file as it should read; a test compares it with the file, a rewrite writes it back.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { DEFAULT_STEP_CONFIG, EMPTY_PERSISTENT_STATE, type LogEntry, type PersistentState, type ServerId } from '../../src/core/index.js';
import { Cluster } from './scenario-cluster.js';

export const SEPARATOR = '----';
/** Written for a command that gave no output, so that every block has at least one line. */
export const NO_EFFECTS = '(no effects)';

/** Words of a command line; a bracketed list (`log=[1:a 2:b]`) stays one word. */
function words(line: string): string[] {
  return line.match(/[^\s[]*\[[^\]]*\]\S*|\S+/g) ?? [];
}

function wholeNumber(word: string | undefined, what: string): number {
  if (word === undefined || !/^\d+$/.test(word)) throw new Error(`${what} must be a whole number, got ${word === undefined ? 'nothing' : `"${word}"`}`);
  return Number(word);
}

function pair(word: string | undefined): [ServerId, ServerId] {
  const m = /^(\d+)->(\d+)$/.exec(word ?? '');
  if (!m) throw new Error(`expected <from>-><to> (e.g. 0->1), got ${word === undefined ? 'nothing' : `"${word}"`}`);
  return [Number(m[1]), Number(m[2])];
}

/** `[1:a,2:b]` or `[1:a 2:b]`: entries term:command, commands as strings. */
function parseLog(text: string): LogEntry[] {
  const m = /^\[(.*)\]$/.exec(text);
  if (!m) throw new Error(`a log is written [term:command ...], got "${text}"`);
  return m[1]!.split(/[\s,]+/).filter((w) => w !== '').map((w) => {
    const e = /^(\d+):(.+)$/.exec(w);
    if (!e) throw new Error(`a log entry is written term:command, got "${w}"`);
    return { term: Number(e[1]), command: e[2]! };
  });
}

/** `currentTerm=<t> votedFor=<id|-> log=[...]`, each optional (0, -, [] when left out). */
function parsePersistent(fields: readonly string[]): PersistentState {
  let currentTerm = 0;
  let votedFor: ServerId | null = null;
  let log: LogEntry[] = [];
  for (const field of fields) {
    const [key, value] = [field.slice(0, field.indexOf('=')), field.slice(field.indexOf('=') + 1)];
    if (key === 'currentTerm') currentTerm = wholeNumber(value, 'currentTerm');
    else if (key === 'votedFor') votedFor = value === '-' ? null : wholeNumber(value, 'votedFor');
    else if (key === 'log') log = parseLog(value);
    else throw new Error(`restore takes currentTerm=, votedFor= and log=, got "${field}"`);
  }
  return { ...EMPTY_PERSISTENT_STATE, currentTerm, votedFor, log };
}

function expectWords(args: readonly string[], count: number, usage: string): void {
  if (args.length !== count) throw new Error(`usage: ${usage}`);
}

/** Carries out one command line; returns the new cluster (for `cluster`) and the output lines. */
function execute(cluster: Cluster | undefined, line: string): { cluster: Cluster; output: string[] } {
  const [command, ...args] = words(line);
  if (command === 'cluster') {
    const options = args.slice(1);
    const voters = options.find((o) => o.startsWith('voters='));
    const learners = options.find((o) => o.startsWith('learners='));
    const unknown = options.find((o) => o !== 'preVote' && o !== 'checkQuorum' && o !== voters && o !== learners);
    if (args.length < 1 || unknown !== undefined || (learners !== undefined && voters === undefined)) {
      throw new Error('usage: cluster <size> [preVote] [checkQuorum] [voters=<id>,... [learners=<id>,...]]');
    }
    const ids = (option: string | undefined): number[] =>
      option === undefined || option.endsWith('=') ? [] : option.slice(option.indexOf('=') + 1).split(',').map((w) => wholeNumber(w, 'a server id'));
    const bootstrap = voters === undefined ? undefined : { voters: ids(voters), learners: ids(learners) };
    const c = new Cluster(wholeNumber(args[0], 'the cluster size'), { ...DEFAULT_STEP_CONFIG, preVote: options.includes('preVote'), checkQuorum: options.includes('checkQuorum') }, bootstrap);
    return { cluster: c, output: c.show([]) };
  }
  if (cluster === undefined) throw new Error('no cluster yet: a scenario begins with `cluster <size>`');
  const id = (): ServerId => wholeNumber(args[0], 'a server id');
  const run = (output: string[]): { cluster: Cluster; output: string[] } => ({ cluster, output });
  switch (command) {
    case 'timeout': expectWords(args, 1, 'timeout <id>'); return run(cluster.timeout(id()));
    case 'tick': expectWords(args, 1, 'tick <id>'); return run(cluster.tick(id()));
    case 'start': expectWords(args, 2, 'start <id> <command>'); return run(cluster.start(id(), args[1]!));
    case 'snapshot': expectWords(args, 2, 'snapshot <id> <index>'); return run(cluster.snapshot(id(), wholeNumber(args[1], 'the snapshot index')));
    case 'change': {
      const usage = 'change <id> AddLearner|PromoteLearner|RemoveServer <server> [context]';
      const kind = args[1];
      if (args.length < 3 || args.length > 4 || (kind !== 'AddLearner' && kind !== 'PromoteLearner' && kind !== 'RemoveServer')) throw new Error(`usage: ${usage}`);
      return run(cluster.change(id(), { kind, server: wholeNumber(args[2], 'a server id') }, args[3]));
    }
    case 'deliver':
      expectWords(args, 1, 'deliver <from>-><to> | deliver all');
      return run(args[0] === 'all' ? cluster.deliverAll() : cluster.deliver(...pair(args[0])));
    case 'drop': expectWords(args, 1, 'drop <from>-><to>'); return run(cluster.drop(...pair(args[0])));
    case 'restart': expectWords(args, 1, 'restart <id>'); return run(cluster.restart(id()));
    case 'restore': return run(cluster.restore(id(), parsePersistent(args.slice(1))));
    case 'show': return run(cluster.show(args.map((a) => wholeNumber(a, 'a server id'))));
    default:
      throw new Error(`unknown command "${command}" (cluster, restore, timeout, tick, start, snapshot, change, deliver, drop, restart, show)`);
  }
}

/**
 * The scenario `text` with every expected block replaced by the actual output. Comment lines
 * (`#`) and blank lines are kept as they are; a blank line (or the end) ends a block.
 * `name` locates errors: `name:line: what went wrong`.
 */
export function runScenario(text: string, name: string): string {
  const lines = text.replace(/\n$/, '').split('\n');
  const out: string[] = [];
  let cluster: Cluster | undefined;
  for (let i = 0; i < lines.length;) {
    const line = lines[i]!;
    if (line.trim() === '' || line.startsWith('#')) {
      out.push(line);
      i++;
      continue;
    }
    if (lines[i + 1] !== SEPARATOR) throw new Error(`${name}:${i + 1}: expected "${SEPARATOR}" on the line after the command "${line}"`);
    let output: string[];
    try {
      ({ cluster, output } = execute(cluster, line));
    } catch (e) {
      throw new Error(`${name}:${i + 1}: ${line}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    out.push(line, SEPARATOR, ...(output.length > 0 ? output : [NO_EFFECTS]));
    for (i += 2; i < lines.length && lines[i]!.trim() !== ''; i++); // the old expected block
  }
  return `${out.join('\n')}\n`;
}

export interface ScenarioCheck {
  /** The file as it was read. */
  readonly expected: string;
  /** The file as the core says it should read. */
  readonly actual: string;
}

/** Runs the scenario file at `path`; with `update`, writes the actual text back when it differs. */
export function checkScenarioFile(path: string, update: boolean): ScenarioCheck {
  const expected = readFileSync(path, 'utf8');
  const actual = runScenario(expected, basename(path));
  if (update && actual !== expected) writeFileSync(path, actual);
  return { expected, actual };
}
