/**
 * An error no input explains is a bug: one line that says so, and exit 3 ("the check did not
 * complete"; the exit codes are only 0, 1, 2 and 3). PURE_RAFT_DEBUG=1 adds the stack.
 */
export const INTERNAL_ERROR_EXIT = 3;

export function reportInternalError(name: string, e: unknown): number {
  process.stderr.write(`${name}: internal error: ${e instanceof Error ? e.message.split('\n')[0] : String(e)} (a bug: please report it)\n`);
  if (process.env['PURE_RAFT_DEBUG']) console.error(e);
  return INTERNAL_ERROR_EXIT;
}
