import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { browserBundleProblems, type BuiltBundle, buildWebBundle, formatSize, playgroundHtml } from '../../scripts/build-web.js';
import { ROOT } from '../../vite.web.config.js';

/** The browser bundles build, need nothing of Node, and (the core) work as the source does. */

const report = (b: BuiltBundle): void => {
  // Shown in the test output on purpose: the sizes are a figure the README quotes.
  console.log(`${b.file}: ${b.bytes} bytes, ${b.gzipBytes} gzip (${formatSize(b.bytes, b.gzipBytes)}), built in ${Math.round(b.ms)} ms`);
};

describe('browser bundles', () => {
  it('the inspector flags every way a bundle can still need Node', () => {
    const dirty = 'import{a}from"fs";const x=require("path");process.env.X;import("node:worker_threads");export*from"./x.js";Buffer.from("");__dirname';
    expect(browserBundleProblems(dirty).map((p) => p.slice(0, p.indexOf(': ')))).toEqual([
      'a static import', 'an export from another module', 'a dynamic import', 'require()', 'process', 'Buffer', '__dirname/__filename', 'a node:-prefixed module name',
    ]);
    expect(browserBundleProblems('export{a as step};const a=(s)=>s;')).toEqual([]);
  });

  it('dist/browser/core.js: the core and immer in one ES module, nothing of Node, the same step as the source', async () => {
    const b = await buildWebBundle('core');
    report(b);
    expect(browserBundleProblems(b.code)).toEqual([]);
    expect(b.bytes).toBeLessThan(64 * 1024); // the core and immer, minified: about 17 KiB at the time of writing
    const bundled = (await import(`${pathToFileURL(join(ROOT, b.file)).href}?t=${Date.now()}`)) as typeof import('../../src/core/index.js');
    const source = await import('../../src/core/index.js');
    expect(Object.keys(bundled).sort()).toEqual(Object.keys(source).sort());
    // A follower's election timeout: candidate of term 1, votes for itself, asks both peers.
    const r = bundled.step(bundled.initialState(0, 3), { type: 'ElectionTimeout' });
    const expected = source.step(source.initialState(0, 3), { type: 'ElectionTimeout' });
    expect(r.state.role).toBe('candidate');
    expect(r.messages.map((m) => `${m.type}->${m.to}`)).toEqual(['RequestVote->1', 'RequestVote->2']);
    expect(JSON.parse(JSON.stringify(r))).toEqual(JSON.parse(JSON.stringify(expected)));
  });

  it.each(['explorer', 'playground'] as const)('dist/browser/%s.js: a page script (core, model, UI) needs nothing of Node either', async (name) => {
    const b = await buildWebBundle(name);
    report(b);
    expect(browserBundleProblems(b.code)).toEqual([]);
  });

  it('the playground page (dist/browser/playground.html, as npm run build writes it) inlines its script whole: it fetches nothing', async () => {
    const html = playgroundHtml((await buildWebBundle('playground')).code);
    expect(html).toContain('<title>Raft playground · pure-raft</title>');
    expect(html).not.toMatch(/<script[^>]* src=|<link[^>]* href=/);
    expect(html.match(/<script>/g)).toHaveLength(1);
  });
});
