import { renderGraphFromSource } from 'graphviz-cli';

/**
 * DOT to SVG with graphviz-cli's Graphviz compiled to WebAssembly (@aduh95/viz.js), in this
 * process: no native `dot` is needed, and it runs the same under tsx and vitest. The WASM
 * module lives in a worker thread that viz.js starts on first use and reuses afterwards; an
 * instance stays usable after a syntax error.
 */
export async function renderSvg(dot: string): Promise<string> {
  // graphviz-cli reads standard input when given no source, which would hang: refuse instead.
  if (dot.trim() === '') throw new Error('cannot render an empty DOT graph to SVG');
  let svg: string;
  try {
    svg = await renderGraphFromSource({ input: dot }, { engine: 'dot', format: 'svg' });
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new Error(`Graphviz (graphviz-cli, WASM) could not render the DOT graph to SVG: ${why.trim()}`, { cause: e });
  }
  if (!/<svg[\s>]/.test(svg) || !svg.trimEnd().endsWith('</svg>')) {
    throw new Error(`Graphviz (graphviz-cli, WASM) returned no SVG document (got ${JSON.stringify(svg.slice(0, 80))}...)`);
  }
  return svg;
}
