#!/usr/bin/env node
// `pure-raft <command>`: in a checkout (the TypeScript sources beside this file) with tsx
// installed, runs the sources through tsx; else the compiled build in dist/: an installed
// package holds no sources, and a consumer's own tsx must not make it look for them.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const source = here('../src/server/cli.ts');
let entry = here('../dist/src/server/cli.js');
if (existsSync(source)) {
  try {
    const { register } = await import('tsx/esm/api');
    register();
    entry = source;
  } catch {
    // No tsx (e.g. npm ci --omit=dev): the build, if there is one.
  }
}
if (!existsSync(entry)) {
  process.stderr.write('pure-raft: neither tsx nor the build (npm run build) is available\n');
  process.exit(1);
}
await import(entry);
