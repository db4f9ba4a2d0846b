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
  return {
    format: 'pure-raft-trace/1',
    model: model.name,
    ...(mutant !== undefined ? { mutant } : {}),
    bounds: model.bounds,
    symmetry,
    invariant,
    ...(last.breach && last.breach.invariant === invariant ? { detail: last.breach.detail } : {}),
    initial: first.state,
    steps: records,
  };
}

/** trace.json, trace.dot and trace.svg (rendered with graphviz-cli's WASM Graphviz) in `dir`. */
export async function writeTrace(dir: string, trace: TraceFile): Promise<TracePaths> {
  const json = reportPath(dir, 'trace.json');
  const dot = reportPath(dir, 'trace.dot');
  const svg = reportPath(dir, 'trace.svg');
  writeFileSync(json, JSON.stringify(trace, null, 1) + '\n');
  const graph = traceToDot(trace);
  writeFileSync(dot, graph);
  try {
    writeFileSync(svg, await renderSvg(graph));
    return { json, dot, svg };
  } catch (e) {
    return { json, dot, svg: null, svgError: e instanceof Error ? e.message : String(e) };
  }
}
