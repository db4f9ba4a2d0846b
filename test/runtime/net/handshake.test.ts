import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import {
  FrameOpener, FrameSealer, InitiatorHandshake, ResponderHandshake, secretBytes, WireError, type Identity,
} from '../../../src/runtime/net/index.js';
import { HANDSHAKE_VERSION } from '../../../src/runtime/net/handshake.js';

const secret = secretBytes('cluster secret');
const other = secretBytes('another secret');

function handshake(initiatorSecret: Buffer, responderSecret: Buffer, me: Identity = { role: 'peer', id: 1 }) {
  const initiator = new InitiatorHandshake(initiatorSecret, me, me.role === 'peer' ? 0 : null, 3);
  const responder = new ResponderHandshake(responderSecret, 0, 3, true);
  const { initiator: claimed, challenge } = responder.onHello(initiator.hello());
  return { initiator, responder, claimed, challenge };
}

function authFailure(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof WireError && error.kind === 'auth') return error.message;
    throw error;
  }
  throw new Error('accepted');
}

describe('handshake', () => {
  test('with one secret both sides agree on the identity and on one key per direction', () => {
    const { initiator, responder, claimed, challenge } = handshake(secret, secret);
    expect(claimed).toEqual({ role: 'peer', id: 1 });
    const { proof, keys, responder: info } = initiator.onChallenge(challenge);
    expect(info).toEqual({ id: 0, clusterSize: 3, clusterId: '' });
    const responderKeys = responder.onProof(proof);
    expect(responderKeys.receive.equals(keys.send)).toBe(true);
    expect(responderKeys.send.equals(keys.receive)).toBe(true);
    expect(keys.send.equals(keys.receive)).toBe(false);
  });

  test('a client has a role of its own', () => {
    const { initiator, responder, claimed, challenge } = handshake(secret, secret, { role: 'client' });
    expect(claimed).toEqual({ role: 'client' });
    expect(() => responder.onProof(initiator.onChallenge(challenge).proof)).not.toThrow();
    const refusing = new ResponderHandshake(secret, 0, 3, false);
    expect(authFailure(() => refusing.onHello(new InitiatorHandshake(secret, { role: 'client' }, null, 0).hello()))).toMatch(/takes no clients/);
  });

  test('an initiator with another secret refuses the server\'s proof, and sends none of its own', () => {
    const { initiator, challenge } = handshake(other, secret);
    expect(authFailure(() => initiator.onChallenge(challenge))).toMatch(/server's proof does not verify/);
  });

  test('a proof not made with the secret over this session\'s nonces is refused', () => {
    const { responder } = handshake(secret, secret);
    expect(authFailure(() => responder.onProof(randomBytes(32)))).toMatch(/proof does not verify/);
    // A proof recorded from an earlier session with the same HELLO is useless: the server's nonce is new.
    const nonce = randomBytes(32);
    const first = new InitiatorHandshake(secret, { role: 'peer', id: 1 }, 0, 3, '', nonce);
    const recorded = first.onChallenge(new ResponderHandshake(secret, 0, 3, false).onHello(first.hello()).challenge).proof;
    const replayTarget = new ResponderHandshake(secret, 0, 3, false);
    replayTarget.onHello(new InitiatorHandshake(secret, { role: 'peer', id: 1 }, 0, 3, '', nonce).hello());
    expect(authFailure(() => replayTarget.onProof(recorded))).toMatch(/proof does not verify/);
  });

  test('a HELLO that does not fit this cluster is refused before any proof', () => {
    const responder = () => new ResponderHandshake(secret, 0, 3, false);
    const hello = (id: number, target: number, size: number) => new InitiatorHandshake(secret, { role: 'peer', id }, target, size).hello();
    expect(authFailure(() => responder().onHello(hello(1, 0, 5)))).toMatch(/cluster size 5, this one is 3/);
    expect(authFailure(() => responder().onHello(hello(3, 0, 3)))).toMatch(/claims id 3, not another server/);
    expect(authFailure(() => responder().onHello(hello(0, 0, 3)))).toMatch(/claims id 0, not another server/);
    expect(authFailure(() => responder().onHello(hello(1, 2, 3)))).toMatch(/meant server 2, this is 0/);
    const wrongMagic = Buffer.from(hello(1, 0, 3));
    wrongMagic.write('HTTP', 0, 'latin1');
    expect(authFailure(() => responder().onHello(wrongMagic))).toMatch(/wrong magic/);
    expect(authFailure(() => responder().onHello(hello(1, 0, 3).subarray(1)))).toMatch(/HELLO is 114 bytes, expected 115/);
  });
});

describe('handshake: the cluster id', () => {
  const peerHello = (clusterId: string) => new InitiatorHandshake(secret, { role: 'peer', id: 1 }, 0, 3, clusterId).hello();

  test('a peer of another cluster that shares the secret is refused by name, before any proof', () => {
    const responder = new ResponderHandshake(secret, 0, 3, false, 'blue');
    expect(authFailure(() => responder.onHello(peerHello('green')))).toBe('auth: handshake: peer 1 is from cluster green, this node is in cluster blue');
    expect(authFailure(() => new ResponderHandshake(secret, 0, 3, false, 'blue').onHello(peerHello('')))).toMatch(/peer 1 is from cluster \(none\), this node is in cluster blue/);
  });

  test('the initiator checks the responder\'s cluster id too, once its proof verifies', () => {
    const initiator = new InitiatorHandshake(secret, { role: 'peer', id: 1 }, 0, 3, 'green');
    // A responder of cluster blue that answers anyway (one that does not check), written out by hand.
    const head = Buffer.alloc(4 + 4 + 65 + 32);
    head.writeUInt32BE(0, 0);
    head.writeUInt32BE(3, 4);
    head.writeUInt8(4, 8);
    head.write('blue', 9, 'latin1');
    randomBytes(32).copy(head, 73);
    const proof = createHmac('sha256', secret).update(`pure-raft/${HANDSHAKE_VERSION} responder proof\0`).update(initiator.hello()).update(head).digest();
    expect(authFailure(() => initiator.onChallenge(Buffer.concat([head, proof])))).toBe('auth: handshake: server 0 is in cluster blue, this node is in cluster green');
  });

  test('the cluster id is bound into the proofs: a HELLO whose cluster id was altered in flight fails', () => {
    const initiator = new InitiatorHandshake(secret, { role: 'peer', id: 1 }, 0, 3, 'blue');
    const altered = Buffer.from(initiator.hello());
    altered.write('blux', 19, 'latin1');
    const responder = new ResponderHandshake(secret, 0, 3, false, 'blux');
    const { challenge } = responder.onHello(altered);
    expect(authFailure(() => initiator.onChallenge(challenge))).toMatch(/server's proof does not verify/);
  });

  test('a client without a cluster id takes any cluster; one with an id takes only that one', () => {
    const responder = () => new ResponderHandshake(secret, 0, 3, true, 'blue');
    const any = new InitiatorHandshake(secret, { role: 'client' }, null, 0);
    const { challenge } = responder().onHello(any.hello());
    expect(any.onChallenge(challenge).responder.clusterId).toBe('blue');
    expect(authFailure(() => responder().onHello(new InitiatorHandshake(secret, { role: 'client' }, null, 0, 'green').hello()))).toMatch(/a client of cluster green, this node is in cluster blue/);
  });

  test('a cluster id out of the grammar is refused where it is given, and in a HELLO without being quoted', () => {
    expect(() => new InitiatorHandshake(secret, { role: 'peer', id: 1 }, 0, 3, 'has space')).toThrow(/may hold only letters/);
    expect(() => new ResponderHandshake(secret, 0, 3, false, 'x'.repeat(65))).toThrow(/longer than 64/);
    const hello = Buffer.from(peerHello('blue'));
    hello.write('\n\x1b[', 19, 'latin1');
    expect(authFailure(() => new ResponderHandshake(secret, 0, 3, false, 'blue').onHello(hello))).toBe('auth: handshake: HELLO has a malformed cluster id');
  });
});

describe('frame tags', () => {
  const key = randomBytes(32);
  const sealed = (sealer: FrameSealer, text: string) => {
    const payload = Buffer.from(text);
    return Buffer.concat([payload, sealer.seal(payload)]);
  };

  test('frames open in order, 16 bytes of tag each', () => {
    const sealer = new FrameSealer(key);
    const opener = new FrameOpener(key);
    const a = sealed(sealer, 'a');
    expect(a.length).toBe(17);
    expect(opener.open(a).toString()).toBe('a');
    expect(opener.open(sealed(sealer, 'b')).toString()).toBe('b');
  });

  test('a replayed, reordered, altered or foreign frame fails its tag', () => {
    const sealer = new FrameSealer(key);
    const [f0, f1] = [sealed(sealer, 'zero'), sealed(sealer, 'one')];
    const replay = new FrameOpener(key);
    replay.open(f0);
    expect(() => replay.open(f0)).toThrow(/frame 1 fails its tag/);
    expect(() => new FrameOpener(key).open(f1)).toThrow(/frame 0 fails its tag/);
    const altered = Buffer.from(f0);
    altered[0] = altered[0]! ^ 1;
    expect(() => new FrameOpener(key).open(altered)).toThrow(WireError);
    expect(() => new FrameOpener(randomBytes(32)).open(f0)).toThrow(WireError);
    expect(() => new FrameOpener(key).open(Buffer.alloc(15))).toThrow(/shorter than its tag/);
  });
});
