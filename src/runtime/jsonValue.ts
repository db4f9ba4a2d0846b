/**
 * The one JSON round-trip rule, shared by the wire codec (net/json.ts) and the disk format
 * (diskFormat.ts): a value is stored or sent only if JSON.parse(JSON.stringify(value)) gives
 * back an equal value. Each user wraps the problem in its own error.
 */

/** What makes a value not round-trip: where (`.a[2]`, '' for the value itself) and what it is. */
export interface JsonValueProblem {
  readonly path: string;
  readonly problem: string;
}

/**
 * Null when JSON gives `value` back unchanged: plain objects, dense arrays, strings, booleans,
 * finite numbers other than -0, and null, without cycles, toJSON methods, symbol keys or
 * undefined members. Otherwise the first problem found.
 */
export function jsonValueProblem(value: unknown): JsonValueProblem | null {
  const stack = new Set<object>();
  const visit = (v: unknown, path: string): JsonValueProblem | null => {
    switch (typeof v) {
      case 'string':
      case 'boolean':
        return null;
      case 'number':
        if (!Number.isFinite(v)) return { path, problem: `the number ${String(v)}` };
        if (Object.is(v, -0)) return { path, problem: '-0' };
        return null;
      case 'object': {
        if (v === null) return null;
        if (stack.has(v)) return { path, problem: 'a cycle' };
        stack.add(v);
        const found = visitContainer(v, path);
        stack.delete(v);
        return found;
      }
      default:
        return { path, problem: typeof v === 'undefined' ? 'undefined' : `a ${typeof v}` };
    }
  };
  const visitContainer = (v: object, path: string): JsonValueProblem | null => {
    if (Array.isArray(v)) {
      const items: readonly unknown[] = v;
      if (Object.keys(items).length !== items.length) return { path, problem: 'an array with holes or extra properties' };
      for (let i = 0; i < items.length; i++) {
        const found = visit(items[i], `${path}[${i}]`);
        if (found) return found;
      }
      return null;
    }
    const proto: unknown = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) {
      const name = (v as { constructor?: { name?: unknown } }).constructor?.name;
      return { path, problem: `an instance of ${typeof name === 'string' ? name : 'a class'}` };
    }
    if (Object.getOwnPropertySymbols(v).length > 0) return { path, problem: 'an object with symbol keys' };
    const record = v as Record<string, unknown>;
    if (typeof record['toJSON'] === 'function') return { path, problem: 'an object with a toJSON method' };
    for (const key of Object.keys(record)) {
      const found = visit(record[key], `${path}.${key}`);
      if (found) return found;
    }
    return null;
  };
  return visit(value, '');
}

/** Structural equality of two JSON values (object key order aside): what a reader must give back. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return Object.is(a, b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bs = b as readonly unknown[];
    return a.length === bs.length && a.every((item, i) => jsonEqual(item, bs[i]));
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = Object.keys(ra);
  return keys.length === Object.keys(rb).length && keys.every((k) => Object.prototype.hasOwnProperty.call(rb, k) && jsonEqual(ra[k], rb[k]));
}
