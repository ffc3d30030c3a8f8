// What a polecat's worktree holds that exists nowhere else: uncommitted files, or commits main does not have yet.
import { existsSync } from 'node:fs';
import { commitsNotUpstream, describeCommits, listCommits, revParse, uncommittedFiles } from '../../git/index.ts';
import type { Store } from '../../beads/index.ts';
import type { Polecat } from './table.ts';
import { headMerged } from '../merge-requests.ts';

/**
 * Why deleting (or re-branching) this polecat's worktree would lose work, or undefined when it would not.
 * Commits count as landed when main has the same change (`git cherry`, so a rebased merge counts) or when the
 * merge queue recorded their head as merged.
 */
export function polecatHeldWork(store: Store, p: Polecat, defaultBranch: string): string | undefined {
  if (!existsSync(p.worktree)) return undefined;
  const status = uncommittedFiles(p.worktree);
  if (!status.ok) return `a worktree git cannot read (${status.error})`;
  const dirty = status.files;
  if (dirty.length > 0)
    return `${dirty.length} uncommitted file${dirty.length === 1 ? '' : 's'} (${dirty.slice(0, 3).join(', ')}${dirty.length > 3 ? ', …' : ''})`;
  const head = revParse(p.worktree, 'HEAD');
  if (!head) return undefined;
  const missing = commitsNotUpstream(p.worktree, `refs/heads/${defaultBranch}`);
  if (missing.length === 0) return undefined;
  if (headMerged(store, p.rig, head)) return undefined;
  // Named, newest first, as `git log` shows them: the person deciding sees which work it is.
  const named = listCommits(p.worktree, ['--no-walk=unsorted', ...missing.slice(-5).reverse()], 5);
  return `${missing.length} commit${missing.length === 1 ? '' : 's'} not on ${defaultBranch} (${describeCommits({ total: missing.length, commits: named.commits })})`;
}
