// Repositories as a whole: presence of git, clones, branches, commits and reading files at a revision.
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { GtError, isGtError } from '../kernel/index.ts';
import { git, gitTry } from './git.ts';

/** Author and committer used where git must write a commit on our behalf. */
export interface GitIdentity {
  name: string;
  email: string;
}

/** Clones may take long on big repositories; prompts for credentials would hang a non-interactive run. */
const CLONE = { timeoutMs: 60 * 60_000, env: { GIT_TERMINAL_PROMPT: '0' } };

/** git's version string (e.g. "2.39.5"); GIT_NOT_FOUND when git is not on PATH. */
export function gitVersion(): string {
  try {
    const out = git(process.cwd(), ['--version']);
    return /(\d+\.\d+(?:\.\d+)?)/.exec(out)?.[1] ?? out.trim();
  } catch (e) {
    if (isGtError(e) && e.code === 'PROC_NOT_FOUND') {
      throw new GtError('GIT_NOT_FOUND', 'git is not installed or not on PATH', {
        hint: 'install git 2.25 or newer and make sure it is on PATH',
      });
    }
    throw e;
  }
}

/** `git clone --bare url dest`, with remote-tracking refs configured so later fetches keep the remote's branches. */
export function cloneBare(url: string, dest: string): void {
  const r = gitTry(process.cwd(), ['clone', '--bare', '--quiet', '--', url, dest], CLONE);
  if (r.status !== 0) {
    const lines = r.stderr
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    const why = (lines.find((l) => l.startsWith('fatal:')) ?? lines[0] ?? `git exited with status ${r.status}`).replace(
      /^fatal:\s*/,
      '',
    );
    throw new GtError('GIT_CLONE_FAILED', `cannot clone ${url}: ${why}`, {
      hint: 'check the URL or path, and that git clone can read it from this machine',
    });
  }
  git(dest, ['config', 'remote.origin.fetch', '+refs/heads/*:refs/remotes/origin/*']);
}

/** A full clone of `src` into `dest` (src is usually a local bare repository, so no network is used). */
export function cloneRepo(src: string, dest: string, opts: { branch?: string } = {}): void {
  const branch = opts.branch ? ['--branch', opts.branch] : [];
  git(process.cwd(), ['clone', '--quiet', ...branch, '--', src, dest], CLONE);
}

/** `git init` with the given initial branch name. */
export function initRepo(dir: string, branch: string): void {
  git(dir, ['init', '--quiet', `--initial-branch=${branch}`]);
}

/** True when `dir` itself is the top of a work tree (has its own `.git`), not merely inside another repository. */
export function isRepoTop(dir: string): boolean {
  return existsSync(join(dir, '.git'));
}

/** The branch HEAD points at (born or not), or undefined when HEAD is detached. */
export function headBranch(repo: string): string | undefined {
  const r = gitTry(repo, ['symbolic-ref', '--quiet', '--short', 'HEAD']);
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : undefined;
}

export function setHeadBranch(repo: string, branch: string): void {
  git(repo, ['symbolic-ref', 'HEAD', `refs/heads/${branch}`]);
}

export function branchExists(repo: string, branch: string): boolean {
  return gitTry(repo, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`]).status === 0;
}

export function listBranches(repo: string): string[] {
  return git(repo, ['for-each-ref', '--format=%(refname:short)', 'refs/heads']).split('\n').filter(Boolean);
}

/** True when the repository has at least one commit reachable from a ref. */
export function hasCommits(repo: string): boolean {
  return git(repo, ['for-each-ref', '--count=1', '--format=%(objectname)']).trim() !== '';
}

/**
 * Give an empty repository its first commit (an empty tree) on `branch`, written with plumbing so it works in a
 * bare repository with no work tree. Returns the new commit id.
 */
export function createInitialCommit(
  repo: string,
  branch: string,
  who: GitIdentity,
  message = 'Initial commit',
): string {
  const tree = git(repo, ['mktree'], { input: '' }).trim();
  const id = ['-c', `user.name=${who.name}`, '-c', `user.email=${who.email}`];
  const commit = git(repo, [...id, 'commit-tree', tree, '-m', message]).trim();
  git(repo, ['update-ref', `refs/heads/${branch}`, commit, '']);
  return commit;
}

/** Stage everything and commit in a work tree, with `who` when git has no identity configured there. */
export function commitAll(dir: string, message: string, who: GitIdentity): void {
  git(dir, ['add', '-A']);
  const id = configuredIdentity(dir) ? [] : ['-c', `user.name=${who.name}`, '-c', `user.email=${who.email}`];
  git(dir, [...id, 'commit', '--quiet', '-m', message]);
}

/**
 * Commit everything in the work tree `dir` (tracked changes and untracked files) as `who` (author and committer),
 * with `-m` for each of `message`; commit hooks are skipped (`none`: every hook, not only pre-commit and commit-msg).
 * False when there was nothing to commit.
 */
export function commitWorkTree(
  dir: string,
  message: readonly string[],
  who: GitIdentity,
  opts: { hooks?: 'no-verify' | 'none' } = {},
): boolean {
  if (git(dir, ['status', '--porcelain', '--untracked-files=all']).trim() === '') return false;
  const env = {
    GIT_AUTHOR_NAME: who.name,
    GIT_AUTHOR_EMAIL: who.email,
    GIT_COMMITTER_NAME: who.name,
    GIT_COMMITTER_EMAIL: who.email,
  };
  git(dir, ['add', '-A'], { env });
  const noHooks = opts.hooks === 'none' ? ['-c', 'core.hooksPath=/dev/null'] : [];
  git(
    dir,
    [
      '-c',
      'commit.gpgsign=false',
      ...noHooks,
      'commit',
      '--quiet',
      '--no-verify',
      ...message.flatMap((m) => ['-m', m]),
    ],
    { env },
  );
  return true;
}

/** The repository's shared git directory (for a linked work tree, the main repository's; absolute). */
export function commonGitDir(dir: string): string {
  return resolve(dir, git(dir, ['rev-parse', '--git-common-dir']).trim());
}

/**
 * Add `patterns` to a repository's `info/exclude` (under `commonDir`, so shared by all its work trees), each once,
 * below a comment saying why: files that are not the user's work stay out of `git status` without touching a
 * tracked `.gitignore`.
 */
export function excludeLocally(commonDir: string, patterns: readonly string[], why: string): void {
  const file = join(commonDir, 'info', 'exclude');
  const have = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const lines = new Set(have.split('\n').map((l) => l.trim()));
  const add = [...new Set(patterns)].filter((p) => !lines.has(p));
  if (add.length === 0) return;
  mkdirSync(join(commonDir, 'info'), { recursive: true });
  appendFileSync(file, `${have && !have.endsWith('\n') ? '\n' : ''}# ${why}\n${add.join('\n')}\n`);
}

/** The commit HEAD points at; throws GIT_FAILED with git's message outside a repository or before the first commit. */
export function headCommit(dir: string): string {
  return git(dir, ['rev-parse', 'HEAD']).trim();
}

/**
 * Where `dir` sits in a repository: its shared git directory (absolute; the main repository's for a linked work
 * tree) and its path below the work tree's top (`sub/dir/`, `''` at the top). Undefined outside a repository.
 */
export function placeInRepo(dir: string): { commonDir: string; prefix: string } | undefined {
  const r = gitTry(dir, ['rev-parse', '--git-common-dir', '--show-prefix']);
  if (r.status !== 0) return undefined;
  const [common = '', prefix = ''] = r.stdout.split('\n');
  return { commonDir: resolve(dir, common.trim()), prefix: prefix.trim() };
}

/** True when the index of the repository holding `dir` tracks `path` (relative to `dir`). */
export function isTracked(dir: string, path: string): boolean {
  return gitTry(dir, ['ls-files', '--error-unmatch', '--', path]).status === 0;
}

function configuredIdentity(dir: string): boolean {
  const get = (k: string): boolean => gitTry(dir, ['config', '--get', k]).stdout.trim() !== '';
  return get('user.name') && get('user.email');
}

/** True when `path` is in the tree of `rev`. */
export function existsAt(repo: string, rev: string, path: string): boolean {
  return gitTry(repo, ['cat-file', '-e', `${rev}:${path}`]).status === 0;
}

/** The text of `path` at `rev`, or undefined when the file is not there. */
export function readFileAt(repo: string, rev: string, path: string): string | undefined {
  return existsAt(repo, rev, path) ? git(repo, ['show', `${rev}:${path}`]) : undefined;
}

/** True when git's index holds `path` as unmerged (a merge, rebase, cherry-pick or stash pop stopped on it). */
export function isUnmerged(dir: string, path: string): boolean {
  const r = gitTry(dir, ['ls-files', '-u', '--', path]);
  return r.status === 0 && r.stdout.trim() !== '';
}

/**
 * One side of an unmerged file from the index: stage 1 = the merge base, 2 = ours, 3 = theirs (`path` relative to
 * `dir`); '' when the index has no such stage.
 */
export function conflictStage(dir: string, path: string, stage: 1 | 2 | 3): string {
  const r = gitTry(dir, ['show', `:${stage}:./${path}`]);
  return r.status === 0 ? r.stdout : '';
}

/** The value git's attributes give `attr` for `path` (`unspecified`, `set`, `unset` or a value); undefined outside a repository. */
export function attributeOf(dir: string, attr: string, path: string): string | undefined {
  const r = gitTry(dir, ['check-attr', attr, '--', path]);
  return r.status === 0 ? /: [^:]+: (.*)$/.exec(r.stdout.trim())?.[1] : undefined;
}

/** True when HEAD has no commit yet (a fresh `git init`). */
export function isUnborn(dir: string): boolean {
  return gitTry(dir, ['rev-parse', '--verify', '--quiet', 'HEAD']).status !== 0;
}
