import { readSecret } from './clusterIdentity.js';
import { UsageError } from './flags.js';

/**
 * The start of every client command (`status`, `submit`, `read`, `add-server`, `remove-server`):
 * its flags and the cluster secret, or the exit code when there is nothing to run: 0 after
 * printing `usage` for --help, 2 after one line on stderr for bad flags or no secret.
 */
export function readCommandLine<C extends { readonly secretFile?: string }>(
  verb: string, parse: () => C | 'help', usage: string,
): { readonly config: C; readonly secret: string } | number {
  try {
    const parsed = parse();
    if (parsed === 'help') {
      process.stdout.write(`${usage}\n`);
      return 0;
    }
    return { config: parsed, secret: readSecret(parsed.secretFile) };
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`pure-raft ${verb}: ${error.message} (pure-raft ${verb} --help)\n`);
    return 2;
  }
}
