/** A server's address, written "host:port" ("[::1]:port" for an IPv6 literal). */
export interface Address {
  readonly host: string;
  readonly port: number;
}

export function parseAddress(text: string): Address {
  const match = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d{1,5})$/.exec(text);
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (host === undefined || !(port >= 0 && port <= 65535)) throw new RangeError(`address ${JSON.stringify(text)} is not host:port`);
  return { host, port };
}

export function formatAddress(address: Address): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}
