/**
 * `pure-raft <command> [flags]`. Commands: `node` (run one Raft server process), `repair`
 * (show, and with --yes drop, what keeps a data directory from starting).
 * Bad flags: one line on stderr and exit 2.
 */
import { runNode } from './main.js';
import { NODE_USAGE } from './args.js';
import { REPAIR_USAGE, runRepair } from './repair.js';

const USAGE = `usage: pure-raft node [flags]    (pure-raft node --help for the flags)
       pure-raft repair --data-dir DIR [--yes]    (pure-raft repair --help)`;

const [command, ...rest] = process.argv.slice(2);
switch (command) {
  case 'node':
    process.exitCode = await runNode(rest);
    break;
  case 'repair':
    process.exitCode = await runRepair(rest);
    break;
  case '--help': case '-h': case 'help':
    process.stdout.write(`${USAGE}\n\n${NODE_USAGE}\n\n${REPAIR_USAGE}\n`);
    break;
  default:
    process.stderr.write(command === undefined ? `pure-raft: no command\n${USAGE}\n` : `pure-raft: unknown command '${command}'\n${USAGE}\n`);
    process.exitCode = 2;
}
