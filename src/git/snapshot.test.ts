// A work tree's state as a tree and back, against a real repository: untracked and modified files are in the tree,
// the index and status are untouched, and applying a tree restores its files and removes extras but not ignored ones.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { git } from './git.ts';
import { applyTree, worktreeTree } from './snapshot.ts';

const base = mkdtempSync(join(tmpdir(), 'git snapshot '));
afterAll(() => rmSync(base, { recursive: true, force: true }));
const env = {
  GIT_AUTHOR_NAME: 'A',
  GIT_AUTHOR_EMAIL: 'a@example.com',
  GIT_COMMITTER_NAME: 'A',
  GIT_COMMITTER_EMAIL: 'a@example.com',
};

describe('work tree snapshots', () => {
  it('saves uncommitted and untracked files without touching the index, and puts them back over later changes', () => {
    const dir = join(base, 'work tree');
    git(base, ['init', '-q', '-b', 'main', dir]);
    writeFileSync(join(dir, 'a.txt'), 'a\n');
    writeFileSync(join(dir, '.gitignore'), 'build/\n');
    git(dir, ['add', '-A']);
    git(dir, ['-c', 'commit.gpgsign=false', 'commit', '-q', '-m', 'first'], { env });

    writeFileSync(join(dir, 'a.txt'), 'a changed\n');
    writeFileSync(join(dir, 'new file.txt'), 'new\n');
    const status = git(dir, ['status', '--porcelain']);
    const tree = worktreeTree(dir);
    expect(git(dir, ['status', '--porcelain'])).toBe(status);
    expect(git(dir, ['ls-tree', '--name-only', tree]).trim().split('\n')).toEqual([
      '.gitignore',
      'a.txt',
      'new file.txt',
    ]);
    expect(git(dir, ['cat-file', 'blob', `${tree}:a.txt`])).toBe('a changed\n');

    const snap = git(dir, ['commit-tree', tree, '-p', 'HEAD', '-m', 'snapshot'], { env }).trim();
    writeFileSync(join(dir, 'a.txt'), 'lost?\n');
    rmSync(join(dir, 'new file.txt'));
    writeFileSync(join(dir, 'stray.txt'), 'x\n');
    mkdirSync(join(dir, 'build'));
    writeFileSync(join(dir, 'build', 'out.bin'), 'keep\n');
    applyTree(dir, snap);
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('a changed\n');
    expect(readFileSync(join(dir, 'new file.txt'), 'utf8')).toBe('new\n');
    expect(existsSync(join(dir, 'stray.txt'))).toBe(false);
    expect(readFileSync(join(dir, 'build', 'out.bin'), 'utf8')).toBe('keep\n');
    expect(git(dir, ['rev-parse', 'HEAD']).trim()).toBe(git(dir, ['rev-parse', `${snap}^`]).trim());
    expect(git(dir, ['status', '--porcelain', '-z']).split('\0').filter(Boolean).sort()).toEqual([
      ' M a.txt',
      '?? new file.txt',
    ]);
  });
});
