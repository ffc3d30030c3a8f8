// A work tree's full state as a tree object, and back: what `gt hook snapshot` saves and `gt hook rollback` restores.
// Neither touches the work tree's own index or HEAD.
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { git, gitTry } from './git.ts';

/** The tree of everything in the work tree (what `git add -A` would stage), via a throwaway copy of its index. */
export function worktreeTree(worktree: string): string {
  const index = resolve(worktree, git(worktree, ['rev-parse', '--git-path', 'index']).trim());
  const tmp = join(
    resolve(worktree, git(worktree, ['rev-parse', '--git-dir']).trim()),
    `gt-snapshot-${process.pid}-${Date.now()}.index`,
  );
  try {
    if (existsSync(index)) copyFileSync(index, tmp);
    const env = { GIT_INDEX_FILE: tmp };
    git(worktree, ['add', '-A', '--', '.'], { env });
    return git(worktree, ['write-tree'], { env }).trim();
  } finally {
    rmSync(tmp, { force: true });
  }
}

/**
 * Put the files of `commit`'s tree in the work tree, removing other files git does not ignore, then reset the index
 * to HEAD: HEAD does not move, so the applied state shows as uncommitted changes.
 */
export function applyTree(worktree: string, commit: string): void {
  const wanted = new Set(git(worktree, ['ls-tree', '-r', '-z', '--name-only', commit]).split('\0').filter(Boolean));
  git(worktree, ['read-tree', '--reset', '-u', `${commit}^{tree}`]);
  for (const f of git(worktree, ['ls-files', '--others', '--exclude-standard', '-z']).split('\0').filter(Boolean)) {
    if (!wanted.has(f)) rmSync(join(worktree, f), { force: true });
  }
  if (gitTry(worktree, ['rev-parse', '--verify', '--quiet', 'HEAD']).status === 0) git(worktree, ['reset', '--quiet']);
}
