import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { runDirectory } from '../report/run-dir.js';

/**
 * `npm run check` with no flags: the default check is two exhaustive passes at the default bounds,
 * side by side, one per core of a 2-core machine (each pass is one `check` process with the flags
 * below; their lines come out prefixed with the pass's name):
 *
 *   snapshots  the Snapshot move, InstallSnapshot, restart from a snapshot, with the plain
 *              election (`--no-prevote --no-check-quorum`): 3,430,195 states, 35 s alone
 *   options    PreVote and CheckQuorum, without snapshots (`--max-snapshots 0`): 3,107,889
 *              states, 34 s alone
 *
 * Together (the same bounds with everything on, `npm run check -- --max-snapshots 1`) the product
 * is 13,580,072 states and about 160 s: past the minute the default has. Any flag given runs one
 * pass with exactly those flags (every feature on unless turned off).
 *
 * The exit code is the worst of the two (1 violation, then 3 incomplete or vacuous, then 2, else
 * 0). SIGTERM sent to this process reaches both passes (Ctrl-C in a terminal reaches them anyway).
 */
export const DEFAULT_PASSES: readonly { readonly name: string; readonly flags: readonly string[] }[] = [
  { name: 'snapshots', flags: ['--no-prevote', '--no-check-quorum'] },
  { name: 'options', flags: ['--max-snapshots', '0'] },
];

/** Worst first: a violation outranks an incomplete or vacuous run, which outranks bad input. */
const SEVERITY = [1, 3, 2];

export function worstExitCode(codes: readonly number[]): number {
  for (const c of SEVERITY) if (codes.includes(c)) return c;
  return codes.find((c) => c !== 0) ?? 0;
}

/** Runs the default passes as child processes of this same entry point; resolves to the worst exit code. */
export async function runDefaultPair(entry: string): Promise<number> {
  const width = Math.max(...DEFAULT_PASSES.map((p) => p.name.length));
  const root = runDirectory(undefined, 'default'); // reports/<time>-default, a subfolder per pass
  process.stderr.write(`check: the default check, two passes side by side: ${DEFAULT_PASSES.map((p) => `${p.name} (${p.flags.join(' ')})`).join(', ')}\n`);
  const children = DEFAULT_PASSES.map((pass) => {
    const child = spawn(process.execPath, [...process.execArgv, entry, ...pass.flags, '--out', join(root, pass.name)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const label = `[${pass.name.padEnd(width)}] `;
    for (const [from, to] of [[child.stdout, process.stdout], [child.stderr, process.stderr]] as const) prefixLines(from, to, label);
    const done = new Promise<number>((resolve) => {
      child.on('error', (e) => { process.stderr.write(`${label}check: could not start the pass: ${e.message}\n`); resolve(2); });
      child.on('close', (code, signal) => resolve(code ?? 3));
    });
    return { pass, child, done };
  });
  const forward = (signal: NodeJS.Signals): void => { for (const c of children) c.child.kill(signal); };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  const codes = await Promise.all(children.map((c) => c.done));
  process.off('SIGINT', forward);
  process.off('SIGTERM', forward);
  const worst = worstExitCode(codes);
  process.stdout.write(`default check: ${children.map((c, i) => `${c.pass.name} exit ${codes[i]}`).join(', ')}: ${worst === 0 ? 'OK' : `exit ${worst}`}\n`);
  return worst;
}

/** Copies `from` to `to` line by line, each line prefixed (a progress line ending in \r included). */
function prefixLines(from: NodeJS.ReadableStream, to: NodeJS.WritableStream, label: string): void {
  let pending = '';
  from.setEncoding('utf8');
  from.on('data', (chunk: string) => {
    pending += chunk;
    let at: number;
    while ((at = pending.search(/[\r\n]/)) >= 0) {
      to.write(label + pending.slice(0, at + 1));
      pending = pending.slice(at + 1);
    }
  });
  from.on('end', () => { if (pending !== '') to.write(`${label}${pending}\n`); });
}
