/**
 * The scenario runner can fail: a wrong expected block is reported (and left alone), the rewrite
 * mode puts the real output in its place and keeps the rest of the file, and a malformed file is
 * refused with its line.
 */
import { readFileSync, writeFileSync } from 'node:fs';

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkScenarioFile, runScenario } from './scenario-runner.js';
import { scratchDirs } from '../helpers/scratchDir.js';

// Server 1 grants the vote; the block claims it refused.
const right = `# A vote, granted.
cluster 3
----
0: follower currentTerm=0 votedFor=- log=[] commitIndex=0 lastApplied=0
1: follower currentTerm=0 votedFor=- log=[] commitIndex=0 lastApplied=0
2: follower currentTerm=0 votedFor=- log=[] commitIndex=0 lastApplied=0

timeout 0
----
0: persist currentTerm=1 votedFor=0 log=[] logChangedFrom=1
0: send RequestVote 0->1 term=1 lastLogIndex=0 lastLogTerm=0
0: send RequestVote 0->2 term=1 lastLogIndex=0 lastLogTerm=0
0: timer resetElectionTimer

deliver 0->1
----
1: receive RequestVote 0->1 term=1 lastLogIndex=0 lastLogTerm=0
1: persist currentTerm=1 votedFor=0 log=[] logChangedFrom=1
1: send RequestVoteReply 1->0 term=1 voteGranted=true
1: timer resetElectionTimer

# Nothing happens on a follower's heartbeat tick.
tick 1
----
(no effects)
`;
const wrong = right
  .replace('1: persist currentTerm=1 votedFor=0 log=[] logChangedFrom=1\n', '')
  .replace('voteGranted=true', 'voteGranted=false');

const scratch = scratchDirs('scenario');

function tempCopy(text: string): string {
  const path = join(scratch(), 'wrong.txt');
  writeFileSync(path, text);
  return path;
}

describe('the scenario runner', () => {
  it('reads a right file back unchanged', () => {
    expect(runScenario(right, 'right.txt')).toBe(right);
  });

  it('reports a wrong expected block as a mismatch, and leaves the file alone', () => {
    expect(wrong).not.toBe(right);
    const path = tempCopy(wrong);
    const { expected, actual } = checkScenarioFile(path, false);
    expect(expected).toBe(wrong);
    expect(actual).not.toBe(expected);
    expect(actual).toBe(right);
    expect(readFileSync(path, 'utf8')).toBe(wrong);
  });

  it('in rewrite mode, writes the real output in place of the wrong block, keeping comments and commands', () => {
    const path = tempCopy(wrong);
    checkScenarioFile(path, true);
    expect(readFileSync(path, 'utf8')).toBe(right);
    const again = checkScenarioFile(path, false);
    expect(again.actual).toBe(again.expected);
  });

  it('fills in an empty expected block (how a new scenario is written)', () => {
    const blank = 'cluster 1\n----\n\ntimeout 0\n----\n';
    expect(runScenario(blank, 'new.txt')).toBe(`cluster 1
----
0: follower currentTerm=0 votedFor=- log=[] commitIndex=0 lastApplied=0

timeout 0
----
0: persist currentTerm=1 votedFor=0 log=[] logChangedFrom=1
0: timer resetElectionTimer
0: timer startHeartbeat
`);
  });

  it('refuses a malformed file with its name and line', () => {
    expect(() => runScenario('cluster 3\n----\n\ntimeout 0\n', 'a.txt')).toThrow('a.txt:4: expected "----" on the line after the command "timeout 0"');
    expect(() => runScenario('cluster 3\n----\n\nelect 0\n----\n', 'b.txt')).toThrow('b.txt:4: elect 0: unknown command "elect"');
    expect(() => runScenario('timeout 0\n----\n', 'c.txt')).toThrow('c.txt:1: timeout 0: no cluster yet');
    expect(() => runScenario('cluster 3\n----\n\ndeliver 0->1\n----\n', 'd.txt')).toThrow('d.txt:4: deliver 0->1: no message in flight 0->1');
    expect(() => runScenario('cluster 3\n----\n\ntimeout 3\n----\n', 'e.txt')).toThrow('e.txt:4: timeout 3: server 3 is not in this cluster of 3 (0..2)');
    expect(() => runScenario('cluster 3\n----\n\nrestore 0 term=2\n----\n', 'f.txt')).toThrow('restore takes currentTerm=, votedFor= and log=, got "term=2"');
  });
});
