// Before a rig, a crew clone or a polecat is deleted: what work in it exists nowhere else, named commit by commit
// with where it lives, and (for --force) saving that work to bundle files first.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  anyRefContains,
  describeCommits,
  describeHeldWork,
  emptyRootCommits,
  fetchFrom,
  heldWork,
  holdsWork,
  listCommits,
  listRefs,
  remoteUrl,
  revParse,
  setRef,
  snapshotWorkTree,
  writeBundle,
} from '../git/index.ts';

export interface HeldWorkReport {
  /** "polecat furiosa", "crew alice", "branch main". */
  who: string;
  /** Where it lives: the work tree, or the repository holding the branch. */
  path: string;
  /** What it holds, in words, with the commits named. */
  holds: string;
}

/**
 * Inspect one work tree. A polecat's work counts until it is on `base` (the rig's default branch); a crew clone's
 * until it is on a remote. A directory that is not a work tree but has files counts too.
 */
export function inspectWorkTree(who: string, path: string, base?: string): HeldWorkReport | undefined {
  if (!existsSync(path)) return undefined;
  if (!existsSync(join(path, '.git'))) {
    const files = readdirSync(path);
    return files.length > 0 ? { who, path, holds: `${files.length} file(s) outside git` } : undefined;
  }
  const w = heldWork(path, base);
  if (!holdsWork(w)) return undefined;
  const commits =
    w.unmerged > 0
      ? listCommits(path, ['HEAD', '--not', `refs/heads/${base}`])
      : w.unpushed > 0
        ? listCommits(path, ['--branches', '--not', '--remotes'])
        : undefined;
  return { who, path, holds: `${describeHeldWork(w, base)}${commits?.total ? ` (${describeCommits(commits)})` : ''}` };
}

/**
 * Branches of a rig's own repository (`<rig>/.repo.git`) with commits the repository the rig came from does not
 * have: landed work not delivered or pushed, work branches never landed. Origin is fetched first (into
 * refs/gt/origin/*); a commit counts as there when an origin branch contains it or has the same change.
 */
export function inspectRigRepo(repo: string, defaultBranch: string): HeldWorkReport[] {
  if (!existsSync(repo)) return [];
  const url = remoteUrl(repo, 'origin');
  const fetched = url
    ? fetchFrom(repo, 'origin', ['+refs/heads/*:refs/gt/origin/*'], { prune: true, timeoutMs: 120_000 }).ok
    : false;
  const where = url
    ? `${url}${fetched ? '' : ' (which could not be reached; as last seen)'}`
    : 'any other repository (the rig has no origin)';
  const base = revParse(repo, `refs/gt/origin/${defaultBranch}`);
  // The empty first commit `gt rig add` gives an empty repository is no one's work.
  const emptyRoots = emptyRootCommits(repo).map((c) => `^${c}`);
  const out: HeldWorkReport[] = [];
  for (const { ref, commit: sha } of listRefs(repo, 'refs/heads/')) {
    const branch = ref.slice('refs/heads/'.length);
    if (anyRefContains(repo, sha, 'refs/gt/origin')) continue;
    const commits = listCommits(repo, [
      ...(base ? ['--cherry-pick', '--right-only', '--no-merges', `${base}...${sha}`] : [sha]),
      ...emptyRoots,
    ]);
    if (commits.total === 0) continue;
    out.push({
      who: `branch ${branch}`,
      path: repo,
      holds: `${commits.total} commit${commits.total === 1 ? '' : 's'} not in ${where}: ${describeCommits(commits)}`,
    });
  }
  return out;
}

/** One line naming every holder, what it holds and where. */
export function describeHolders(reports: readonly HeldWorkReport[]): string {
  return reports.map((r) => `${r.who} holds ${r.holds}, in ${r.path}`).join('; ');
}

/**
 * Save a repository's work to `file` before it is deleted: uncommitted files of each listed work tree become a
 * snapshot commit under refs/gt/saved/<label>, then every ref goes into one bundle. Returns the bundle's path.
 * Read it back with `git clone <file>` or `git fetch <file> 'refs/*:refs/saved/*'`.
 */
export function saveToBundle(
  repo: string,
  file: string,
  workTrees: readonly { label: string; path: string }[] = [],
): string {
  for (const w of workTrees) {
    if (!existsSync(join(w.path, '.git'))) continue;
    // Uncommitted files as a commit on HEAD; else HEAD itself (a detached head's commits are on no branch).
    if (!snapshotWorkTree(w.path, `refs/gt/saved/${w.label}`)) {
      const head = revParse(w.path, 'HEAD');
      if (head) setRef(w.path, `refs/gt/saved/${w.label}`, head);
    }
  }
  return writeBundle(repo, file);
}
