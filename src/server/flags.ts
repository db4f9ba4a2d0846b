import { formatAddress, parseAddress as parseNetAddress, type Address } from '../runtime/net/index.js';

/** A bad command line: printed on one line, exit 2. */
export class UsageError extends Error {}

/**
 * Reads a command line one argument at a time, for every `pure-raft` command alike: `--flag=value`
 * is `--flag value`, a flag given twice is an error (which --id did they mean?), never "the last
 * one wins", and a flag's value is never empty nor another flag.
 */
export class FlagReader {
  private index = 0;
  private readonly given = new Set<string>();
  /** The value of the last `--flag=value`, until value() takes it. */
  private inline: { readonly flag: string; readonly value: string } | null = null;

  constructor(private readonly args: readonly string[]) {}

  /** The next argument (a flag, without any `=value`, or not), or undefined after the last. */
  next(): string | undefined {
    if (this.inline !== null) throw new UsageError(`${this.inline.flag} takes no value`);
    let arg = this.args[this.index++];
    if (arg === undefined || !arg.startsWith('--') || arg === '--') return arg;
    const eq = arg.indexOf('=');
    if (eq >= 0) {
      this.inline = { flag: arg.slice(0, eq), value: arg.slice(eq + 1) };
      arg = this.inline.flag;
    }
    if (this.given.has(arg)) throw new UsageError(`${arg} is given twice`);
    this.given.add(arg);
    return arg;
  }

  /** The next argument as it is, flag-like or not (what follows `--`). */
  verbatim(): string | undefined {
    return this.args[this.index++];
  }

  /** The value of `flag`: from `--flag=value`, else the argument after it. */
  value(flag: string): string {
    let raw: string | undefined;
    if (this.inline !== null) {
      raw = this.inline.value;
      this.inline = null;
    } else {
      raw = this.args[this.index++];
      if (raw?.startsWith('--')) raw = undefined;
    }
    if (raw === undefined || raw === '') throw new UsageError(`${flag} needs a value`);
    return raw;
  }
}

/** The transport's own HOST:PORT grammar (so what passes here, the transport takes), port 1..65535. */
export function parseAddress(raw: string): Address {
  const port = /:(\d+)$/.exec(raw)?.[1];
  if (port !== undefined && !(Number(port) >= 1 && Number(port) <= 65535)) throw new UsageError(`bad address '${raw}': port must be 1..65535`);
  try {
    return parseNetAddress(raw);
  } catch {
    throw new UsageError(`bad address '${raw}': expected HOST:PORT (an IPv6 host in brackets)`);
  }
}

/** `--peers HOST:PORT,...`: every server in id order, none twice. */
export function parsePeers(raw: string): Address[] {
  const peers = raw.split(',').map((p) => parseAddress(p.trim()));
  const seen = new Set<string>();
  for (const p of peers) {
    const key = formatAddress(p);
    if (seen.has(key)) throw new UsageError(`--peers lists ${key} twice`);
    seen.add(key);
  }
  return peers;
}

/** A count flag's value: a non-negative safe integer written in decimal digits. */
export function parseCount(flag: string, raw: string, what = 'a non-negative integer'): number {
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) throw new UsageError(`${flag} must be ${what}, got '${raw}'`);
  return Number(raw);
}
