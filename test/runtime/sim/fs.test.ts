import { describe, expect, test } from 'vitest';
import { seededRandom } from '../../../src/runtime/index.js';
import { SimFs } from '../../../src/runtime/sim/fs.js';

const text = (b: Buffer) => b.toString('latin1');

/** A file `/d/f` created, its name made durable, holding `base` durably. */
async function withFile(fs: SimFs, base: string) {
  await fs.mkdir('/d');
  const h = await fs.open('/d/f', 'w');
  await h.write(Buffer.from(base), 0, base.length, 0);
  await h.sync();
  const dir = await fs.open('/d', 'r');
  await dir.sync();
  return h;
}

describe('SimFs', () => {
  test('reads see writes at once; fsync\'d bytes survive every crash', async () => {
    for (let seed = 1; seed <= 50; seed++) {
      const fs = new SimFs(seededRandom(seed));
      const h = await withFile(fs, 'durable');
      await h.write(Buffer.from('XY'), 0, 2, 7);
      expect(text(await fs.readFile('/d/f'))).toBe('durableXY');
      fs.crash();
      expect(text(await fs.readFile('/d/f')).startsWith('durable')).toBe(true);
    }
  });

  test('unsynced writes may be lost, torn, or land out of order, chosen by the seed', async () => {
    const outcomes = new Set<string>();
    for (let seed = 1; seed <= 200; seed++) {
      const fs = new SimFs(seededRandom(seed));
      const h = await withFile(fs, '');
      await h.write(Buffer.from('aaaa'), 0, 4, 0);
      await h.write(Buffer.from('bbbb'), 0, 4, 4);
      fs.crash();
      outcomes.add(text(await fs.readFile('/d/f')).replace(/\0/g, '.'));
    }
    expect(outcomes).toContain(''); // both lost
    expect(outcomes).toContain('aaaabbbb'); // both whole
    expect(outcomes).toContain('....bbbb'); // the later write without the earlier one
    expect([...outcomes].some((o) => /^a{1,3}$/.test(o))).toBe(true); // the first one torn mid-way
    expect(outcomes.size).toBeGreaterThan(6);
  });

  test('a created or renamed name not made durable by a directory fsync may be lost; with it, it stays', async () => {
    const seen = new Set<string>();
    for (let seed = 1; seed <= 60; seed++) {
      const fs = new SimFs(seededRandom(seed));
      await withFile(fs, 'old');
      const t = await fs.open('/d/t', 'w');
      await t.write(Buffer.from('new'), 0, 3, 0);
      await t.sync();
      await fs.rename('/d/t', '/d/f');
      expect(text(await fs.readFile('/d/f'))).toBe('new');
      fs.crash();
      const now = text(await fs.readFile('/d/f'));
      seen.add(`${now} ${await fs.exists('/d/t')}`);
      expect(['old', 'new']).toContain(now); // the rename is atomic: one or the other, never neither
    }
    expect(seen).toEqual(new Set(['old false', 'old true', 'new false']));

    const fs = new SimFs(seededRandom(1));
    await withFile(fs, 'old');
    const t = await fs.open('/d/t', 'w');
    await t.write(Buffer.from('new'), 0, 3, 0);
    await t.sync();
    await fs.rename('/d/t', '/d/f');
    await (await fs.open('/d', 'r')).sync();
    fs.crash();
    expect(text(await fs.readFile('/d/f'))).toBe('new');
  });

  test('after a crash, handles and process views from before it fail with EIO', async () => {
    const fs = new SimFs(seededRandom(3));
    const view = fs.process();
    await view.mkdir('/d');
    const h = await view.open('/d/f', 'w');
    fs.crash();
    await expect(h.write(Buffer.from('x'), 0, 1, 0)).rejects.toMatchObject({ code: 'EIO' });
    await expect(view.readFile('/d/f')).rejects.toMatchObject({ code: 'EIO' });
    expect(await fs.process().exists('/d/f')).toBe(false); // its creation was never made durable
  });

  test('crashAfter(n) crashes at the n-th mutating operation, instead of it', async () => {
    const fs = new SimFs(seededRandom(4), { keep: 1, tear: 0 });
    const h = await withFile(fs, '');
    fs.crashAfter(3);
    await h.write(Buffer.from('1'), 0, 1, 0);
    await h.sync();
    await expect(h.write(Buffer.from('2'), 0, 1, 1)).rejects.toMatchObject({ code: 'EIO' });
    expect(fs.stats.crashes).toBe(1);
    expect(text(await fs.readFile('/d/f'))).toBe('1');
  });

  test('flipBit changes one durable bit; the same seed replays the same crash', async () => {
    const run = async (seed: number) => {
      const fs = new SimFs(seededRandom(seed));
      const h = await withFile(fs, 'abc');
      fs.flipBit('/d/f', 1, 0);
      for (let i = 0; i < 8; i++) await h.write(Buffer.from(`w${i}`), 0, 2, 3 + 2 * i);
      fs.crash();
      return text(await fs.readFile('/d/f'));
    };
    expect((await run(9)).slice(0, 3)).toBe('acc');
    expect(await run(9)).toBe(await run(9));
    const distinct = new Set(await Promise.all([1, 2, 3, 4, 5, 6].map(run)));
    expect(distinct.size).toBeGreaterThan(1);
  });
});
