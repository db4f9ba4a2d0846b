/**
 * The core is pure: it imports only immer and itself, touches no clock, randomness, timer,
 * console or host API, and keeps no module state (no `let` or `var` outside a function). Checked on the syntax tree (TypeScript's parser), so comments and strings
 * never count and a property that merely shares a name (`x.process`) is not flagged.
 * (src/core/tsconfig.json checks the other half: the core type-checks with lib ES2022 and no
 * Node types.)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { deepFreeze, server, stepChecked, TIMEOUT } from './helpers.js';

const coreDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../src/core');
const FORBIDDEN_GLOBALS = new Set([
  'Date', 'console', 'process', 'performance', 'setTimeout', 'setInterval', 'setImmediate',
  'clearTimeout', 'clearInterval', 'queueMicrotask', 'require', 'globalThis', 'crypto', 'fetch',
]);

/** Every import/export specifier and forbidden use in one source file, as readable findings. */
function impurities(fileName: string, text: string): string[] {
  const found: string[] = [];
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const checkSpecifier = (spec: string, at: ts.Node): void => {
    const ok = spec === 'immer' || (/^\.\/[\w.-]+\.js$/.test(spec));
    if (!ok) found.push(`${fileName}:${line(at)} imports '${spec}'`);
  };
  const line = (n: ts.Node): number => sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;
  const visit = (node: ts.Node, inFunction: boolean): void => {
    if (ts.isVariableDeclarationList(node) && !inFunction && (node.flags & ts.NodeFlags.BlockScoped) !== ts.NodeFlags.Const) {
      const keyword = (node.flags & ts.NodeFlags.Let) !== 0 ? 'let' : 'var';
      found.push(`${fileName}:${line(node)} module-level ${keyword} ${node.declarations.map((d) => d.name.getText(sf)).join(', ')}`);
    } else if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      checkSpecifier(node.moduleSpecifier.text, node);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      found.push(`${fileName}:${line(node)} dynamic import`);
    } else if (ts.isImportEqualsDeclaration(node)) {
      found.push(`${fileName}:${line(node)} import = require`);
    } else if (ts.isPropertyAccessExpression(node) && node.expression.getText(sf) === 'Math' && node.name.text === 'random') {
      found.push(`${fileName}:${line(node)} uses Math.random`);
    } else if (ts.isIdentifier(node) && FORBIDDEN_GLOBALS.has(node.text) && !isPropertyName(node)) {
      found.push(`${fileName}:${line(node)} uses ${node.text}`);
    }
    const inside = inFunction || ts.isFunctionLike(node) || ts.isClassStaticBlockDeclaration(node);
    ts.forEachChild(node, (child) => visit(child, inside));
  };
  visit(sf, false);
  return found;
}

/** `x.process`, `{ process: 1 }`, `interface { process: ... }`: a name, not the global. */
function isPropertyName(id: ts.Identifier): boolean {
  const p = id.parent;
  return (
    (ts.isPropertyAccessExpression(p) && p.name === id) ||
    ((ts.isPropertyAssignment(p) || ts.isPropertySignature(p) || ts.isPropertyDeclaration(p) || ts.isMethodDeclaration(p)) && p.name === id)
  );
}

const coreFiles = readdirSync(coreDir).filter((f) => f.endsWith('.ts')).sort();

describe('the core is pure', () => {
  it('src/core holds the expected modules (the check is not vacuous)', () => {
    expect(coreFiles).toEqual(expect.arrayContaining(['step.ts', 'roles.ts', 'appendEntries.ts', 'requestVote.ts', 'types.ts']));
  });

  for (const file of coreFiles) {
    it(`${file}: imports only 'immer' or ./siblings; no clock, randomness, timers, console, host API or module-level let/var`, () => {
      expect(impurities(file, readFileSync(join(coreDir, file), 'utf8'))).toEqual([]);
    });
  }

  it('every relative import names a file that exists in src/core', () => {
    for (const file of coreFiles) {
      const text = readFileSync(join(coreDir, file), 'utf8');
      for (const [, spec] of text.matchAll(/from '(\.\/[\w.-]+)\.js'/g)) {
        expect(coreFiles, `${file} imports ${spec}.js`).toContain(`${spec!.slice(2)}.ts`);
      }
    }
  });

  it('the checker itself flags each kind of impurity', () => {
    const bad = [
      "import { readFileSync } from 'node:fs';",
      "import { x } from '../runtime/x.js';",
      "export * from 'lodash';",
      'const t = Date.now();',
      'const r = Math.random();',
      'setTimeout(() => 0, 1);',
      'console.log(1);',
      'const e = process.env;',
      'const p = performance.now();',
      "const m = await import('./x.js');",
      'let editing = 0;',
      'export var count = 1, total = 2;',
      'if (true) { let hidden = 0; }',
      'for (let i = 0; i < 1; i++) {}',
    ].join('\n');
    expect(impurities('bad.ts', bad)).toHaveLength(14);
    expect(impurities('state.ts', 'let editing: number | undefined;\nexport var n = 1;\n')).toEqual([
      'state.ts:1 module-level let editing',
      'state.ts:2 module-level var n',
    ]);
    // Inside functions, methods, arrows and class bodies a let is a local: allowed.
    const locals = [
      'export const LIMIT = 1;',
      'export function f(): number { let x = 0; for (let i = 0; i < 2; i++) x += i; return x; }',
      'const g = () => { let y = 1; return y; };',
      'const h = function () { var z = 2; return z; };',
      'class C { m(): number { let w = 3; return w; } static { let v = 4; void v; } }',
    ].join('\n');
    expect(impurities('locals.ts', locals)).toEqual([]);
    expect(impurities('good.ts', "import { x } from './x.js';\nconst o = { process: 1, Date: 2 };\nconst y = o.process;\n// Date.now()\n")).toEqual([]);
  });

  it('the same step twice gives the same result (determinism, via stepChecked)', () => {
    const s = deepFreeze(server(0, { clusterSize: 5, currentTerm: 3 }));
    expect(stepChecked(s, TIMEOUT)).toStrictEqual(stepChecked(s, TIMEOUT));
  });
});
