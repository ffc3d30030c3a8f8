// Saving work before something is deleted on purpose: commits listed by name, uncommitted files snapshotted into a
// commit (the work tree and index untouched), and a bundle file that `git clone` or `git fetch` can read back.
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { git, gitTry } from './git.ts';

export interface CommitLine {
  sha: string;
  subject: string;
}

/** Commits `git rev-list <args>` selects, newest first, with their subjects (at most `max`, and the total). */
export function listCommits(dir: string, args: readonly string[], max = 5): { total: number; commits: CommitLine[] } {
  const r = gitTry(dir, ['log', '--format=%H%x00%s', ...args]);
  if (r.status !== 0) return { total: 0, commits: [] };
  const lines = r.stdout.split('\n').filter(Boolean);
  return {
    total: lines.length,
    commits: lines.slice(0, max).map((l) => ({ sha: l.split('\0')[0]!, subject: l.split('\0')[1] ?? '' })),
  };
}

export interface SourcedCommit {
  sha: string;
  /** Author date, ISO 8601. */
  at: string;
  author: string;
  /** The ref it was first reached from, as `git log --source` names it (`polecat/x`, `main`, or `refs/heads/…`). */
  source: string;
  subject: string;
}

/**
 * The non-merge commits reachable from `refs` (names, or `--branches=<glob>`), newest first, each with the ref it
 * was reached from; `since` limits them by commit date. [] when git cannot read them.
 */
export function commitsBySource(dir: string, refs: readonly string[], since?: string): SourcedCommit[] {
  const r = gitTry(dir, [
    'log',
    ...refs,
    '--no-merges',
    '--format=%H%x00%aI%x00%an%x00%S%x00%s',
    '--source',
    ...(since ? [`--since=${since}`] : []),
  ]);
  if (r.status !== 0) return [];
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [sha = '', at = '', author = '', source = '', subject = ''] = line.split('\0');
      return { sha, at, author, source, subject };
    });
}

/** "a1b2c3d4e5f6 Add greet, 0f9e8d7c6b5a Fix typo, and 3 more" */
export function describeCommits(list: { total: number; commits: readonly CommitLine[] }): string {
  const named = list.commits.map((c) => `${c.sha.slice(0, 12)} ${JSON.stringify(c.subject)}`).join(', ');
  return list.total > list.commits.length ? `${named}, and ${list.total - list.commits.length} more` : named;
}

/**
 * Record everything in the work tree `dir` (tracked changes and untracked files, not ignored ones) as a commit on
 * top of HEAD under `ref`, through a temporary index: the work tree, the real index and HEAD are not touched.
 * Returns the commit, or undefined when there is nothing uncommitted.
 */
export function snapshotWorkTree(dir: string, ref: string): string | undefined {
  if (!git(dir, ['status', '--porcelain', '--untracked-files=all']).trim()) return undefined;
  const index = join(git(dir, ['rev-parse', '--absolute-git-dir']).trim(), `gt-snapshot-${process.pid}.index`);
  const env = { GIT_INDEX_FILE: index };
  try {
    const head = gitTry(dir, ['rev-parse', '--verify', '--quiet', 'HEAD']).stdout.trim();
    if (head) git(dir, ['read-tree', head], { env });
    git(dir, ['add', '-A'], { env });
    const tree = git(dir, ['write-tree'], { env }).trim();
    const commit = git(
      dir,
      [
        '-c',
        'user.name=Gas Town',
        '-c',
        'user.email=gastown@localhost',
        'commit-tree',
        tree,
        ...(head ? ['-p', head] : []),
        '-m',
        'Uncommitted work saved by gt before removal',
      ],
      {},
    ).trim();
    git(dir, ['update-ref', ref, commit]);
    return commit;
  } finally {
    rmSync(index, { force: true });
  }
}

/** Write every ref of `dir`'s repository (branches, tags, stashes, saved snapshots) to a bundle file at `file`. */
export function writeBundle(dir: string, file: string, refs: readonly string[] = ['--all']): string {
  mkdirSync(dirname(file), { recursive: true });
  git(dir, ['bundle', 'create', '--quiet', file, ...refs]);
  git(dir, ['bundle', 'verify', '--quiet', file]);
  return file;
}
