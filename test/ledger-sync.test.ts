// The ledger travels through git: a fresh clone rebuilds its database, a pull brings others' changes in.
import { readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bdJson, git, tempStore } from './support/bd.ts';

interface B {
  id: string;
  title: string;
  status: string;
}

describe('ledger sync through git', () => {
  let cleanup = (): void => {};
  afterEach(() => cleanup());

  it('rebuilds the database in a fresh clone and imports what a pull brings', () => {
    const t = tempStore('app');
    cleanup = t.cleanup;
    const a = bdJson<B>(t.dir, ['create', 'Shared work']);
    git(t.dir, ['add', '-A']);
    git(t.dir, ['commit', '-qm', 'beads']);
    const clone = join(dirname(t.dir), 'clone');
    git(dirname(t.dir), ['clone', '-q', t.dir, clone]);
    git(clone, ['config', 'user.name', 'Clone User']);
    git(clone, ['config', 'user.email', 'clone@example.com']);
    expect(existsSync(join(clone, '.beads', 'beads.db'))).toBe(false);
    expect(bdJson<B[]>(clone, ['list']).map((b) => b.id)).toEqual([a.id]);
    expect(git(clone, ['config', 'merge.beads.driver'])).toContain('merge-driver %O %A %B');

    bdJson(t.dir, ['close', a.id, '--reason', 'shipped']);
    const b = bdJson<B>(t.dir, ['create', 'Follow-up']);
    git(t.dir, ['commit', '-qam', 'more beads']);
    git(clone, ['pull', '-q', '--no-rebase']);
    const all = bdJson<B[]>(clone, ['list', '--all']);
    expect(all.map((x) => [x.id, x.status]).sort()).toEqual(
      [
        [a.id, 'closed'],
        [b.id, 'open'],
      ].sort(),
    );
  });

  it('imports a hand edit of the ledger, and restores a deleted ledger from the database', () => {
    const t = tempStore('app');
    cleanup = t.cleanup;
    const a = bdJson<B>(t.dir, ['create', 'Original title']);
    const ledger = join(t.dir, '.beads', 'issues.jsonl');
    writeFileSync(ledger, readFileSync(ledger, 'utf8').replace('Original title', 'Edited by hand'));
    expect(bdJson<B[]>(t.dir, ['show', a.id])[0]!.title).toBe('Edited by hand');
    rmSync(ledger);
    expect(bdJson<B[]>(t.dir, ['list']).map((x) => x.title)).toEqual(['Edited by hand']);
    expect(readFileSync(ledger, 'utf8')).toContain('Edited by hand');
  });
});

describe('branches', () => {
  it('keeps a bead made on a branch out of main, and brings it back with the branch', () => {
    const t = tempStore('demo');
    try {
      bdJson(t.dir, ['create', 'On main']);
      git(t.dir, ['add', '-A']);
      git(t.dir, ['commit', '-qm', 'base']);
      git(t.dir, ['checkout', '-qb', 'feat']);
      const f = bdJson<B>(t.dir, ['create', 'Only on feat']);
      git(t.dir, ['commit', '-qam', 'feat']);
      git(t.dir, ['checkout', '-q', 'main']);
      expect(bdJson<B[]>(t.dir, ['list']).map((b) => b.title)).toEqual(['On main']);
      expect(git(t.dir, ['status', '--porcelain'])).toBe('');
      const doctor = bdJson<{ checks: { name: string; detail: string }[] }>(t.dir, ['doctor']);
      expect(doctor.checks.find((c) => c.name === 'shelved')?.detail).toMatch(/^1 bead/);
      git(t.dir, ['checkout', '-q', 'feat']);
      expect(bdJson<B[]>(t.dir, ['show', f.id])[0]!.title).toBe('Only on feat');
      expect(git(t.dir, ['status', '--porcelain'])).toBe('');
    } finally {
      t.cleanup();
    }
  });
});
