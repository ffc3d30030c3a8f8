// The merge queue's git steps, in the rig's refinery worktree and bare repo: rebase, stack, fast-forward, push, verify.
import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { GtError } from '../kernel/index.ts';
import { git, gitTry, listWorktrees, type WorktreeEntry } from '../git/index.ts';

export interface Committer {
  name: string;
  email: string;
}

const as = (who: Committer): string[] => ['-c', `user.name=${who.name}`, '-c', `user.email=${who.email}`, '-c', 'commit.gpgsign=false'];

export function revParse(dir: string, rev: string): string | undefined {
  const r = gitTry(dir, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]);
  return r.status === 0 ? r.stdout.trim() : undefined;
}

export function isAncestor(repo: string, commit: string, of: string): boolean {
  return gitTry(repo, ['merge-base', '--is-ancestor', commit, of]).status === 0;
}

/** Put the refinery worktree back to a clean, detached checkout of `branch`: any rebase left by a crash is aborted. */
export function resetWorktree(wt: string, branch: string): void {
  gitTry(wt, ['rebase', '--abort']);
  gitTry(wt, ['cherry-pick', '--abort']);
  git(wt, ['checkout', '--quiet', '--force', '--detach', `refs/heads/${branch}`]);
  git(wt, ['reset', '--quiet', '--hard']);
  git(wt, ['clean', '-fdq']);
}

/** Leave the refinery worktree on `branch` (attached), clean: what people see between runs. */
export function parkWorktree(wt: string, branch: string): void {
  gitTry(wt, ['rebase', '--abort']);
  git(wt, ['checkout', '--quiet', '--force', branch]);
  git(wt, ['reset', '--quiet', '--hard']);
  git(wt, ['clean', '-fdq']);
}

export type RebaseOutcome = { ok: true; commit: string } | { ok: false; files: string[]; message: string };

/**
 * Replay the commits of `head` that `onto` lacks on top of `onto`, detached, in `wt`. A conflict aborts the rebase
 * (the worktree is left clean) and names the conflicting files.
 */
export function rebaseOnto(wt: string, head: string, onto: string, who: Committer): RebaseOutcome {
  git(wt, ['checkout', '--quiet', '--force', '--detach', head]);
  const r = gitTry(wt, [...as(who), 'rebase', '--quiet', onto]);
  if (r.status === 0) return { ok: true, commit: git(wt, ['rev-parse', 'HEAD']).trim() };
  const files = gitTry(wt, ['diff', '--name-only', '--diff-filter=U']).stdout.split('\n').filter(Boolean);
  gitTry(wt, ['rebase', '--abort']);
  git(wt, ['checkout', '--quiet', '--force', '--detach', onto]);
  return { ok: false, files, message: (r.stdout + r.stderr).trim() };
}

let mergeTreeSupport: boolean | undefined;

/** `git merge-tree --write-tree` (git 2.38+) merges without a work tree: many times faster than checkout + rebase. */
export function canReplayInMemory(repo: string): boolean {
  if (mergeTreeSupport === undefined) {
    const v = /(\d+)\.(\d+)/.exec(gitTry(repo, ['--version']).stdout);
    mergeTreeSupport = !!v && (Number(v[1]) > 2 || (Number(v[1]) === 2 && Number(v[2]) >= 38));
  }
  return mergeTreeSupport;
}

/**
 * Rebase without a work tree: replay each commit of `head` missing from `onto` with `git merge-tree`, writing new
 * commits (authors kept, `who` as committer) in the bare repo. The merge base of each step is the branch's fork
 * point, so the replay is cumulative; a commit whose change is already there is dropped, as `git rebase` does.
 */
export function replayOnto(repo: string, head: string, onto: string, who: Committer): RebaseOutcome {
  const l = gitTry(repo, ['log', '--reverse', '--no-merges', '--format=%H%x00%T%x00%an%x00%ae%x00%ad%x00%B%x1e', '--date=raw', `${onto}..${head}`]);
  if (l.status !== 0) return { ok: false, files: [], message: `cannot read ${head} in the rig's repository: ${l.stderr.trim()}` };
  const log = l.stdout;
  let tip = onto;
  let tipTree: string | undefined;
  for (const rec of log.split('\x1e').map((r) => r.replace(/^\n/, '')).filter(Boolean)) {
    const [sha, , an, ae, ad, ...body] = rec.split('\x00');
    const m = gitTry(repo, ['merge-tree', '--write-tree', '--name-only', '--no-messages', tip, sha!]);
    const lines = m.stdout.split('\n').filter(Boolean);
    if (m.status !== 0) {
      if (m.status !== 1) throw new GtError('GIT_FAILED', `git merge-tree failed in ${repo}: ${m.stderr.trim()}`);
      return { ok: false, files: [...new Set(lines.slice(1))], message: `conflict replaying ${sha!.slice(0, 12)}` };
    }
    const tree = lines[0]!;
    tipTree ??= git(repo, ['rev-parse', `${onto}^{tree}`]).trim();
    if (tree === tipTree) continue;
    tip = git(repo, ['-c', 'commit.gpgsign=false', 'commit-tree', tree, '-p', tip, '-F', '-'], {
      input: body.join('\x00'),
      env: { GIT_AUTHOR_NAME: an!, GIT_AUTHOR_EMAIL: ae!, GIT_AUTHOR_DATE: ad!, GIT_COMMITTER_NAME: who.name, GIT_COMMITTER_EMAIL: who.email },
    }).trim();
    tipTree = tree;
  }
  return { ok: true, commit: tip };
}

/** Check out `commit` detached and clean in the refinery worktree, for the gates. */
export function checkoutForGates(wt: string, commit: string): void {
  git(wt, ['checkout', '--quiet', '--force', '--detach', commit]);
  git(wt, ['clean', '-fdq']);
}

/** Move `branch` of `repo` from `from` to `to`, only if it still points at `from` (compare-and-set). */
export function advanceBranch(repo: string, branch: string, to: string, from: string): void {
  git(repo, ['update-ref', '-m', 'gt refinery: land', `refs/heads/${branch}`, to, from]);
}

/** The origin remote's URL, when the bare repo has one. */
export function originUrl(repo: string): string | undefined {
  const r = gitTry(repo, ['remote', 'get-url', 'origin']);
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : undefined;
}

/**
 * Whether landing pushes to origin. `auto`: when origin is a URL or a bare repository on this machine; a local
 * non-bare clone is skipped because git refuses pushes to its checked-out branch.
 */
export function pushTarget(repo: string, mode: 'auto' | 'always' | 'never'): string | undefined {
  if (mode === 'never') return undefined;
  const url = originUrl(repo);
  if (!url) return undefined;
  if (mode === 'always') return url;
  const local = isAbsolute(url) || url.startsWith('file://') ? url.replace(/^file:\/\//, '') : undefined;
  if (local === undefined) return url;
  if (!existsSync(local)) return undefined;
  return gitTry(local, ['rev-parse', '--is-bare-repository']).stdout.trim() === 'true' ? url : undefined;
}

/** Push `commit` to origin's `branch` (never forced), then read origin back to prove it landed. */
export function pushAndVerify(repo: string, commit: string, branch: string): void {
  const r = gitTry(repo, ['push', '--quiet', 'origin', `${commit}:refs/heads/${branch}`], { env: { GIT_TERMINAL_PROMPT: '0' }, timeoutMs: 10 * 60_000 });
  if (r.status !== 0) {
    throw new GtError('GT_PUSH_FAILED', `push of ${commit.slice(0, 12)} to origin ${branch} was refused: ${(r.stderr || r.stdout).trim().split('\n').pop() ?? ''}`, {
      hint: `origin's ${branch} has commits the rig lacks; fetch them into the rig (git -C ${repo} fetch origin ${branch}:${branch}) and run gt mq retry`,
    });
  }
  const remote = gitTry(repo, ['ls-remote', 'origin', `refs/heads/${branch}`], { env: { GIT_TERMINAL_PROMPT: '0' } }).stdout.split(/\s/)[0];
  if (remote !== commit) {
    throw new GtError('GT_PUSH_UNVERIFIED', `origin's ${branch} is ${remote || 'missing'} after pushing ${commit.slice(0, 12)}`, {
      hint: 'check the remote (a hook may rewrite pushes); then run gt mq retry',
    });
  }
}

/**
 * Bring origin's new commits into the rig's default branch when it can fast-forward (work pushed elsewhere).
 * Returns what happened, for the event log; never rewrites the local branch.
 */
export function syncFromOrigin(repo: string, branch: string): 'up-to-date' | 'fast-forwarded' | 'diverged' | 'unreachable' {
  const r = gitTry(repo, ['fetch', '--quiet', 'origin', `refs/heads/${branch}`], { env: { GIT_TERMINAL_PROMPT: '0' }, timeoutMs: 5 * 60_000 });
  if (r.status !== 0) return 'unreachable';
  const theirs = revParse(repo, 'FETCH_HEAD');
  const ours = revParse(repo, `refs/heads/${branch}`);
  if (!theirs || !ours || theirs === ours || isAncestor(repo, theirs, ours)) return 'up-to-date';
  if (!isAncestor(repo, ours, theirs)) return 'diverged';
  advanceBranch(repo, branch, theirs, ours);
  return 'fast-forwarded';
}

/** Delete a merged work branch; kept (with the reason) while a worktree has it checked out or it moved on. */
export function deleteMergedBranch(repo: string, branch: string, head: string, worktrees = listWorktrees(repo)): { deleted: boolean; reason?: string } {
  const holder = worktrees.find((w) => w.branch === branch);
  if (holder) {
    // A polecat's idle worktree still on the merged branch: detach it at the same commit (no file changes) when clean.
    const clean = gitTry(holder.path, ['status', '--porcelain']).stdout.trim() === '';
    if (!clean || holder.head !== head || gitTry(holder.path, ['checkout', '--quiet', '--detach']).status !== 0) {
      return { deleted: false, reason: `checked out in ${holder.path}` };
    }
  }
  // Deleted only if it still points at the merged head (compare-and-set): a branch that moved on keeps its work.
  const r = gitTry(repo, ['update-ref', '-d', `refs/heads/${branch}`, head]);
  if (r.status === 0) return { deleted: true };
  const now = revParse(repo, `refs/heads/${branch}`);
  return now ? { deleted: false, reason: `it moved on to ${now.slice(0, 12)} since the merge request` } : { deleted: true };
}

/** The rig's worktrees (listed once per landing, to see which branches are checked out). */
export function listWorktreesOf(repo: string): WorktreeEntry[] {
  return listWorktrees(repo);
}
