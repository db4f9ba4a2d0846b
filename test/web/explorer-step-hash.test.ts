import { describe, expect, it } from 'vitest';
import { explorerUrl } from '../../model/cli/violation.js';
import { stepFromHash } from '../../web/explorer/step-hash.js';

describe('the explorer opens at the step its address names', () => {
  it('the address the CLI prints names the breaking step, and the page reads that step from it', () => {
    const url = new URL(explorerUrl('/tmp/run/index.html', 10));
    expect(url.href).toBe('file:///tmp/run/index.html#step=10');
    expect(stepFromHash(url.hash, 10)).toBe(10);
  });

  it('a step past the end is the last step; an address without one names none', () => {
    expect(stepFromHash('#step=99', 10)).toBe(10);
    expect(stepFromHash('#x=1&step=3', 10)).toBe(3);
    expect(stepFromHash('', 10)).toBeNull();
    expect(stepFromHash('#stepx=3', 10)).toBeNull();
    expect(explorerUrl('/tmp/run/index.html', null)).toBe('file:///tmp/run/index.html');
  });
});
