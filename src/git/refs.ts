// Refs and commit objects: set or delete a ref (compare-and-set), list refs under a prefix, count and name commits,
// and write a commit from a tree without a work tree.
import { git, gitTry } from './git.ts';
import type { GitIdentity } from './repo.ts';

/**
 * Point `ref` at `to`. With `from`, only if it still points there (compare-and-set; `''` = only if it does not exist
 * yet); otherwise throws GIT_FAILED and the ref keeps what another writer put there. `why` goes to the reflog.
 */
export function setRef(repo: string, ref: string, to: string, opts: { from?: string; why?: string } = {}): void {
  git(repo, [
    'update-ref',
    ...(opts.why ? ['-m', opts.why] : []),
    ref,
    to,
    ...(opts.from !== undefined ? [opts.from] : []),
  ]);
}

/** Delete `ref` (only while it points at `expected`, when given); true when git deleted it. */
export function deleteRef(repo: string, ref: string, expected?: string): boolean {
  return gitTry(repo, ['update-ref', '-d', ref, ...(expected ? [expected] : [])]).status === 0;
}

export interface RefEntry {
  ref: string;
  commit: string;
  /** The commit's first parent (null for a root commit). */
  parent: string | null;
}

/** The refs under `prefix` (e.g. `refs/heads/`), by name; `descending` puts the highest name first. */
export function listRefs(repo: string, prefix: string, opts: { descending?: boolean } = {}): RefEntry[] {
  const out = git(repo, [
    'for-each-ref',
    `--sort=${opts.descending ? '-' : ''}refname`,
    '--format=%(refname)%00%(objectname)%00%(parent)',
    prefix,
  ]);
  return out
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [ref = '', commit = '', parents = ''] = l.split('\0');
      return { ref, commit, parent: parents.split(' ')[0] || null };
    });
}

/** True when some ref under `prefix` contains `commit` (has it in its history). */
export function anyRefContains(repo: string, commit: string, prefix: string): boolean {
  return gitTry(repo, ['for-each-ref', '--count=1', '--contains', commit, prefix]).stdout.trim() !== '';
}

/** The tree of `rev`, or undefined when `rev` names nothing. */
export function treeOf(repo: string, rev: string): string | undefined {
  const r = gitTry(repo, ['rev-parse', '--verify', '--quiet', `${rev}^{tree}`]);
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** git's id of the empty tree (SHA-1 repositories). */
export const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

/** Root commits of the local branches whose tree is empty (what `gt rig add` gives an empty repository). */
export function emptyRootCommits(repo: string): string[] {
  return gitTry(repo, ['rev-list', '--max-parents=0', '--branches'])
    .stdout.split('\n')
    .filter(Boolean)
    .filter((c) => treeOf(repo, c) === EMPTY_TREE);
}

/** How many commits `tips` reach that none of `notIn` reach (`git rev-list --count`); throws on a bad name. */
export function countCommits(repo: string, tips: readonly string[], notIn: readonly string[] = []): number {
  return Number(git(repo, ['rev-list', '--count', ...tips, ...(notIn.length ? ['--not', ...notIn] : [])]).trim()) || 0;
}

/** The commits of `to` missing from `from` (all of `to`'s history without `from`), newest first; [] when unreadable. */
export function commitsBetween(repo: string, from: string | undefined, to: string): string[] {
  const r = gitTry(repo, ['rev-list', ...(from ? [`${from}..${to}`] : [to])]);
  return r.status === 0 ? r.stdout.split('\n').filter(Boolean) : [];
}

/**
 * Commits of `head` whose change `upstream` lacks, oldest first: `git cherry`, so a commit landed by rebase or
 * cherry-pick (same patch, new id) counts as there.
 */
export function commitsNotUpstream(dir: string, upstream: string, head = 'HEAD'): string[] {
  return git(dir, ['cherry', upstream, head])
    .split('\n')
    .filter((l) => l.startsWith('+'))
    .map((l) => l.slice(2).trim());
}

/**
 * Write a commit of `tree` with `parents` in the object store (no work tree, no ref moved). `author` may carry git's
 * raw date (`GIT_AUTHOR_DATE`) to keep a replayed commit's; `committer` defaults to the author.
 */
export function commitTree(
  repo: string,
  tree: string,
  parents: readonly string[],
  message: string,
  author: GitIdentity & { date?: string },
  committer: GitIdentity = author,
): string {
  const env = {
    GIT_AUTHOR_NAME: author.name,
    GIT_AUTHOR_EMAIL: author.email,
    ...(author.date ? { GIT_AUTHOR_DATE: author.date } : {}),
    GIT_COMMITTER_NAME: committer.name,
    GIT_COMMITTER_EMAIL: committer.email,
  };
  return git(
    repo,
    ['-c', 'commit.gpgsign=false', 'commit-tree', tree, ...parents.flatMap((p) => ['-p', p]), '-F', '-'],
    { input: message, env },
  ).trim();
}
