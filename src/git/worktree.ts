// Work trees: linked worktrees of a bare repository, and what a work tree holds that exists nowhere else.
import { existsSync, rmSync } from 'node:fs';
import { GtError } from '../kernel/index.ts';
import { git, gitTry } from './git.ts';

/**
 * Check out `branch` of `repo` in a new linked worktree at `path`. `newBranch` starts it from `startPoint`;
 * `resetBranch` does too, moving an existing branch there (`-B`). A concurrent process holding one of git's lock
 * files is waited out (a few short retries); other failures throw GIT_FAILED with git's reason.
 */
export function addWorktree(
  repo: string,
  path: string,
  branch: string,
  opts: { newBranch?: boolean; resetBranch?: boolean; startPoint?: string } = {},
): void {
  const args =
    opts.newBranch || opts.resetBranch
      ? ['worktree', 'add', '--quiet', opts.resetBranch ? '-B' : '-b', branch, path, opts.startPoint ?? 'HEAD']
      : ['worktree', 'add', '--quiet', path, branch];
  for (let attempt = 1; ; attempt++) {
    const r = gitTry(repo, args);
    if (r.status === 0) return;
    if (attempt >= 5 || !/lock|already exists/i.test(r.stderr))
      throw new GtError('GIT_FAILED', `git worktree add ${path} failed: ${r.stderr.trim()}`);
    // "already exists" can be a stale entry of a deleted directory: forget those before the next try.
    if (/already exists/.test(r.stderr)) pruneWorktrees(repo);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20 * attempt);
  }
}

/**
 * Check out `rev` in the work tree `wt` without discarding anything (git refuses when local changes would be
 * overwritten): a branch name attaches it, `{ detach: true }` leaves HEAD detached at the current commit.
 * False when git refused.
 */
export function checkoutRev(wt: string, rev: string | { detach: true }): boolean {
  return gitTry(wt, ['checkout', '--quiet', ...(typeof rev === 'string' ? [rev] : ['--detach'])]).status === 0;
}

export interface WorktreeEntry {
  path: string;
  head: string | undefined;
  branch: string | undefined;
  bare: boolean;
  /** Its directory is gone: git lists it until `git worktree prune`. */
  prunable: boolean;
}

/** `git worktree list --porcelain`, parsed. */
export function listWorktrees(repo: string): WorktreeEntry[] {
  const out: WorktreeEntry[] = [];
  for (const block of git(repo, ['worktree', 'list', '--porcelain']).split('\n\n')) {
    const lines = block.split('\n').filter(Boolean);
    const path = lines.find((l) => l.startsWith('worktree '))?.slice(9);
    if (!path) continue;
    out.push({
      path,
      head: lines.find((l) => l.startsWith('HEAD '))?.slice(5),
      branch: lines
        .find((l) => l.startsWith('branch '))
        ?.slice(7)
        .replace(/^refs\/heads\//, ''),
      bare: lines.includes('bare'),
      prunable: lines.some((l) => l === 'prunable' || l.startsWith('prunable ')),
    });
  }
  return out;
}

/**
 * Remove a linked worktree; git refuses while it has uncommitted changes (callers decide what may be lost), unless
 * `force` (the caller saved them).
 */
export function removeWorktree(repo: string, path: string, opts: { force?: boolean } = {}): void {
  git(repo, ['worktree', 'remove', ...(opts.force ? ['--force'] : []), path]);
}

/**
 * Delete the linked worktree at `path` (its directory goes even when git refuses: the caller has decided that what
 * it holds may go, or saved it) and `branch`: merged-only unless `force`. Best effort; stale entries are pruned.
 */
export function dropWorktree(
  repo: string,
  path: string,
  branch: string | undefined,
  opts: { force?: boolean } = {},
): void {
  if (existsSync(path) && gitTry(repo, ['worktree', 'remove', ...(opts.force ? ['--force'] : []), path]).status !== 0)
    rmSync(path, { recursive: true, force: true });
  gitTry(repo, ['worktree', 'prune']);
  if (branch) gitTry(repo, ['branch', opts.force ? '-D' : '-d', branch]);
}

/** Forget worktrees whose directories are gone; `unlock` first releases those locked against pruning. */
export function pruneWorktrees(repo: string, unlock: readonly string[] = []): void {
  for (const path of unlock) gitTry(repo, ['worktree', 'unlock', path]);
  git(repo, ['worktree', 'prune']);
}

/**
 * Make the work tree `wt` a clean checkout of `rev` (detached unless `attach`, then `rev` is a branch name): a
 * rebase or cherry-pick left by a crash is aborted, local changes are discarded and untracked files removed
 * (ignored ones stay). Only for work trees whose files are the caller's own (a refinery's).
 */
export function cleanCheckout(wt: string, rev: string, opts: { attach?: boolean } = {}): void {
  gitTry(wt, ['rebase', '--abort']);
  gitTry(wt, ['cherry-pick', '--abort']);
  git(wt, ['checkout', '--quiet', '--force', ...(opts.attach ? [] : ['--detach']), rev]);
  git(wt, ['reset', '--quiet', '--hard']);
  git(wt, ['clean', '-fdq']);
}

/** Paths with uncommitted changes in `dir` (untracked files included), or git's reason it cannot read the work tree. */
export function uncommittedFiles(dir: string): { ok: true; files: string[] } | { ok: false; error: string } {
  const r = gitTry(dir, ['status', '--porcelain', '--untracked-files=all']);
  if (r.status !== 0) return { ok: false, error: r.stderr.trim().split('\n')[0] ?? '' };
  return {
    ok: true,
    files: r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => l.slice(3)),
  };
}

/** What a work tree holds that would be lost if it were deleted. Empty fields mean nothing of that kind. */
export interface HeldWork {
  /** Paths with uncommitted changes (including untracked files), as `git status --porcelain` lists them. */
  uncommitted: string[];
  /** Commits on HEAD that are not on `base` (or, without a base, on no remote-tracking branch). */
  unmerged: number;
  /** Commits on local branches that no remote-tracking branch has (only checked without a base). */
  unpushed: number;
  stashes: number;
}

/**
 * Inspect a work tree. With `base` (a branch of the same repository), HEAD's commits missing from it count as
 * unmerged (a polecat's worktree); without it, commits on any local branch missing from every remote-tracking
 * branch count as unpushed (a crew member's clone).
 */
export function heldWork(dir: string, base?: string): HeldWork {
  const uncommitted = git(dir, ['status', '--porcelain', '--untracked-files=all'])
    .split('\n')
    .filter(Boolean)
    .map((l) => l.slice(3));
  const hasHead = gitTry(dir, ['rev-parse', '--verify', '--quiet', 'HEAD']).status === 0;
  const count = (args: string[]): number => Number(git(dir, ['rev-list', '--count', ...args]).trim()) || 0;
  const unmerged = hasHead && base ? count(['HEAD', '--not', `refs/heads/${base}`]) : 0;
  const unpushed = hasHead && !base ? count(['--branches', '--not', '--remotes']) : 0;
  const stashes = gitTry(dir, ['stash', 'list']).stdout.split('\n').filter(Boolean).length;
  return { uncommitted, unmerged, unpushed, stashes };
}

export function holdsWork(w: HeldWork): boolean {
  return w.uncommitted.length > 0 || w.unmerged > 0 || w.unpushed > 0 || w.stashes > 0;
}

/** "3 uncommitted files (a.ts, b.ts, …), 2 commits not on main" — for refusals that name what would be lost. */
export function describeHeldWork(w: HeldWork, base?: string): string {
  const parts: string[] = [];
  if (w.uncommitted.length > 0) {
    const shown = w.uncommitted.slice(0, 3).join(', ') + (w.uncommitted.length > 3 ? ', …' : '');
    parts.push(`${w.uncommitted.length} uncommitted file${w.uncommitted.length === 1 ? '' : 's'} (${shown})`);
  }
  if (w.unmerged > 0)
    parts.push(`${w.unmerged} commit${w.unmerged === 1 ? '' : 's'} not on ${base ?? 'the default branch'}`);
  if (w.unpushed > 0) parts.push(`${w.unpushed} unpushed commit${w.unpushed === 1 ? '' : 's'}`);
  if (w.stashes > 0) parts.push(`${w.stashes} stash${w.stashes === 1 ? '' : 'es'}`);
  return parts.join(', ');
}
