// The merge queue's git steps, in the rig's refinery worktree and bare repo: the refinery's names for the git layer's
// operations (src/git), its refs (refs/gt/origin/*, the resync keep branches) and its errors.
import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { GtError } from '../kernel/index.ts';
import {
  cleanCheckout,
  deleteBranchAt,
  deliverToClone as deliverInto,
  fastForward,
  isBareRepository,
  listWorktrees,
  pushAndVerify as pushAndReadBack,
  remoteUrl,
  replayOnto as replay,
  revParse,
  setRef,
  syncBranch,
  type RebaseOutcome,
  type SideReason,
  type SyncState,
  type WorktreeEntry,
} from '../git/index.ts';

// The generic steps live in src/git (integrate.ts); their old names stay here for the merge queue's callers.
export {
  revParse,
  isAncestor,
  rebaseOnto,
  canMergeTree as canReplayInMemory,
  type RebaseOutcome,
  type SyncState,
} from '../git/index.ts';

export interface Committer {
  name: string;
  email: string;
}

/** Put the refinery worktree back to a clean, detached checkout of `branch`: any rebase left by a crash is aborted. */
export function resetWorktree(wt: string, branch: string): void {
  cleanCheckout(wt, `refs/heads/${branch}`);
}

/** Leave the refinery worktree on `branch` (attached), clean: what people see between runs. */
export function parkWorktree(wt: string, branch: string): void {
  cleanCheckout(wt, branch, { attach: true });
}

/**
 * Rebase without a work tree (src/git replayOnto), in the bare repo; commits already kept on a resync branch are
 * never replayed again.
 */
export function replayOnto(repo: string, head: string, onto: string, who: Committer): RebaseOutcome {
  return replay(repo, head, onto, who, [RESYNC_KEEP_GLOB]);
}

/** Check out `commit` detached and clean in the refinery worktree, for the gates. */
export function checkoutForGates(wt: string, commit: string): void {
  cleanCheckout(wt, commit);
}

/** Move `branch` of `repo` from `from` to `to`, only if it still points at `from` (compare-and-set). */
export function advanceBranch(repo: string, branch: string, to: string, from: string): void {
  fastForward(repo, branch, to, from, 'gt refinery: land');
}

/** The origin remote's URL, when the bare repo has one. */
export function originUrl(repo: string): string | undefined {
  return remoteUrl(repo, 'origin');
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
  if (existsSync(local) && isBareRepository(local)) return { kind: 'push', url };
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
  }
  // What origin is now known to have (read by the delivery check and gt rig remove).
  setRef(repo, `refs/gt/origin/${branch}`, commit);
}

/**
 * Bring origin's new commits into the rig's default branch when it can fast-forward (work pushed elsewhere), with
 * origin's tip kept at refs/gt/origin/<branch>. Returns what happened with both tips; never rewrites the local branch.
 */
export function syncFromOrigin(repo: string, branch: string): { state: SyncState; ours?: string; theirs?: string } {
  return syncBranch(repo, 'origin', branch, `refs/gt/origin/${branch}`, 'gt refinery: land');
}

/** Branches `gt refinery resync` keeps a rewritten-away default branch on; their commits are never replayed again. */
export const RESYNC_KEEP_GLOB = 'refs/heads/gt/*-before-resync-*';

/**
 * Move the rig's default branch to origin's after origin was rewritten (force-pushed), keeping the old tip as
 * `gt/<branch>-before-resync-<sha>` so nothing the rig had is lost. `origin-behind`: origin lacks the rig's
 * commits without having rewritten anything; the next run pushes them.
 */
export function resyncFromOrigin(
  repo: string,
  branch: string,
): { state: 'moved' | 'fast-forwarded' | 'up-to-date' | 'origin-behind'; from?: string; to?: string; kept?: string } {
  const s = syncFromOrigin(repo, branch);
  if (s.state === 'unreachable')
    throw new GtError(
      'GT_ORIGIN_UNREACHABLE',
      `cannot fetch ${branch} from origin (${originUrl(repo) ?? 'no origin'})`,
      { hint: "check the network and the remote's URL with git -C " + repo + ' remote -v' },
    );
  if (s.state === 'fast-forwarded') return { state: 'fast-forwarded', from: s.ours!, to: s.theirs! };
  if (s.state === 'up-to-date')
    return {
      state: s.theirs && s.ours && s.theirs !== s.ours ? 'origin-behind' : 'up-to-date',
      ...(s.ours ? { from: s.ours, to: s.ours } : {}),
    };
  const ours = s.ours!;
  const theirs = s.theirs!;
  const kept = `gt/${branch}-before-resync-${ours.slice(0, 12)}`;
  try {
    setRef(repo, `refs/heads/${kept}`, ours, { from: '', why: 'gt refinery resync: keep the old tip' });
  } catch {
    // already there (an earlier resync of the same tip): checked just below
  }
  if (revParse(repo, `refs/heads/${kept}`) !== ours)
    throw new GtError('GT_RESYNC_FAILED', `could not keep ${branch}'s old tip ${ours.slice(0, 12)} as ${kept}`);
  advanceBranch(repo, branch, theirs, ours);
  return { state: 'moved', from: ours, to: theirs, kept };
}

/**
 * Deliver landed `commit` (the tip of the rig's `branch`) into the local clone the rig came from, never touching
 * uncommitted work there (src/git deliverToClone): `branch` itself when that is safe, else `gt/<branch>` with the
 * reason. A `gt/<branch>` the branch has caught up with is removed.
 */
export function deliverToClone(
  repo: string,
  src: string,
  branch: string,
  commit: string,
): { ref: string; note?: string } {
  const side = `gt/${branch}`;
  const d = deliverInto(repo, src, branch, commit, side);
  if (!d.ok && d.reason === 'not-a-repository') {
    throw new GtError(
      'GT_SOURCE_GONE',
      `the rig's source repository ${src} is missing or is no longer a git repository`,
    );
  }
  if (!d.ok) throw new GtError('GT_DELIVER_FAILED', `could not write ${side} in ${src}: ${d.error}`);
  if (!d.kept) return { ref: d.ref };
  return { ref: d.ref, note: sideNote(branch, d.kept) };
}

function sideNote(branch: string, k: SideReason): string {
  switch (k.why) {
    case 'diverged':
      return `${branch} there has commits the rig does not have`;
    case 'refused':
      return `git refused to move ${branch}: ${k.detail}`;
    case 'dirty':
      return `${branch} is checked out in ${k.wt} with uncommitted changes`;
    case 'busy':
      return `a merge or rebase is in progress in ${k.wt}`;
    case 'merge-failed':
      return `git merge --ff-only in ${k.wt} did not go through: ${k.detail}`;
  }
}

/** Delete a merged work branch; kept (with the reason) while a worktree has it checked out or it moved on. */
export function deleteMergedBranch(
  repo: string,
  branch: string,
  head: string,
  worktrees = listWorktrees(repo),
): { deleted: boolean; reason?: string } {
  const d = deleteBranchAt(repo, branch, head, worktrees);
  if (d.deleted) return { deleted: true };
  return {
    deleted: false,
    reason:
      d.kept === 'checked-out'
        ? `checked out in ${d.at}`
        : `it moved on to ${d.at.slice(0, 12)} since the merge request`,
  };
}

/** The rig's worktrees (listed once per landing, to see which branches are checked out). */
export function listWorktreesOf(repo: string): WorktreeEntry[] {
  return listWorktrees(repo);
}
