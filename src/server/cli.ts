/**
 * `pure-raft <command> [flags]`. Commands: `node` (run one Raft server process).
 * Bad flags: one line on stderr and exit 2.
 */
import { runNode } from './main.js';
import { NODE_USAGE } from './args.js';

const USAGE = `usage: pure-raft node [flags]    (pure-raft node --help for the flags)`;

const [command, ...rest] = process.argv.slice(2);
switch (command) {
  case 'node':
    process.exitCode = await runNode(rest);
    break;
  case '--help': case '-h': case 'help':
    process.stdout.write(`${USAGE}\n\n${NODE_USAGE}\n`);
    break;
  default:
    process.stderr.write(command === undefined ? `pure-raft: no command\n${USAGE}\n` : `pure-raft: unknown command '${command}'\n${USAGE}\n`);
    process.exitCode = 2;
}
