import { describe, expect, test } from 'vitest';
import { fingerprint, fingerprintHex, fp } from '../../model/engine/fingerprint.js';
import { FingerprintSet, FULL, INSERTED, PRESENT } from '../../model/engine/fingerprint-set.js';
import { localLookup, ParentLinks, pathTo, ROOT } from '../../model/engine/parent-links.js';

describe('fingerprint', () => {
  test('is deterministic and never has a zero word', () => {
    expect(fingerprintHex('a,b,c')).toBe(fingerprintHex('a,b,c'));
    for (const key of ['', 'x', '0,0,0', '\u0000']) {
      fingerprint(key);
      expect(fp.hi).not.toBe(0);
      expect(fp.lo).not.toBe(0);
    }
  });

  test('gives 200k distinct short keys 200k distinct fingerprints', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200_000; i++) seen.add(fingerprintHex(`${i % 97},${i},${i >> 3}`));
    expect(seen.size).toBe(200_000);
  });
});

describe('FingerprintSet', () => {
  test('inserts once, then reports present', () => {
    const set = FingerprintSet.create(16, false);
    expect(set.insert(1, 2)).toBe(INSERTED);
    expect(set.insert(1, 2)).toBe(PRESENT);
    expect(set.insert(1, 3)).toBe(INSERTED);
    expect(set.has(1, 3)).toBe(true);
    expect(set.has(2, 3)).toBe(false);
    expect(set.size).toBe(2);
  });

  test('refuses inserts at its load limit, and a grown copy keeps every fingerprint', () => {
    let set = FingerprintSet.create(16, true);
    let n = 0;
    while (set.insert(0x1000 + n * 7919, n + 1) === INSERTED) n++;
    expect(set.insert(0x1000 + n * 7919, n + 1)).toBe(FULL);
    expect(n).toBe(Math.floor(16 * 0.8));
    set = set.grown();
    for (let i = 0; i < n; i++) expect(set.has(0x1000 + i * 7919, i + 1)).toBe(true);
    expect(set.size).toBe(n);
    expect(set.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  test('stays within 16 bytes a fingerprint once grown past its first size', () => {
    let set = FingerprintSet.create(1024, false);
    for (let i = 1; i <= 100_000; i++) {
      fingerprint(String(i));
      while (set.insert(fp.hi, fp.lo) === FULL) set = set.grown();
    }
    expect(set.size).toBe(100_000);
    expect(set.byteLength / set.size).toBeLessThanOrEqual(16);
  });
});

describe('ParentLinks', () => {
  test('walk back to the initial state index and the actions taken', () => {
    const links = new ParentLinks();
    const root = links.add(ROOT, 2); // initial state #2
    const a = links.add(root, 5);
    const b = links.add(a, 0);
    links.add(root, 1);
    expect(pathTo(b, localLookup(links))).toEqual({ initial: 2, actions: [5, 0] });
    expect(pathTo(root, localLookup(links))).toEqual({ initial: 2, actions: [] });
  });

  test('grow past their first allocation', () => {
    const links = new ParentLinks();
    let id = links.add(ROOT, 0);
    for (let i = 0; i < 5000; i++) id = links.add(id, i % 3);
    expect(pathTo(id, localLookup(links)).actions).toHaveLength(5000);
  });
});
