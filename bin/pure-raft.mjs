#!/usr/bin/env node
// `pure-raft <command>`: runs the TypeScript sources through tsx when it is installed (a
// checkout), else the compiled build in dist/ (an installed package).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
let entry;
try {
  const { register } = await import('tsx/esm/api');
  register();
  entry = here('../src/server/cli.ts');
} catch {
  entry = here('../dist/src/server/cli.js');
  if (!existsSync(entry)) {
    process.stderr.write('pure-raft: neither tsx nor the build (npm run build) is available\n');
    process.exit(1);
  }
}
await import(entry);
