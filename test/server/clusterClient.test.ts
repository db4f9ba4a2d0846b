import { describe, expect, test } from 'vitest';
import { MAX_COMMAND_BYTES } from '../../src/server/clientApi.js';
import { ClusterClient } from '../../src/server/clusterClient.js';

describe('ClusterClient without a cluster', () => {
  test('a command past the limits is refused before anything is sent (never batched with others)', async () => {
    // Port 1 on loopback: nothing listens; a refused command never gets as far as connecting.
    const client = new ClusterClient(['127.0.0.1:1'], 'a-cluster-secret-of-enough-bytes');
    const outcome = await client.submit('x'.repeat(MAX_COMMAND_BYTES), 1_000);
    expect(outcome).toEqual({ committed: false, fate: 'refused', server: 0, attempts: 0, reason: `a command is ${MAX_COMMAND_BYTES + 2} bytes of JSON, more than ${MAX_COMMAND_BYTES}` });
    expect(await client.submit(undefined, 1_000)).toMatchObject({ fate: 'refused', reason: 'a command is a JSON value' });
    client.close();
  });
});
