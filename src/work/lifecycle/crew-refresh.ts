// gt crew refresh: bring the rig's new default branch (what the refinery landed) into a crew clone by fast-forward
// only, so uncommitted work and the person's own commits are never rewritten or merged without them.
import { GtError } from '../../kernel/index.ts';
import { countCommits, fetchFrom, headBranch, mergeFastForward, revParse } from '../../git/index.ts';
import { crewNames, loadRig, type TownContext } from '../../town/index.ts';

export type CrewRefresh = {
  rig: string;
  name: string;
  path: string;
  branch: string | null;
  /** The rig's default branch as fetched (`rig/<branch>`). */
  upstream: string;
  /** Commits of the rig not in the clone before, and the clone's own commits not in the rig. */
  behind: number;
  ahead: number;
} & (
  | { status: 'up-to-date' | 'fast-forwarded' }
  /** On another branch: fetched only; merging is the person's call. */
  | { status: 'fetched' }
  /** The clone has its own commits: nothing was changed. */
  | { status: 'diverged' }
  /** Git refused the fast-forward (uncommitted changes in the files it brings): nothing was changed. */
  | { status: 'blocked'; detail: string }
);

export function refreshCrew(town: TownContext, rigName: string, name: string): CrewRefresh {
  const rig = loadRig(town, rigName);
  if (!crewNames(town, rigName).includes(name)) {
    throw new GtError('GT_CREW_NOT_FOUND', `rig "${rigName}" has no crew member "${name}"`, {
      kind: 'usage',
      hint: `gt crew list --rig ${rigName} shows its crew`,
    });
  }
  const path = town.paths.crew(rigName, name);
  const fetched = fetchFrom(path, 'rig');
  if (!fetched.ok) {
    throw new GtError('GT_FETCH_FAILED', `fetching the rig into ${path} failed: ${fetched.error}`, {
      hint: `check the clone's remote "rig" with git -C "${path}" remote -v`,
    });
  }
  const upstream = `rig/${rig.default_branch}`;
  const known = revParse(path, upstream) !== undefined && revParse(path, 'HEAD') !== undefined;
  const behind = known ? countCommits(path, [upstream], ['HEAD']) : 0;
  const ahead = known ? countCommits(path, ['HEAD'], [upstream]) : 0;
  const branch = headBranch(path) ?? null;
  const base = { rig: rigName, name, path, branch, upstream, behind, ahead };
  if (behind === 0) return { ...base, status: 'up-to-date' };
  if (branch !== rig.default_branch) return { ...base, status: 'fetched' };
  if (ahead > 0) return { ...base, status: 'diverged' };
  const ff = mergeFastForward(path, upstream);
  if (!ff.ok)
    return {
      ...base,
      status: 'blocked',
      detail: ff.error
        .split('\n')
        .filter((l) => l.trim())
        .slice(0, 4)
        .join('; '),
    };
  return { ...base, status: 'fast-forwarded' };
}
