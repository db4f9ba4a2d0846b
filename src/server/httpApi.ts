import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { formatAddress, type Address } from '../runtime/net/index.js';
import { MAX_COMMAND_BYTES, type ClientReply } from './clientApi.js';

/**
 * The node's optional HTTP API (`pure-raft node --http [HOST:]PORT`), a thin adapter over the
 * client protocol (clientApi.ts's answerClient): each request becomes one client request, each
 * reply a status code and a JSON body. Unauthenticated, hence on loopback unless told otherwise.
 *
 *   POST /commands          body: one JSON command (at most 16 KiB)
 *     200 {index, term, position}   committed and applied
 *     421 {error:'not-leader', leaderId}   not the leader (Misdirected Request): leaderId is the
 *                                   leader's index in --peers if this server knows it, else null
 *                                   (a node knows no other server's HTTP address: map the id)
 *     409 {error:'lost'}            a new leader overwrote its entry: not committed
 *     504 {error:'unknown'}         not applied within the wait, or a snapshot replaced its entry
 *                                   unapplied: it may have committed (never retried for you)
 *     400 {error:'bad-request', reason}   not JSON, or past the depth limit
 *     413 {error:'too-large'}       a body over 16 KiB
 *   GET /commands?from=N&limit=K    200 {from, commands}: the applied commands from position N
 *   GET /status                     200 the node's status (role, currentTerm, commitIndex, ...)
 *   POST /membership        body: {kind, server, address?} (the client protocol's membership op)
 *     200 {index, term, configuration}   the configuration entry committed and applied
 *     421 {error:'not-leader', leaderId, leaderAddress}
 *     409 {error:'refused', reason}      the leader's refusal (no-commit-in-term and
 *                                   change-in-progress: ask again shortly); 409 {error:'lost'}
 *     504 {error:'unknown'}         not applied within the wait: it may yet be done
 * Anything else: 404, or 405 with Allow for a known path.
 */
export interface HttpApi {
  /** Where it listens (the port the OS chose, for port 0). */
  readonly address: Address;
  /** Stops listening and closes every connection (a submit still waiting gets no answer). */
  close(): Promise<void>;
}

export interface HttpApiOptions {
  /** How long a POST /commands waits for its entry to be applied before answering 504 (default 10 s). */
  readonly submitTimeoutMs?: number;
}

export const HTTP_SUBMIT_TIMEOUT_MS = 10_000;

type Answer = (payload: unknown) => ClientReply | Promise<ClientReply>;

interface Response {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

const error = (status: number, name: string, more: Record<string, unknown> = {}): Response => ({ status, body: { error: name, ...more } });

export async function startHttpApi(address: Address, answer: Answer, options: HttpApiOptions = {}): Promise<HttpApi> {
  const submitTimeoutMs = options.submitTimeoutMs ?? HTTP_SUBMIT_TIMEOUT_MS;
  const server = createServer((request, response) => {
    void route(request, answer, submitTimeoutMs).then(
      (r) => send(response, r),
      (e: unknown) => send(response, error(500, 'internal', { reason: (e as Error).message })),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address();
  const port = typeof bound === 'object' && bound !== null ? bound.port : address.port;
  return { address: { host: address.host, port }, close: () => closeServer(server) };
}

async function route(request: IncomingMessage, answer: Answer, submitTimeoutMs: number): Promise<Response> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const allow = (methods: string): Response => ({ ...error(405, 'method-not-allowed'), headers: { allow: methods } });
  switch (url.pathname) {
    case '/commands':
      if (request.method === 'POST') return submit(request, answer, submitTimeoutMs);
      if (request.method === 'GET') return read(url.searchParams, answer);
      return allow('GET, POST');
    case '/status':
      if (request.method !== 'GET') return allow('GET');
      return replied(await answer({ op: 'status' }));
    case '/membership':
      if (request.method !== 'POST') return allow('POST');
      return membership(request, answer, submitTimeoutMs);
    default:
      return error(404, 'not-found', { reason: 'endpoints: POST /commands, GET /commands?from=N&limit=K, GET /status, POST /membership' });
  }
}

async function submit(request: IncomingMessage, answer: Answer, submitTimeoutMs: number): Promise<Response> {
  const body = await readBody(request, MAX_COMMAND_BYTES);
  if (body === null) return { ...error(413, 'too-large', { reason: `a command is at most ${MAX_COMMAND_BYTES} bytes of JSON` }), headers: { connection: 'close' } };
  let command: unknown;
  try {
    command = JSON.parse(body.toString('utf8'));
  } catch {
    return error(400, 'bad-request', { reason: 'the body is not one JSON value' });
  }
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<Response>((resolve) => {
    timer = setTimeout(() => resolve(error(504, 'unknown', { reason: `not applied within ${submitTimeoutMs} ms; it may yet commit` })), submitTimeoutMs);
  });
  try {
    const applied = Promise.resolve(answer({ op: 'submit', command })).then(async (reply) => {
      if (reply.ok || reply.error !== 'not-leader') return replied(reply);
      const status = await answer({ op: 'status' });
      return error(421, 'not-leader', { leaderId: status.ok && 'leaderId' in status ? status.leaderId : null });
    });
    return await Promise.race([applied, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** POST /membership: the body is the membership request's fields; waits as a submit does. */
async function membership(request: IncomingMessage, answer: Answer, timeoutMs: number): Promise<Response> {
  const body = await readBody(request, MAX_COMMAND_BYTES);
  if (body === null) return { ...error(413, 'too-large'), headers: { connection: 'close' } };
  let fields: unknown;
  try {
    fields = JSON.parse(body.toString('utf8'));
  } catch {
    return error(400, 'bad-request', { reason: 'the body is not one JSON value' });
  }
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) return error(400, 'bad-request', { reason: 'the body is {kind, server, address?}' });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<Response>((resolve) => {
    timer = setTimeout(() => resolve(error(504, 'unknown', { reason: `not applied within ${timeoutMs} ms; it may yet be done` })), timeoutMs);
  });
  try {
    return await Promise.race([Promise.resolve(answer({ ...fields, op: 'membership' })).then(replied), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

function read(params: URLSearchParams, answer: Answer): Promise<Response> | Response {
  const request: Record<string, unknown> = { op: 'read' };
  for (const name of ['from', 'limit']) {
    const raw = params.get(name);
    if (raw === null) continue;
    if (!/^\d+$/.test(raw)) return error(400, 'bad-request', { reason: `${name} must be a decimal integer` });
    request[name] = Number(raw);
  }
  return Promise.resolve(answer(request)).then(replied);
}

/** A client protocol reply as an HTTP response (`ok` is the status code's job). */
function replied(reply: ClientReply): Response {
  if (reply.ok) {
    const { ok: _, ...body } = reply;
    return { status: 200, body };
  }
  switch (reply.error) {
    case 'not-leader': return error(421, 'not-leader', { leaderId: 'leaderId' in reply ? reply.leaderId : null, ...('leaderAddress' in reply ? { leaderAddress: reply.leaderAddress } : {}) });
    case 'refused': return error(409, 'refused', { reason: reply.reason });
    case 'lost': return error(409, 'lost', { index: reply.index ?? null, term: reply.term ?? null });
    case 'unknown': return error(504, 'unknown', { reason: 'a snapshot replaced its entry before this server applied it; it may have committed' });
    case 'bad-request': return error(400, 'bad-request', { reason: reply.reason });
  }
}

/** The body, or null once it passes `limit` bytes (the rest is not read). */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | null> {
  if (Number(request.headers['content-length'] ?? 0) > limit) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    request.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > limit) {
        request.removeAllListeners('data');
        request.pause();
        resolve(null);
      } else {
        chunks.push(chunk);
      }
    });
    request.once('end', () => resolve(Buffer.concat(chunks)));
    request.once('error', reject);
  });
}

function send(response: ServerResponse, r: Response): void {
  if (response.headersSent || response.destroyed) return;
  const text = `${JSON.stringify(r.body)}\n`;
  response.writeHead(r.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...r.headers });
  response.end(text);
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** The log line for where it listens: an address beyond loopback is said to be unauthenticated. */
export function httpListeningLine(address: Address, loopback: boolean): string {
  const url = `http://${formatAddress(address)}`;
  return loopback ? `HTTP API on ${url} (loopback only)` : `HTTP API on ${url}: UNAUTHENTICATED, anyone who reaches this address can submit commands`;
}
