// Branches of a repository and its work trees: start one in a work tree, delete one (forced, merged-only, or only
// while it still points where the caller saw it).
import { git, gitTry } from './git.ts';
import { revParse } from './integrate.ts';
import { listWorktrees, type WorktreeEntry } from './worktree.ts';

/** Put the work tree `wt` on `branch`, (re)starting it at `start` (`git checkout -B`): untracked files stay. */
export function switchToNewBranch(wt: string, branch: string, start: string): void {
  git(wt, ['checkout', '--quiet', '-B', branch, start]);
}

/**
 * Delete `branch`; without `force` git refuses while it holds commits not merged into HEAD or its upstream.
 * True when it was deleted.
 */
export function deleteBranch(repo: string, branch: string, opts: { force?: boolean } = {}): boolean {
  return gitTry(repo, ['branch', opts.force ? '-D' : '-d', branch]).status === 0;
}

/** A deleted branch, or why it was kept: checked out in the work tree `at`, or moved on to the commit `at`. */
export type BranchDeletion = { deleted: true } | { deleted: false; kept: 'checked-out' | 'moved-on'; at: string };

/**
 * Delete `branch` only while it points at `head` (the commit that landed); kept, with the reason, when it moved on
 * or a work tree has it checked out. A clean work tree still at `head` on it is detached there first (no file
 * changes), so an idle checkout does not keep a landed branch alive.
 */
export function deleteBranchAt(
  repo: string,
  branch: string,
  head: string,
  worktrees: readonly WorktreeEntry[] = listWorktrees(repo),
): BranchDeletion {
  const holder = worktrees.find((w) => w.branch === branch);
  if (holder) {
    const clean = gitTry(holder.path, ['status', '--porcelain']).stdout.trim() === '';
    if (!clean || holder.head !== head || gitTry(holder.path, ['checkout', '--quiet', '--detach']).status !== 0) {
      return { deleted: false, kept: 'checked-out', at: holder.path };
    }
  }
  const r = gitTry(repo, ['update-ref', '-d', `refs/heads/${branch}`, head]);
  if (r.status === 0) return { deleted: true };
  const now = revParse(repo, `refs/heads/${branch}`);
  return now ? { deleted: false, kept: 'moved-on', at: now } : { deleted: true };
}
