/**
 * A 64-bit fingerprint of a canonical key: two independent 32-bit hashes computed in one pass
 * over the UTF-16 code units (FNV-1a and a murmur3-style mix, each finished with murmur's fmix32),
 * so the hot path needs no BigInt and allocates nothing. Neither word is ever 0: the fingerprint
 * set uses 0 as its empty-slot marker.
 */

import type { FingerprintOut, Model } from './model.js';

/**
 * The two words of the last fingerprint computed, and the relabelling the model's symmetry took
 * the state to its representative by (fingerprintState; undefined without one); read them right
 * after calling `fingerprint`.
 */
export const fp: FingerprintOut = { hi: 0, lo: 0, rel: undefined };

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const MURMUR_SEED = 0x9747b28c;

/** murmur3's 32-bit finaliser (unsigned result); models hashing their own states may share it. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hashes `key` into `fp.hi` / `fp.lo` (unsigned 32-bit, both non-zero). */
export function fingerprint(key: string): void {
  let a = FNV_OFFSET;
  let b = MURMUR_SEED;
  const n = key.length;
  for (let i = 0; i < n; i++) {
    const c = key.charCodeAt(i);
    a = Math.imul(a ^ c, FNV_PRIME);
    let k = Math.imul(c, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    b ^= Math.imul(k, 0x1b873593);
    b = (b << 13) | (b >>> 19);
    b = (Math.imul(b, 5) + 0xe6546b64) | 0;
  }
  // Length folds in so that keys differing only by trailing zero code units still differ.
  const hi = fmix32(a ^ n);
  const lo = fmix32(b ^ n);
  fp.hi = hi === 0 ? 0x9e3779b9 : hi;
  fp.lo = lo === 0 ? 0x7f4a7c15 : lo;
}

/**
 * The fingerprint of a model's state into `fp`: the model's own 64-bit fingerprint when it has
 * one (made unsigned and non-zero here), else the hash of its canonical key.
 */
export function fingerprintState<S>(model: Pick<Model<S, unknown>, 'canonicalKey' | 'fingerprint'>, state: S): void {
  fp.rel = undefined;
  if (model.fingerprint === undefined) return fingerprint(model.canonicalKey(state));
  model.fingerprint(state, fp);
  const hi = fp.hi >>> 0;
  const lo = fp.lo >>> 0;
  fp.hi = hi === 0 ? 0x9e3779b9 : hi;
  fp.lo = lo === 0 ? 0x7f4a7c15 : lo;
}

/** The fingerprint as a 16-digit hex string, for logs and tests. */
export function fingerprintHex(key: string): string {
  fingerprint(key);
  return fp.hi.toString(16).padStart(8, '0') + fp.lo.toString(16).padStart(8, '0');
}
