// The polecat name pool: order, reuse of freed names, numbering past the pool.
import { describe, expect, it } from 'vitest';
import { nextPolecatName, POLECAT_NAMES, polecatBranch } from './names.ts';

describe('polecat names', () => {
  it('hands out the Mad Max pool in order and reuses a freed name first', () => {
    expect(POLECAT_NAMES.slice(0, 3)).toEqual(['furiosa', 'nux', 'slit']);
    expect(new Set(POLECAT_NAMES).size).toBe(POLECAT_NAMES.length);
    expect(nextPolecatName(new Set())).toBe('furiosa');
    expect(nextPolecatName(new Set(['furiosa', 'slit']))).toBe('nux');
  });

  it('numbers names once the pool is used up', () => {
    const all = new Set(POLECAT_NAMES);
    expect(nextPolecatName(all)).toBe(`polecat-${POLECAT_NAMES.length + 1}`);
    all.add(`polecat-${POLECAT_NAMES.length + 1}`);
    expect(nextPolecatName(all)).toBe(`polecat-${POLECAT_NAMES.length + 2}`);
    expect(polecatBranch('nux', 'app-x1')).toBe('polecat/nux/app-x1');
  });
});
