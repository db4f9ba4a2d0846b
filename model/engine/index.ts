/** The exploration engine's public surface. */
export { explore } from './explore.js';
export { replay, type TraceStep } from './replay.js';
export { randomWalk, type Weight, type WalkOptions, type WalkResult } from './random-walk.js';
export type { Invariant, Model, ModelSource, Property } from './model.js';
export type { ExploreOptions, ExploreResult, GoalReport, Progress, Strategy, Violation } from './types.js';
export { fingerprint, fingerprintHex, fp } from './fingerprint.js';
export { FingerprintSet } from './fingerprint-set.js';
export { Canonicaliser, type Encoding } from './symmetry.js';
export { Relabelling, relabellings, identity } from './relabelling.js';
export type { Encode, Sink } from './sink.js';
