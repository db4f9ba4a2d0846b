import type { Progress } from '../engine/index.js';

const fmt = (n: number): string => n.toLocaleString('en-US');

export function progressLine(p: Progress, elapsedSeconds: number): string {
  return `${elapsedSeconds.toFixed(0)}s  distinct ${fmt(p.distinctStates)}  generated ${fmt(p.generatedStates)}  depth ${p.depth}  queue ${fmt(p.queue)}  ${fmt(Math.round(p.statesPerSecond))} states/s  mem ${(p.heapUsedBytes / 2 ** 20).toFixed(0)} MiB`;
}

/**
 * Progress on stderr: one line rewritten in place on a terminal; on a pipe or a CI log, a
 * fresh line every ten seconds so logs stay short.
 */
export function progressReporter(stream: NodeJS.WriteStream, startedAt: number): { update(p: Progress): void; done(): void } {
  let lastPrinted = 0;
  let shown = false;
  return {
    update(p) {
      const now = Date.now();
      const line = progressLine(p, (now - startedAt) / 1000);
      if (stream.isTTY) {
        stream.write(`\r${line}\x1b[K`);
        shown = true;
      } else if (now - lastPrinted >= 10_000) {
        stream.write(line + '\n');
        lastPrinted = now;
      }
    },
    done() {
      if (shown) stream.write('\r\x1b[K');
    },
  };
}
