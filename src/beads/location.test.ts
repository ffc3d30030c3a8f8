// Store location rules: BEADS_DIR, GT_ROOT, the enclosing town, the nearest standalone store.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findBeadsDir } from './location.ts';

describe('findBeadsDir', () => {
  const base = mkdtempSync(join(tmpdir(), 'bd loc '));
  afterEach(() => rmSync(base, { recursive: true, force: true }));

  it('uses the town store from anywhere inside a town, even where a rig has its own .beads', () => {
    const town = join(base, 'town');
    const deep = join(town, 'rig', 'polecats', 'nux');
    mkdirSync(join(town, 'rig', '.beads'), { recursive: true });
    writeFileSync(join(town, 'rig', '.beads', 'config.toml'), 'prefix = "rig"\n');
    mkdirSync(deep, { recursive: true });
    writeFileSync(join(town, 'town.json'), '{}');
    expect(findBeadsDir(deep, {})).toEqual({ dir: join(town, '.beads'), root: town, kind: 'town' });
  });

  it('finds the nearest standalone store, and honours BEADS_DIR and GT_ROOT first', () => {
    const repo = join(base, 'repo');
    mkdirSync(join(repo, '.beads'), { recursive: true });
    mkdirSync(join(repo, 'src', 'lib'), { recursive: true });
    writeFileSync(join(repo, '.beads', 'config.toml'), 'prefix = "r"\n');
    expect(findBeadsDir(join(repo, 'src', 'lib'), {})?.dir).toBe(join(repo, '.beads'));
    expect(findBeadsDir(repo, { BEADS_DIR: '/elsewhere/.beads' })).toMatchObject({
      dir: '/elsewhere/.beads',
      kind: 'env',
    });
    expect(findBeadsDir(repo, { GT_ROOT: '/town' })).toMatchObject({ dir: '/town/.beads', kind: 'town' });
  });

  it('returns nothing where there is no store', () => {
    const empty = join(base, 'empty');
    mkdirSync(empty, { recursive: true });
    expect(findBeadsDir(empty, {})).toBeUndefined();
  });
});
