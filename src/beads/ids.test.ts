// Id generation: base36 shape, determinism, growth with the number of beads, prefixes.
import { describe, expect, it } from 'vitest';
import { hashId, idLengthFor, newUid, parentOfChildId, prefixFromName, validatePrefix } from './ids.ts';

describe('ids', () => {
  const input = {
    title: 'Fix login',
    description: '',
    creator: 'alice',
    createdAtNs: 1_700_000_000_000_000_000n,
    nonce: 0,
  };

  it('is deterministic base36 of the requested length, and changes with the nonce', () => {
    for (let len = 3; len <= 8; len++) {
      const id = hashId(input, len);
      expect(id).toMatch(new RegExp(`^[0-9a-z]{${len}}$`));
      expect(hashId(input, len)).toBe(id);
    }
    expect(hashId({ ...input, nonce: 1 }, 6)).not.toBe(hashId(input, 6));
  });

  it('grows the length as the store fills so collisions stay rare', () => {
    expect(idLengthFor(0)).toBe(3);
    expect(idLengthFor(150)).toBe(3);
    expect(idLengthFor(500)).toBe(4);
    expect(idLengthFor(2_000)).toBe(5);
    expect(idLengthFor(20_000)).toBe(6);
    expect(idLengthFor(1_000_000)).toBe(8);
  });

  it('derives and validates prefixes', () => {
    expect(prefixFromName('My Repo!')).toBe('myrepo');
    expect(prefixFromName('123')).toBe('bd');
    expect(() => validatePrefix('has space')).toThrow(/invalid prefix/);
    expect(validatePrefix('Web')).toBe('web');
  });

  it('knows the parent of a child id', () => {
    expect(parentOfChildId('bd-a1b.2')).toBe('bd-a1b');
    expect(parentOfChildId('bd-a1b.2.10')).toBe('bd-a1b.2');
    expect(parentOfChildId('bd-a1b')).toBeUndefined();
  });
});

describe('hash spread', () => {
  it('gives distinct 6-character ids for 20,000 nearby inputs with at most a handful of collisions', async () => {
    const { hashId } = await import('./ids.ts');
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++)
      seen.add(
        hashId({ title: `Item ${i}`, description: '', creator: 'a', createdAtNs: 1_000_000n + BigInt(i), nonce: 0 }, 6),
      );
    expect(seen.size).toBeGreaterThan(19_990);
  });
});

describe('newUid', () => {
  it('is always 13 base36 characters (no sign, whatever the random halves)', () => {
    for (let i = 0; i < 5000; i++) expect(newUid()).toMatch(/^[0-9a-z]{13}$/);
  });
});
