/**
 * The step a page address names: `#step=N` (as `npm run check` prints the explorer's address,
 * at the breaking step), clamped to the trace's last step; null when the address names none.
 */
export function stepFromHash(hash: string, max: number): number | null {
  const m = /(?:^#|&)step=(\d+)/.exec(hash);
  return m ? Math.min(max, Number(m[1])) : null;
}
