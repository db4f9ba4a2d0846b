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
interface CachedString {
  readonly encode: unknown;
  readonly s: string;
}

/** As in the hash sink: the first relabelling's key inline, the others in `more` once needed. */
interface CachedStrings {
  readonly encode: unknown;
  readonly rank: number;
  readonly s: string;
  more: (string | undefined)[] | null;
}

const escape = (s: string): string => (/[|.\\]/.test(s) ? s.replace(/[|.\\]/g, (c) => `\\${c === '|' ? 'p' : c === '.' ? 'd' : 'b'}`) : s);

export class StringSink implements Sink {
  private out = '';
  private first = true;
  private readonly parts = new WeakMap<object, CachedString>();
  private readonly relabelled = new WeakMap<object, CachedStrings>();

  /** The key of `value` as `encode` writes it (the tokens of one group, unterminated). */
  key<T, C>(value: T, ctx: C, encode: Encode<T, C>): string {
    const out = this.out;
    const first = this.first;
    this.out = '';
    this.first = true;
    encode(value, ctx, this);
    const k = this.out;
    this.out = out;
    this.first = first;
    return k;
  }

  /** The cached key of a relabelled part, as it appears inside a key. */
  partKey<T extends object>(obj: T, r: Relabelling, encode: Encode<T, Relabelling>): string {
    const rank = r.rank;
    const e = this.relabelled.get(obj);
    if (e !== undefined && e.rank === rank && e.encode === encode) return e.s;
    if (e === undefined) {
      const s = this.key(obj, r, encode) + '.';
      this.relabelled.set(obj, { encode, rank, s, more: null });
      return s;
    }
    if (e.encode !== encode || rank >= CACHED_RANKS) return this.key(obj, r, encode) + '.';
    const more = (e.more ??= new Array<string | undefined>(Math.min(FACTORIAL[r.size]!, CACHED_RANKS)));
    return (more[rank] ??= this.key(obj, r, encode) + '.');
  }

  private token(t: string): void {
    if (this.first) {
      this.out += t;
      this.first = false;
    } else this.out += '|' + t;
  }

  int(n: number): void {
    this.token(String(n));
  }

  str(s: string): void {
    this.token(escape(s));
  }

  list<T, C>(items: readonly T[], ctx: C, item: Encode<T, C>): void {
    let s = '';
    for (let i = 0; i < items.length; i++) s += (i === 0 ? '' : '|') + this.key(items[i]!, ctx, item) + '.';
    this.token(s + '.');
  }

  byId<T, C>(items: readonly T[], r: Relabelling, ctx: C, item: Encode<T, C>): void {
    this.list(r.reorder(items), ctx, item);
  }

  bag<T, C>(items: readonly T[], ctx: C, item: Encode<T, C>): void {
    const keys = new Array<string>(items.length);
    for (let i = 0; i < items.length; i++) keys[i] = this.key(items[i]!, ctx, item) + '.';
    keys.sort();
    this.token(keys.join('|') + '.');
  }

  part<T extends object>(obj: T, encode: (obj: T, sink: Sink) => void): void {
    let e = this.parts.get(obj);
    if (e === undefined || e.encode !== encode) {
      const out = this.out;
      const first = this.first;
      this.out = '';
      this.first = true;
      encode(obj, this);
      const fresh = { encode, s: this.out + '.' };
      this.out = out;
      this.first = first;
      if (e === undefined) this.parts.set(obj, fresh);
      e = fresh;
    }
    this.token(e.s);
  }

  relabelledPart<T extends object>(obj: T, r: Relabelling, encode: Encode<T, Relabelling>): void {
    this.token(this.partKey(obj, r, encode));
  }
}
