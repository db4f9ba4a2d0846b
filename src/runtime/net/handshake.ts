import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ServerId } from '../../core/index.js';
import { WireError } from './errors.js';

/**
 * The handshake that opens every connection: mutual challenge-response over a shared cluster
 * secret, then a session key per direction. Three frames, none secret, none replayable:
 *
 *   initiator -> responder  HELLO      "PRFT" version role initiatorId targetId clusterSize clusterId nonceI
 *   responder -> initiator  CHALLENGE  responderId clusterSize clusterId nonceR proofR
 *   initiator -> responder  PROOF      proofI
 *
 * (role: 0 a server, 1 a client; ids and sizes u32 big-endian, a client's id and target
 * 0xffffffff and its cluster size 0; clusterId a length byte and 64 bytes, zero-padded, of
 * [A-Za-z0-9._-], empty for "none" (and for a client: any cluster); nonces 32 random bytes.)
 * The transcript is HELLO followed by CHALLENGE without its proof, so it binds both nonces, the
 * claimed identity, the intended responder, the cluster size and both cluster ids. Servers of
 * different clusters that share a secret (reused addresses) refuse each other by name: the
 * responder checks the HELLO's cluster id, the initiator the CHALLENGE's (after its proof). proofR = HMAC-SHA256(secret, "responder proof" | transcript)
 * and proofI = HMAC-SHA256(secret, "initiator proof" | transcript): each side proves it holds
 * the secret over a nonce the other just chose, under a label the other never signs, so
 * neither a proof nor a whole recorded handshake can be replayed or reflected. An initiator
 * checks proofR before it answers, so a server without the secret learns no proof at all.
 * The session keys are HMAC-SHA256(secret, "key i->r" | transcript) and "key r->i".
 */
export const HANDSHAKE_MAGIC = 'PRFT';
/**
 * 3 since the message set grew (InstallSnapshot, PreVote: type bytes 5-8), 4 since entries and
 * InstallSnapshot carry configurations (membership), so an older node is refused at the
 * handshake in one line, not by frames it cannot read.
 */
export const HANDSHAKE_VERSION = 4;
export const NONCE_BYTES = 32;
export const PROOF_BYTES = 32;
/** The longest cluster id, in bytes. */
export const MAX_CLUSTER_ID_BYTES = 64;
const CLUSTER_ID_FIELD_BYTES = 1 + MAX_CLUSTER_ID_BYTES;
export const HELLO_BYTES = 4 + 1 + 1 + 4 + 4 + 4 + CLUSTER_ID_FIELD_BYTES + NONCE_BYTES;
export const CHALLENGE_HEAD_BYTES = 4 + 4 + CLUSTER_ID_FIELD_BYTES + NONCE_BYTES;
export const CHALLENGE_BYTES = CHALLENGE_HEAD_BYTES + PROOF_BYTES;
/** The largest handshake frame: what an unauthenticated sender may make a receiver buffer. */
export const MAX_HANDSHAKE_FRAME_BYTES = Math.max(HELLO_BYTES, CHALLENGE_BYTES);

const CLUSTER_ID = /^[A-Za-z0-9._-]*$/;

/** Why `clusterId` cannot be one ('' is "no cluster id"), or null when it can. */
export function clusterIdProblem(clusterId: string): string | null {
  if (!CLUSTER_ID.test(clusterId)) return `cluster id '${clusterId.replace(/[^\x20-\x7e]/g, '?')}' may hold only letters, digits, '.', '_' and '-'`;
  if (clusterId.length > MAX_CLUSTER_ID_BYTES) return `cluster id '${clusterId}' is longer than ${MAX_CLUSTER_ID_BYTES} characters`;
  return null;
}

function checkedClusterId(clusterId: string): string {
  const problem = clusterIdProblem(clusterId);
  if (problem !== null) throw new RangeError(problem);
  return clusterId;
}

function writeClusterId(frame: Buffer, at: number, clusterId: string): void {
  frame.writeUInt8(clusterId.length, at);
  frame.write(clusterId, at + 1, 'latin1');
}

/** A peer's bytes reach a log only through this: a length and a charset checked, else refused. */
function readClusterId(frame: Buffer, at: number, what: string): string {
  const length = frame.readUInt8(at);
  const id = frame.toString('latin1', at + 1, at + 1 + Math.min(length, MAX_CLUSTER_ID_BYTES));
  if (length > MAX_CLUSTER_ID_BYTES || !CLUSTER_ID.test(id)) throw authError(`${what} has a malformed cluster id`);
  return id;
}

const named = (clusterId: string): string => (clusterId === '' ? '(none)' : clusterId);

const NO_ID = 0xffff_ffff;
const ROLE_PEER = 0;
const ROLE_CLIENT = 1;

const LABEL_RESPONDER_PROOF = label('responder proof');
const LABEL_INITIATOR_PROOF = label('initiator proof');
const LABEL_KEY_I2R = label('key i->r');
const LABEL_KEY_R2I = label('key r->i');

function label(name: string): Buffer {
  return Buffer.from(`pure-raft/${HANDSHAKE_VERSION} ${name}\0`, 'latin1');
}

/** Who dialed: a server of the cluster, or a client. */
export type Identity = { readonly role: 'peer'; readonly id: ServerId } | { readonly role: 'client' };

/** The shared cluster secret, as given (a string is taken as UTF-8). */
export type Secret = string | Uint8Array;

export function secretBytes(secret: Secret): Buffer {
  const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
  if (bytes.length === 0) throw new RangeError('the cluster secret is empty');
  return bytes;
}

/** Per-direction MAC keys of one session. */
export interface SessionKeys {
  readonly send: Buffer;
  readonly receive: Buffer;
}

/** What the responder said about itself. */
export interface ResponderInfo {
  readonly id: ServerId;
  readonly clusterSize: number;
  readonly clusterId: string;
}

function hmac(secret: Buffer, labelBytes: Buffer, transcript: Buffer): Buffer {
  return createHmac('sha256', secret).update(labelBytes).update(transcript).digest();
}

function sameProof(expected: Buffer, got: Buffer): boolean {
  return got.length === expected.length && timingSafeEqual(expected, got);
}

function authError(reason: string): WireError {
  return new WireError('auth', `handshake: ${reason}`);
}

function checkLength(frame: Buffer, expected: number, what: string): void {
  if (frame.length !== expected) throw authError(`${what} is ${frame.length} bytes, expected ${expected}`);
}

/** The dialing side. */
export class InitiatorHandshake {
  private readonly helloBytes: Buffer;

  /**
   * `target`: the server this side means to reach (null for a client, which takes any).
   * `clusterId`: the cluster this side belongs to ('' none; a client with '' takes any).
   */
  constructor(
    private readonly secret: Buffer,
    private readonly me: Identity,
    private readonly target: ServerId | null,
    private readonly clusterSize: number,
    private readonly clusterId = '',
    nonce: Buffer = randomBytes(NONCE_BYTES),
  ) {
    checkedClusterId(clusterId);
    const hello = Buffer.alloc(HELLO_BYTES);
    hello.write(HANDSHAKE_MAGIC, 0, 'latin1');
    hello.writeUInt8(HANDSHAKE_VERSION, 4);
    hello.writeUInt8(me.role === 'peer' ? ROLE_PEER : ROLE_CLIENT, 5);
    hello.writeUInt32BE(me.role === 'peer' ? me.id : NO_ID, 6);
    hello.writeUInt32BE(target ?? NO_ID, 10);
    hello.writeUInt32BE(me.role === 'peer' ? clusterSize : 0, 14);
    writeClusterId(hello, 18, clusterId);
    nonce.copy(hello, 18 + CLUSTER_ID_FIELD_BYTES);
    this.helloBytes = hello;
  }

  hello(): Buffer {
    return this.helloBytes;
  }

  /** Checks CHALLENGE; returns the PROOF frame to send and the session. Throws WireError('auth'). */
  onChallenge(frame: Buffer): { proof: Buffer; keys: SessionKeys; responder: ResponderInfo } {
    checkLength(frame, CHALLENGE_BYTES, 'CHALLENGE');
    const head = frame.subarray(0, CHALLENGE_HEAD_BYTES);
    const transcript = Buffer.concat([this.helloBytes, head]);
    if (!sameProof(hmac(this.secret, LABEL_RESPONDER_PROOF, transcript), frame.subarray(CHALLENGE_HEAD_BYTES))) {
      throw authError('the server\'s proof does not verify (wrong secret?)');
    }
    const responder: ResponderInfo = { id: head.readUInt32BE(0), clusterSize: head.readUInt32BE(4), clusterId: readClusterId(head, 8, 'CHALLENGE') };
    if ((this.me.role === 'peer' || this.clusterId !== '') && responder.clusterId !== this.clusterId) {
      throw authError(`server ${responder.id} is in cluster ${named(responder.clusterId)}, this ${this.me.role === 'peer' ? 'node' : 'client'} is in cluster ${named(this.clusterId)}`);
    }
    if (this.target !== null && responder.id !== this.target) {
      throw authError(`reached server ${responder.id}, expected ${this.target}`);
    }
    if (this.me.role === 'peer' && responder.clusterSize !== this.clusterSize) {
      throw authError(`the server has cluster size ${responder.clusterSize}, this one ${this.clusterSize}`);
    }
    return {
      proof: hmac(this.secret, LABEL_INITIATOR_PROOF, transcript),
      keys: { send: hmac(this.secret, LABEL_KEY_I2R, transcript), receive: hmac(this.secret, LABEL_KEY_R2I, transcript) },
      responder,
    };
  }
}

/** The accepting side: server `me` of a cluster of `clusterSize`. */
export class ResponderHandshake {
  private transcript: Buffer | null = null;

  constructor(
    private readonly secret: Buffer,
    private readonly me: ServerId,
    private readonly clusterSize: number,
    private readonly acceptClients: boolean,
    private readonly clusterId = '',
    private readonly nonce: Buffer = randomBytes(NONCE_BYTES),
  ) {
    checkedClusterId(clusterId);
  }

  /** Checks HELLO; returns who claims to be calling and the CHALLENGE frame to send. Throws WireError('auth'). */
  onHello(frame: Buffer): { initiator: Identity; challenge: Buffer } {
    checkLength(frame, HELLO_BYTES, 'HELLO');
    if (frame.toString('latin1', 0, 4) !== HANDSHAKE_MAGIC) throw authError('HELLO has the wrong magic (not a pure-raft peer)');
    const version = frame.readUInt8(4);
    if (version !== HANDSHAKE_VERSION) throw authError(`HELLO is version ${version}, this server speaks ${HANDSHAKE_VERSION}`);
    const initiator = this.claimedIdentity(frame);
    const head = Buffer.alloc(CHALLENGE_HEAD_BYTES);
    head.writeUInt32BE(this.me, 0);
    head.writeUInt32BE(this.clusterSize, 4);
    writeClusterId(head, 8, this.clusterId);
    this.nonce.copy(head, 8 + CLUSTER_ID_FIELD_BYTES);
    this.transcript = Buffer.concat([frame, head]);
    return { initiator, challenge: Buffer.concat([head, hmac(this.secret, LABEL_RESPONDER_PROOF, this.transcript)]) };
  }

  /** Checks PROOF; returns the session. Throws WireError('auth'). */
  onProof(frame: Buffer): SessionKeys {
    if (this.transcript === null) throw authError('PROOF before HELLO');
    checkLength(frame, PROOF_BYTES, 'PROOF');
    if (!sameProof(hmac(this.secret, LABEL_INITIATOR_PROOF, this.transcript), frame)) {
      throw authError('the proof does not verify (wrong secret?)');
    }
    return { send: hmac(this.secret, LABEL_KEY_R2I, this.transcript), receive: hmac(this.secret, LABEL_KEY_I2R, this.transcript) };
  }

  private claimedIdentity(hello: Buffer): Identity {
    const role = hello.readUInt8(5);
    const id = hello.readUInt32BE(6);
    const target = hello.readUInt32BE(10);
    const clusterSize = hello.readUInt32BE(14);
    const clusterId = readClusterId(hello, 18, 'HELLO');
    if (role === ROLE_CLIENT) {
      if (!this.acceptClients) throw authError('a client, and this server takes no clients');
      if (id !== NO_ID || target !== NO_ID || clusterSize !== 0) throw authError('a client HELLO with a server\'s fields');
      if (clusterId !== '' && clusterId !== this.clusterId) throw authError(`a client of cluster ${clusterId}, this node is in cluster ${named(this.clusterId)}`);
      return { role: 'client' };
    }
    if (role !== ROLE_PEER) throw authError(`HELLO has unknown role ${role}`);
    // Before the other checks: another cluster's server is told apart from a misconfigured one.
    if (clusterId !== this.clusterId) throw authError(`peer ${id} is from cluster ${named(clusterId)}, this node is in cluster ${named(this.clusterId)}`);
    if (clusterSize !== this.clusterSize) throw authError(`peer claims cluster size ${clusterSize}, this one is ${this.clusterSize}`);
    if (id >= this.clusterSize || id === this.me) throw authError(`peer claims id ${id}, not another server of 0..${this.clusterSize - 1}`);
    if (target !== this.me) throw authError(`peer ${id} meant server ${target}, this is ${this.me}`);
    return { role: 'peer', id };
  }
}
