// Handing commits to a non-bare clone (a person's checkout) without ever touching its uncommitted work: its branch
// moves only by fast-forward and only when nobody's changes are in the way; otherwise the commits go to a side branch.
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { gitTry } from './git.ts';
import { isAncestor, revParse } from './integrate.ts';
import { deleteRef } from './refs.ts';
import { fetchFrom, mergeFastForward } from './sync.ts';
import { listWorktrees } from './worktree.ts';

/**
 * Why the commit went to the side branch: the clone's branch has commits `repo` lacks (`diverged`), git refused to
 * move it (`refused`, `detail` = git's reason), its work tree `wt` has uncommitted changes (`dirty`) or a merge or
 * rebase under way (`busy`), or the fast-forward there failed (`merge-failed`, `detail` = git's reason).
 */
export type SideReason =
  | { why: 'diverged' }
  | { why: 'refused'; detail: string }
  | { why: 'dirty'; wt: string }
  | { why: 'busy'; wt: string }
  | { why: 'merge-failed'; wt: string; detail: string };

export type CloneDelivery =
  /** The commit is on `branch` in the clone, or on `side` for `kept`'s reason. */
  | { ok: true; ref: string; kept?: SideReason }
  | { ok: false; reason: 'not-a-repository' }
  | { ok: false; reason: 'side-refused'; error: string };

/**
 * Deliver `commit` of `repo` into `branch` of the clone `clone`: `branch` is moved when that is a fast-forward and
 * either no work tree has it checked out, or that work tree is clean with no merge or rebase under way (there
 * `git merge --ff-only` moves it, so the files follow). Otherwise the commit is written to `side` (forced: it is
 * ours), with the reason. A `side` that `branch` has caught up with is deleted.
 */
export function deliverToClone(
  repo: string,
  clone: string,
  branch: string,
  commit: string,
  side: string,
): CloneDelivery {
  if (!existsSync(clone) || gitTry(clone, ['rev-parse', '--git-dir']).status !== 0)
    return { ok: false, reason: 'not-a-repository' };
  const onBranch = (): CloneDelivery => {
    const old = revParse(clone, `refs/heads/${side}`);
    if (old && isAncestor(clone, old, `refs/heads/${branch}`)) deleteRef(clone, `refs/heads/${side}`, old);
    return { ok: true, ref: branch };
  };
  const theirs = revParse(clone, `refs/heads/${branch}`);
  if (theirs === commit) return onBranch();
  let why: SideReason;
  if (theirs && !(revParse(repo, theirs) && isAncestor(repo, theirs, commit))) {
    why = { why: 'diverged' };
  } else {
    const wt = listWorktrees(clone).find((w) => !w.bare && w.branch === branch)?.path;
    if (!wt) {
      const r = gitTry(repo, ['push', '--quiet', clone, `${commit}:refs/heads/${branch}`]);
      if (r.status === 0) return onBranch();
      why = { why: 'refused', detail: lastLine(r.stderr || r.stdout) };
    } else {
      const status = gitTry(wt, ['status', '--porcelain', '--untracked-files=no']);
      if (status.status !== 0 || status.stdout.trim()) why = { why: 'dirty', wt };
      else if (operationInProgress(wt)) why = { why: 'busy', wt };
      else {
        const f = fetchFrom(wt, repo, [`refs/heads/${branch}`]);
        const m = f.ok ? mergeFastForward(wt, commit) : f;
        if (m.ok && revParse(clone, `refs/heads/${branch}`) === commit) return onBranch();
        why = { why: 'merge-failed', wt, detail: m.ok ? '' : lastLine(m.error) };
      }
    }
  }
  const p = gitTry(repo, ['push', '--quiet', '--force', clone, `${commit}:refs/heads/${side}`]);
  if (p.status !== 0) return { ok: false, reason: 'side-refused', error: lastLine(p.stderr || p.stdout) };
  return { ok: true, ref: side, kept: why };
}

/** True while a merge, cherry-pick, revert or rebase is under way in the work tree `wt`. */
export function operationInProgress(wt: string): boolean {
  const gitPath = (f: string): string => {
    const p = gitTry(wt, ['rev-parse', '--git-path', f]).stdout.trim();
    return isAbsolute(p) ? p : join(wt, p);
  };
  return ['MERGE_HEAD', 'CHERRY_PICK_HEAD', 'REVERT_HEAD', 'rebase-merge', 'rebase-apply'].some((f) =>
    existsSync(gitPath(f)),
  );
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop() ?? '';
}
