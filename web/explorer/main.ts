import type { TraceFile } from '../../model/report/trace-file.js';
import { ensureStyle, h, replaceChildren } from '../shared/dom.js';
import themeCss from '../shared/theme.css?inline';
import { mountExplorer } from './app.js';
import explorerCss from './explorer.css?inline';
import { SVG_DATA_ID, TRACE_DATA_ID, traceProblem } from './trace-check.js';

/** The explorer page's script: reads the trace (and the Graphviz SVG) the page carries, and mounts the explorer. */

function readJson(id: string): unknown {
  const el = document.getElementById(id);
  if (!el) return undefined;
  return JSON.parse(el.textContent ?? '');
}

ensureStyle('pr-theme', themeCss);
ensureStyle('ex-style', explorerCss);
const root = document.getElementById('app') ?? document.body.appendChild(h('div', { id: 'app' }));
try {
  const data = readJson(TRACE_DATA_ID);
  if (data === undefined) throw new Error(`the page carries no trace (no #${TRACE_DATA_ID} block)`);
  const problem = traceProblem(data);
  if (problem) throw new Error(`the trace is not a pure-raft trace: ${problem}`);
  const svg = readJson(SVG_DATA_ID);
  mountExplorer(root, { trace: data as TraceFile, ...(typeof svg === 'string' ? { svg } : {}) });
} catch (e) {
  replaceChildren(root, h('section', { class: 'ex-banner is-violation ex-error', 'data-testid': 'load-error', role: 'alert' },
    h('strong', {}, 'Cannot show this trace: '), e instanceof Error ? e.message : String(e)));
}
