import type { Relabelling } from './relabelling.js';
import { CACHED_RANKS, FACTORIAL, type Encode, type Sink } from './sink.js';

/**
 * The string sink: the encoding spelled out, for exact keys. Tokens (ints, strings, nested
 * groups) are joined by '|'; a group (a list, a list's item, a part) ends with '.'. Strings are
 * escaped so that neither character occurs inside a token; with every group closed, equal keys
 * mean equal calls. Since '|' sorts after the digits and '.' before them, keys of one kind
 * (e.g. messages) sort by their fields left to right, shorter lists first: the network's order.
 *
 * Parts are cached per object (relabelled parts per object and relabelling rank): the network's
 * order and the step memo look up the plain keys of the same messages and states many times.
 */

/** As in the hash sink: the first relabelling's key inline, the others in `more` once needed. */
interface CachedStrings {
  readonly rank: number;
  readonly s: string;
  more: (string | undefined)[] | null;
}

const escape = (s: string): string => (/[|.\\]/.test(s) ? s.replace(/[|.\\]/g, (c) => `\\${c === '|' ? 'p' : c === '.' ? 'd' : 'b'}`) : s);

export class StringSink implements Sink {
  /**
   * The tokens of the group being written. Keys are joined from them, so that they are flat
   * strings: built by `+=`, the memo's and network's keys were ropes and took 80 MB more at 700k states.
   */
  private tokens: string[] = [];
  private readonly parts = new WeakMap<object, string>();
  private readonly relabelled = new WeakMap<object, CachedStrings>();

  /** The key of `value` as `encode` writes it (the tokens of one group, unterminated). */
  key<T, C>(value: T, ctx: C, encode: Encode<T, C>): string {
    const outer = this.tokens;
    this.tokens = [];
    encode(value, ctx, this);
    const k = this.tokens.join('|');
    this.tokens = outer;
    return k;
  }

  /** The same, as a group: terminated by '.'. */
  private group<T, C>(value: T, ctx: C, encode: Encode<T, C>): string {
    const outer = this.tokens;
    const tokens: string[] = (this.tokens = []);
    encode(value, ctx, this);
    this.tokens = outer;
    return tokens.length === 0 ? '.' : ((tokens[tokens.length - 1] += '.'), tokens.join('|'));
  }

  /** The cached key of a relabelled part, as it appears inside a key. */
  partKey<T extends object>(obj: T, r: Relabelling, encode: Encode<T, Relabelling>): string {
    const rank = r.rank;
    const e = this.relabelled.get(obj);
    if (e !== undefined && e.rank === rank) return e.s;
    if (e === undefined) {
      const s = this.group(obj, r, encode);
      this.relabelled.set(obj, { rank, s, more: null });
      return s;
    }
    if (rank >= CACHED_RANKS) return this.group(obj, r, encode);
    const more = (e.more ??= new Array<string | undefined>(Math.min(FACTORIAL[r.size]!, CACHED_RANKS)));
    return (more[rank] ??= this.group(obj, r, encode));
  }

  int(n: number): void {
    this.tokens.push(String(n));
  }

  str(s: string): void {
    this.tokens.push(escape(s));
  }

  list<T, C>(items: readonly T[], ctx: C, item: Encode<T, C>): void {
    const groups = new Array<string>(items.length);
    for (let i = 0; i < items.length; i++) groups[i] = this.group(items[i]!, ctx, item);
    this.tokens.push(groups.length === 0 ? '.' : ((groups[groups.length - 1] += '.'), groups.join('|')));
  }

  byId<T, C>(items: readonly T[], r: Relabelling, ctx: C, item: Encode<T, C>): void {
    this.list(r.reorder(items), ctx, item);
  }

  bag<T, C>(items: readonly T[], ctx: C, item: Encode<T, C>): void {
    const groups = new Array<string>(items.length);
    for (let i = 0; i < items.length; i++) groups[i] = this.group(items[i]!, ctx, item);
    groups.sort();
    this.tokens.push(groups.length === 0 ? '.' : ((groups[groups.length - 1] += '.'), groups.join('|')));
  }

  part<T extends object>(obj: T, encode: (obj: T, sink: Sink) => void): void {
    let s = this.parts.get(obj);
    if (s === undefined) {
      const outer = this.tokens;
      const tokens: string[] = (this.tokens = []);
      encode(obj, this);
      this.tokens = outer;
      s = tokens.length === 0 ? '.' : ((tokens[tokens.length - 1] += '.'), tokens.join('|'));
      this.parts.set(obj, s);
    }
    this.tokens.push(s);
  }

  relabelledPart<T extends object>(obj: T, r: Relabelling, encode: Encode<T, Relabelling>): void {
    this.tokens.push(this.partKey(obj, r, encode));
  }
}
