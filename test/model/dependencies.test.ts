/**
 * Dependencies point one way (DESIGN.md, "Layout and dependency direction"): the core knows
 * nothing of the model or the runtime; the engine knows nothing of Raft; the Raft model knows
 * nothing of its users (the CLI, the mutant catalog, reports). Checked on every file's imports
 * as TypeScript's pre-processor reads them (static, dynamic, type-only and `import('...')` types).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/** What each layer may import: folders of this repository (prefixes) and packages (`node:*` is one entry). */
const RULES: Readonly<Record<string, { readonly folders: readonly string[]; readonly packages: readonly string[] }>> = {
  'src/core': { folders: ['src/core'], packages: ['immer'] },
  'model/engine': { folders: ['model/engine'], packages: ['node:*'] },
  'model/raft': { folders: ['model/raft', 'model/engine', 'src/core'], packages: ['immer'] },
  'model/random': { folders: ['model/random', 'model/raft', 'model/engine', 'src/core'], packages: ['fast-check'] },
  'model/mutants': { folders: ['model/mutants', 'model/raft', 'src/core'], packages: ['immer'] },
};

interface SourceFile {
  /** Repository-relative, with forward slashes. */
  readonly path: string;
  readonly text: string;
}

const layerOf = (path: string): string | undefined => Object.keys(RULES).find((l) => path.startsWith(`${l}/`));

/** Every import of a layered file that its layer's rule does not allow, as "<file> imports <target>". */
function forbiddenImports(files: readonly SourceFile[]): string[] {
  const out: string[] = [];
  for (const f of files) {
    const layer = layerOf(f.path);
    if (layer === undefined) continue;
    const rule = RULES[layer]!;
    for (const { fileName: spec } of ts.preProcessFile(f.text, true, true).importedFiles) {
      if (spec.startsWith('.')) {
        const target = normalize(join(dirname(f.path), spec)).split('\\').join('/');
        if (!rule.folders.some((d) => target.startsWith(`${d}/`))) out.push(`${f.path} imports ${target} (${layer} may import only ${rule.folders.join(', ')})`);
      } else {
        const pkg = spec.startsWith('node:') ? 'node:*' : spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/');
        if (!rule.packages.includes(pkg)) out.push(`${f.path} imports package '${spec}' (${layer} may import only ${rule.packages.join(', ')})`);
      }
    }
  }
  return out;
}

const root = join(dirname(new URL(import.meta.url).pathname), '../..');

function sources(dir: string): SourceFile[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = `${dir}/${name}`;
    if (statSync(join(root, path)).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [{ path, text: readFileSync(join(root, path), 'utf8') }] : [];
  });
}

describe('dependencies point one way', () => {
  const files = Object.keys(RULES).flatMap(sources);

  it('every layer has files to check (the check is not vacuous)', () => {
    for (const layer of Object.keys(RULES)) expect(files.some((f) => f.path.startsWith(`${layer}/`)), layer).toBe(true);
  });

  it('no file under src/core, model/engine, model/raft, model/random or model/mutants imports past its layer', () => {
    expect(forbiddenImports(files)).toEqual([]);
  });

  it('the check flags a forbidden edge of each kind (Raft model to mutants and reports, engine to Raft, core to model)', () => {
    const bad: SourceFile[] = [
      { path: 'model/raft/model.ts', text: "import { MUTANTS } from '../mutants/index.js';" },
      { path: 'model/raft/replay-trace.ts', text: "import type { TraceFile } from '../report/trace-file.js';" },
      { path: 'model/engine/bfs.ts', text: "export type X = import('../raft/system.js').SystemState;" },
      { path: 'src/core/step.ts', text: "const m = await import('../../model/raft/model.js');" },
      { path: 'model/raft/x.ts', text: "import fc from 'fast-check';" },
    ];
    expect(forbiddenImports(bad)).toEqual([
      'model/raft/model.ts imports model/mutants/index.js (model/raft may import only model/raft, model/engine, src/core)',
      'model/raft/replay-trace.ts imports model/report/trace-file.js (model/raft may import only model/raft, model/engine, src/core)',
      'model/engine/bfs.ts imports model/raft/system.js (model/engine may import only model/engine)',
      'src/core/step.ts imports model/raft/model.js (src/core may import only src/core)',
      "model/raft/x.ts imports package 'fast-check' (model/raft may import only immer)",
    ]);
  });
});
