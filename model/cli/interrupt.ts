/**
 * Ctrl-C (SIGINT) and SIGTERM during a search: the first one halts it, so the run ends as an
 * incomplete one with its partial summary and exit 3; a second one exits at once (3). The
 * searches poll `halted()` (the exhaustive one through ExploreOptions.halt, which also reaches
 * the worker threads) and let the event loop in often enough for the handler to run.
 */
export interface Interrupt {
  /** The signal that halted the run, or null. */
  readonly signal: () => NodeJS.Signals | null;
  readonly halted: () => boolean;
  /** Removes the handlers (the run is over). */
  readonly dispose: () => void;
}

export function onInterrupt(onHalt: () => void = () => {}): Interrupt {
  let got: NodeJS.Signals | null = null;
  let at = 0;
  const handler = (signal: NodeJS.Signals): void => {
    // A second signal within a second is the same Ctrl-C arriving twice (from the terminal and
    // forwarded by the default check's parent), not a request to quit at once.
    if (got !== null) {
      if (Date.now() - at >= 1000) process.exit(3);
      return;
    }
    got = signal;
    at = Date.now();
    process.stderr.write(`\ncheck: ${signal}: stopping the search (again to quit at once)\n`);
    onHalt();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: () => got,
    halted: () => got !== null,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
