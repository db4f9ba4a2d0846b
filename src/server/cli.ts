/**
 * `pure-raft <command> [flags]`. Commands: `node` (run one Raft server process), `repair`
 * (show, and with --yes drop, what keeps a data directory from starting), and the client's
 * `status`, `submit` and `read` (a running cluster's servers, a command to commit, the list of
 * applied commands), and `add-server` and `remove-server` (membership changes). Bad flags: one
 * line on stderr and exit 2.
 */
import { runNode } from './main.js';
import { NODE_USAGE } from './args.js';
import { CLIENT_USAGE, CLIENT_VERBS, type ClientVerb } from './clientArgs.js';
import { runClient } from './clientCli.js';
import { MEMBERSHIP_USAGE, runMembership } from './membershipCli.js';
import { REPAIR_USAGE, runRepair } from './repair.js';

const USAGE = `usage: pure-raft node [flags]    (pure-raft node --help for the flags)
       pure-raft repair --data-dir DIR [--yes]    (pure-raft repair --help)
       pure-raft status --peers HOST:PORT,... [flags]    (pure-raft status --help)
       pure-raft submit <command> --peers HOST:PORT,... [flags]    (pure-raft submit --help)
       pure-raft read [--from N] [--limit K] --peers HOST:PORT,... [flags]    (pure-raft read --help)
       pure-raft add-server --id N --address HOST:PORT --peers HOST:PORT,... [flags]    (pure-raft add-server --help)
       pure-raft remove-server --id N --peers HOST:PORT,... [flags]    (pure-raft remove-server --help)`;

const [command, ...rest] = process.argv.slice(2);
switch (command) {
  case 'node':
    process.exitCode = await runNode(rest);
    break;
  case 'repair':
    process.exitCode = await runRepair(rest);
    break;
  case 'status': case 'submit': case 'read':
    process.exitCode = await runClient(command, rest);
    break;
  case 'add-server': case 'remove-server':
    process.exitCode = await runMembership(command, rest);
    break;
  case '--help': case '-h': case 'help':
    process.stdout.write(`${USAGE}\n\n${NODE_USAGE}\n\n${REPAIR_USAGE}\n\n${CLIENT_VERBS.map((v: ClientVerb) => CLIENT_USAGE[v]).join('\n\n')}\n\n${MEMBERSHIP_USAGE['add-server']}\n\n${MEMBERSHIP_USAGE['remove-server']}\n`);
    break;
  default:
    process.stderr.write(command === undefined ? `pure-raft: no command\n${USAGE}\n` : `pure-raft: unknown command '${command}'\n${USAGE}\n`);
    process.exitCode = 2;
}
