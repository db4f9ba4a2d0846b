import type { TraceFile } from '../../model/report/trace-file.js';

/**
 * Whether parsed JSON looks like a pure-raft trace (format pure-raft-trace/1), for the explore
 * command and the page: null when it does, else what is wrong, in a few words. The shape only;
 * the replay checks the content.
 */
export function traceProblem(data: unknown): string | null {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return 'not a JSON object';
  const t = data as Partial<Record<keyof TraceFile, unknown>>;
  if (t.format !== 'pure-raft-trace/1') return `format is ${JSON.stringify(t.format ?? null)}, expected "pure-raft-trace/1"`;
  if (typeof t.bounds !== 'object' || t.bounds === null) return 'no bounds';
  if (typeof t.initial !== 'object' || t.initial === null || !Array.isArray((t.initial as { servers?: unknown }).servers)) return 'no initial state with servers';
  if (!Array.isArray(t.steps)) return 'no steps';
  if (t.invariant !== null && typeof t.invariant !== 'string') return 'invariant is neither a name nor null';
  return null;
}

/** The ids of the page's data blocks (<script type="application/json">), shared by the page and its builder. */
export const TRACE_DATA_ID = 'pure-raft-trace';
export const SVG_DATA_ID = 'pure-raft-svg';
