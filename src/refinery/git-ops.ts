// The merge queue's git steps, in the rig's refinery worktree and bare repo: rebase, stack, fast-forward, push, verify.
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { GtError } from '../kernel/index.ts';
import {
  fastForward, git, gitTry, isAncestor, listWorktrees, mergeTree, pushAndVerify as pushAndReadBack, revParse, type RebaseOutcome,
  type WorktreeEntry,
} from '../git/index.ts';

// The generic steps live in src/git (integrate.ts); their old names stay here for the merge queue's callers.
export { revParse, isAncestor, rebaseOnto, canMergeTree as canReplayInMemory, type RebaseOutcome } from '../git/index.ts';

export interface Committer {
  name: string;
  email: string;
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

/**
 * Rebase without a work tree: replay each commit of `head` missing from `onto` with `git merge-tree`, writing new
 * commits (authors kept, `who` as committer) in the bare repo. The merge base of each step is the branch's fork
 * point, so the replay is cumulative; a commit whose change is already there is dropped, as `git rebase` does.
 */
export function replayOnto(repo: string, head: string, onto: string, who: Committer): RebaseOutcome {
  const l = gitTry(repo, ['log', '--reverse', '--no-merges', '--format=%H%x00%T%x00%an%x00%ae%x00%ad%x00%B%x1e', '--date=raw', `${onto}..${head}`, '--not', `--glob=${RESYNC_KEEP_GLOB}`]);
  if (l.status !== 0) return { ok: false, files: [], message: `cannot read ${head} in the rig's repository: ${l.stderr.trim()}` };
  const log = l.stdout;
  let tip = onto;
  let tipTree: string | undefined;
  for (const rec of log.split('\x1e').map((r) => r.replace(/^\n/, '')).filter(Boolean)) {
    const [sha, , an, ae, ad, ...body] = rec.split('\x00');
    const m = mergeTree(repo, tip, sha!);
    if (!m.ok) return { ok: false, files: m.files, message: `conflict replaying ${sha!.slice(0, 12)}` };
    const tree = m.tree;
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
  fastForward(repo, branch, to, from, 'gt refinery: land');
}

/** The origin remote's URL, when the bare repo has one. */
export function originUrl(repo: string): string | undefined {
  const r = gitTry(repo, ['remote', 'get-url', 'origin']);
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : undefined;
}

/** Where landed work goes: pushed to origin (a URL or a bare repository), or delivered into a local clone. */
export type DeliveryTarget = { kind: 'push'; url: string } | { kind: 'local'; path: string };

/**
 * The rig's delivery target. A local non-bare repository (`gt rig add app ~/src/app`) cannot take a push to its
 * checked-out branch, so it gets the work through `deliverToClone`; a local path that is gone still counts (the
 * delivery then fails loudly rather than the work silently staying in the rig). `never`: no delivery at all.
 */
export function deliveryTarget(repo: string, mode: 'auto' | 'always' | 'never'): DeliveryTarget | undefined {
  if (mode === 'never') return undefined;
  const url = originUrl(repo);
  if (!url) return undefined;
  const local = isAbsolute(url) || url.startsWith('file://') ? url.replace(/^file:\/\//, '') : undefined;
  if (local === undefined) return { kind: 'push', url };
  if (existsSync(local) && gitTry(local, ['rev-parse', '--is-bare-repository']).stdout.trim() === 'true') return { kind: 'push', url };
  return { kind: 'local', path: local };
}

/** Push `commit` to origin's `branch` (never forced), then read origin back to prove it landed. */
export function pushAndVerify(repo: string, commit: string, branch: string): void {
  const r = pushAndReadBack(repo, 'origin', commit, branch);
  if (!r.ok && r.reason === 'refused') {
    throw new GtError('GT_PUSH_FAILED', `push of ${commit.slice(0, 12)} to origin ${branch} was refused: ${r.detail}`, {
      hint: 'the requests stay queued; the next run (the daemon, or gt refinery run) first brings in what origin gained, and gt status says if origin was rewritten',
    });
  }
  if (!r.ok) {
    throw new GtError('GT_PUSH_UNVERIFIED', `origin's ${branch} is ${r.detail} after pushing ${commit.slice(0, 12)}`, {
      hint: 'check the remote (a hook may rewrite pushes); the requests stay queued for the next run',
    });
  }  // What origin is now known to have (read by the delivery check and gt rig remove).
  gitTry(repo, ['update-ref', `refs/gt/origin/${branch}`, commit]);
}

export type SyncState = 'up-to-date' | 'fast-forwarded' | 'diverged' | 'unreachable';

/**
 * Bring origin's new commits into the rig's default branch when it can fast-forward (work pushed elsewhere).
 * Returns what happened with both tips; never rewrites the local branch.
 */
export function syncFromOrigin(repo: string, branch: string): { state: SyncState; ours?: string; theirs?: string } {
  const r = gitTry(repo, ['fetch', '--quiet', '--no-write-fetch-head', 'origin', `+refs/heads/${branch}:refs/gt/origin/${branch}`], { env: { GIT_TERMINAL_PROMPT: '0' }, timeoutMs: 5 * 60_000 });
  if (r.status !== 0) return { state: 'unreachable' };
  const theirs = revParse(repo, `refs/gt/origin/${branch}`);
  const ours = revParse(repo, `refs/heads/${branch}`);
  const tips = { ...(ours ? { ours } : {}), ...(theirs ? { theirs } : {}) };
  if (!theirs || !ours || theirs === ours || isAncestor(repo, theirs, ours)) return { state: 'up-to-date', ...tips };
  if (!isAncestor(repo, ours, theirs)) return { state: 'diverged', ...tips };
  advanceBranch(repo, branch, theirs, ours);
  return { state: 'fast-forwarded', ...tips };
}

/** Branches `gt refinery resync` keeps a rewritten-away default branch on; their commits are never replayed again. */
export const RESYNC_KEEP_GLOB = 'refs/heads/gt/*-before-resync-*';

/**
 * Move the rig's default branch to origin's after origin was rewritten (force-pushed), keeping the old tip as
 * `gt/<branch>-before-resync-<sha>` so nothing the rig had is lost. `origin-behind`: origin lacks the rig's
 * commits without having rewritten anything; the next run pushes them.
 */
export function resyncFromOrigin(repo: string, branch: string): { state: 'moved' | 'fast-forwarded' | 'up-to-date' | 'origin-behind'; from?: string; to?: string; kept?: string } {
  const s = syncFromOrigin(repo, branch);
  if (s.state === 'unreachable') throw new GtError('GT_ORIGIN_UNREACHABLE', `cannot fetch ${branch} from origin (${originUrl(repo) ?? 'no origin'})`, { hint: 'check the network and the remote\'s URL with git -C ' + repo + ' remote -v' });
  if (s.state === 'fast-forwarded') return { state: 'fast-forwarded', from: s.ours!, to: s.theirs! };
  if (s.state === 'up-to-date') return { state: s.theirs && s.ours && s.theirs !== s.ours ? 'origin-behind' : 'up-to-date', ...(s.ours ? { from: s.ours, to: s.ours } : {}) };
  const ours = s.ours!;
  const theirs = s.theirs!;
  const kept = `gt/${branch}-before-resync-${ours.slice(0, 12)}`;
  gitTry(repo, ['update-ref', '-m', 'gt refinery resync: keep the old tip', `refs/heads/${kept}`, ours, '']);
  if (revParse(repo, `refs/heads/${kept}`) !== ours) throw new GtError('GT_RESYNC_FAILED', `could not keep ${branch}'s old tip ${ours.slice(0, 12)} as ${kept}`);
  advanceBranch(repo, branch, theirs, ours);
  return { state: 'moved', from: ours, to: theirs, kept };
}

/** The work tree where `branch` is checked out in a (non-bare) repository, if it is. */
function checkedOutIn(repo: string, branch: string): string | undefined {
  return listWorktrees(repo).find((w) => !w.bare && w.branch === branch)?.path;
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop() ?? '';
}

/**
 * Deliver landed `commit` (the tip of the rig's `branch`) into the local clone the rig came from, never touching
 * uncommitted work there: `branch` itself is moved when that is a fast-forward and either nobody has it checked
 * out, or its work tree is clean (`git merge --ff-only` there, which updates the files); otherwise the work goes to
 * `gt/<branch>` in that clone, with the reason. A `gt/<branch>` the branch has caught up with is removed.
 */
export function deliverToClone(repo: string, src: string, branch: string, commit: string): { ref: string; note?: string } {
  if (!existsSync(src) || gitTry(src, ['rev-parse', '--git-dir']).status !== 0) {
    throw new GtError('GT_SOURCE_GONE', `the rig's source repository ${src} is missing or is no longer a git repository`);
  }
  const side = `gt/${branch}`;
  const dropSide = (): { ref: string } => {
    const old = revParse(src, `refs/heads/${side}`);
    if (old && isAncestor(src, old, `refs/heads/${branch}`)) gitTry(src, ['update-ref', '-d', `refs/heads/${side}`, old]);
    return { ref: branch };
  };
  const theirs = revParse(src, `refs/heads/${branch}`);
  if (theirs === commit) return dropSide();
  let why: string;
  if (theirs && !(revParse(repo, theirs) && isAncestor(repo, theirs, commit))) {
    why = `${branch} there has commits the rig does not have`;
  } else {
    const wt = checkedOutIn(src, branch);
    if (!wt) {
      const r = gitTry(repo, ['push', '--quiet', src, `${commit}:refs/heads/${branch}`]);
      if (r.status === 0) return dropSide();
      why = `git refused to move ${branch}: ${lastLine(r.stderr || r.stdout)}`;
    } else {
      const status = gitTry(wt, ['status', '--porcelain', '--untracked-files=no']);
      const gitPath = (f: string): string => resolveIn(wt, gitTry(wt, ['rev-parse', '--git-path', f]).stdout.trim());
      const busy = ['MERGE_HEAD', 'CHERRY_PICK_HEAD', 'REVERT_HEAD', 'rebase-merge', 'rebase-apply'].some((f) => existsSync(gitPath(f)));
      if (status.status !== 0 || status.stdout.trim()) why = `${branch} is checked out in ${wt} with uncommitted changes`;
      else if (busy) why = `a merge or rebase is in progress in ${wt}`;
      else {
        const f = gitTry(wt, ['fetch', '--quiet', '--no-write-fetch-head', repo, `refs/heads/${branch}`]);
        const m = f.status === 0 ? gitTry(wt, ['merge', '--ff-only', '--quiet', commit]) : f;
        if (m.status === 0 && revParse(src, `refs/heads/${branch}`) === commit) return dropSide();
        why = `git merge --ff-only in ${wt} did not go through: ${lastLine(m.stderr || m.stdout)}`;
      }
    }
  }
  const p = gitTry(repo, ['push', '--quiet', '--force', src, `${commit}:refs/heads/${side}`]);
  if (p.status !== 0) throw new GtError('GT_DELIVER_FAILED', `could not write ${side} in ${src}: ${lastLine(p.stderr || p.stdout)}`);
  return { ref: side, note: why };
}

function resolveIn(dir: string, p: string): string {
  return isAbsolute(p) ? p : join(dir, p);
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
