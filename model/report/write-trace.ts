import { writeFileSync } from 'node:fs';
import type { TraceStep } from '../engine/index.js';
import type { RaftAction } from '../raft/actions.js';
import type { RaftModel } from '../raft/model.js';
import type { SystemState } from '../raft/system.js';
import { traceToDot } from './dot.js';
import { reportPath } from './run-dir.js';
import { renderSvg } from './svg.js';
import type { TraceFile, TraceStepRecord } from './trace-file.js';

export interface TracePaths {
  readonly json: string;
  readonly dot: string;
  readonly svg: string | null;
  /** Why the SVG could not be rendered, when it could not. */
  readonly svgError?: string;
  /** index.html: the explorer page, self-contained (bundle, trace and SVG inlined), which replays the trace in a browser. */
  readonly html: string | null;
  readonly htmlError?: string;
}

export function toTraceFile(
  model: RaftModel,
  mutant: string | undefined,
  symmetry: boolean,
  invariant: string | null,
  steps: readonly TraceStep<SystemState, RaftAction>[],
): TraceFile {
  const [first, ...rest] = steps;
  if (!first) throw new Error('a trace has at least its initial state');
  const records: TraceStepRecord[] = rest.map((s) => {
    if (s.action === null) throw new Error('only the first trace step lacks an action');
    return { action: s.action, label: s.label, state: s.state };
  });
  const last = steps[steps.length - 1]!.state;
  const finding = invariant === null ? null : (model.invariants.find((inv) => inv.name === invariant)?.check(last) ?? null);
  return {
    format: 'pure-raft-trace/1',
    model: model.name,
    ...(mutant !== undefined ? { mutant } : {}),
    bounds: model.bounds,
    symmetry,
    invariant,
    ...(finding !== null ? { finding } : {}),
    initial: first.state,
    steps: records,
  };
}

/**
 * trace.json, trace.dot, trace.svg (rendered with graphviz-cli's WASM Graphviz) and index.html
 * (the explorer page, see web/explorer) in `dir`. The page's script is dist/browser/explorer.js
 * when that is up to date, else built on the spot with Vite (about a second, once).
 */
export async function writeTrace(dir: string, trace: TraceFile): Promise<TracePaths> {
  const json = reportPath(dir, 'trace.json');
  const dot = reportPath(dir, 'trace.dot');
  const svg = reportPath(dir, 'trace.svg');
  writeFileSync(json, JSON.stringify(trace, null, 1) + '\n');
  const graph = traceToDot(trace);
  writeFileSync(dot, graph);
  let svgText: string | null = null;
  let svgError: string | undefined;
  try {
    svgText = await renderSvg(graph);
    writeFileSync(svg, svgText);
  } catch (e) {
    svgError = e instanceof Error ? e.message : String(e);
  }
  const html = reportPath(dir, 'index.html');
  let htmlError: string | undefined;
  try {
    // Loaded only here: Vite is needed only when the bundle has to be built.
    const { explorerHtml, webBundleCode } = await import('../../scripts/build-web.js');
    writeFileSync(html, explorerHtml(trace, await webBundleCode('explorer'), svgText));
  } catch (e) {
    htmlError = `index.html not written: ${e instanceof Error ? e.message : String(e)}`;
  }
  return {
    json, dot, svg: svgText === null ? null : svg, ...(svgError !== undefined ? { svgError } : {}),
    html: htmlError === undefined ? html : null, ...(htmlError !== undefined ? { htmlError } : {}),
  };
}
