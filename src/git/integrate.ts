// Putting commits together: resolve, ancestry, rebase onto, merge trees without a work tree, fast-forward a branch
// (compare-and-set), push and read the remote back. Expected outcomes (a conflict, a refused push) are data.
import { GtError } from '../kernel/index.ts';
import { git, gitTry } from './git.ts';
import { commitTree } from './refs.ts';
import type { GitIdentity } from './repo.ts';

/** The commit `rev` names in `dir`, or undefined when it names none. */
export function revParse(dir: string, rev: string): string | undefined {
  const r = gitTry(dir, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]);
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** True when `commit` is `of` or one of its ancestors. */
export function isAncestor(repo: string, commit: string, of: string): boolean {
  return gitTry(repo, ['merge-base', '--is-ancestor', commit, of]).status === 0;
}

const as = (who: GitIdentity): string[] => [
  '-c',
  `user.name=${who.name}`,
  '-c',
  `user.email=${who.email}`,
  '-c',
  'commit.gpgsign=false',
];

export type RebaseOutcome = { ok: true; commit: string } | { ok: false; files: string[]; message: string };

/**
 * Replay the commits of `head` that `onto` lacks on top of `onto`, detached, in the work tree `wt` (`who` commits).
 * A conflict aborts the rebase, leaves `wt` clean on `onto` and names the conflicting files.
 */
export function rebaseOnto(wt: string, head: string, onto: string, who: GitIdentity): RebaseOutcome {
  git(wt, ['checkout', '--quiet', '--force', '--detach', head]);
  const r = gitTry(wt, [...as(who), 'rebase', '--quiet', onto]);
  if (r.status === 0) return { ok: true, commit: git(wt, ['rev-parse', 'HEAD']).trim() };
  const files = gitTry(wt, ['diff', '--name-only', '--diff-filter=U']).stdout.split('\n').filter(Boolean);
  gitTry(wt, ['rebase', '--abort']);
  git(wt, ['checkout', '--quiet', '--force', '--detach', onto]);
  return { ok: false, files, message: (r.stdout + r.stderr).trim() };
}

let mergeTreeSupport: boolean | undefined;

/** `git merge-tree --write-tree` (git 2.38+) merges without a work tree. */
export function canMergeTree(repo: string): boolean {
  if (mergeTreeSupport === undefined) {
    const v = /(\d+)\.(\d+)/.exec(gitTry(repo, ['--version']).stdout);
    mergeTreeSupport = !!v && (Number(v[1]) > 2 || (Number(v[1]) === 2 && Number(v[2]) >= 38));
  }
  return mergeTreeSupport;
}

export type MergeTreeOutcome = { ok: true; tree: string } | { ok: false; files: string[] };

/** Merge `theirs` into `ours` in the object store only: the merged tree, or the files that conflict. */
export function mergeTree(repo: string, ours: string, theirs: string): MergeTreeOutcome {
  const m = gitTry(repo, ['merge-tree', '--write-tree', '--name-only', '--no-messages', ours, theirs]);
  const lines = m.stdout.split('\n').filter(Boolean);
  if (m.status === 0) return { ok: true, tree: lines[0]! };
  if (m.status !== 1) throw new GtError('GIT_FAILED', `git merge-tree failed in ${repo}: ${m.stderr.trim()}`);
  return { ok: false, files: [...new Set(lines.slice(1))] };
}

/**
 * Move `branch` from `from` to `to` only if it still points at `from` (compare-and-set; another writer's move makes
 * this throw, never lose theirs). `why` goes to the reflog.
 */
export function fastForward(repo: string, branch: string, to: string, from: string, why: string): void {
  git(repo, ['update-ref', '-m', why, `refs/heads/${branch}`, to, from]);
}

export type PushOutcome = { ok: true } | { ok: false; reason: 'refused' | 'unverified'; detail: string };

export type PushRefOutcome = { ok: true } | { ok: false; detail: string; nonFastForward: boolean };

/** Push `commit` to `remote`'s `branch` (never forced, no prompts): the refusal's last line, and whether it was not a fast-forward. */
export function pushRef(repo: string, remote: string, commit: string, branch: string): PushRefOutcome {
  const r = gitTry(repo, ['push', '--quiet', '--porcelain', remote, `${commit}:refs/heads/${branch}`], {
    env: { GIT_TERMINAL_PROMPT: '0' },
    timeoutMs: 10 * 60_000,
  });
  if (r.status === 0) return { ok: true };
  const detail =
    (r.stderr || r.stdout)
      .trim()
      .split('\n')
      .filter((l) => !/^(To |Done)/.test(l))
      .pop() ?? 'refused';
  return { ok: false, detail, nonFastForward: /non-fast-forward|fetch first|rejected/.test(r.stdout + r.stderr) };
}

/**
 * Push `commit` to `remote`'s `branch` (never forced, no prompts), then read the remote back: `unverified` when it
 * does not hold `commit` afterwards (a hook that rewrites pushes, a race).
 */
export function pushAndVerify(repo: string, remote: string, commit: string, branch: string): PushOutcome {
  const env = { GIT_TERMINAL_PROMPT: '0' };
  const r = gitTry(repo, ['push', '--quiet', remote, `${commit}:refs/heads/${branch}`], {
    env,
    timeoutMs: 10 * 60_000,
  });
  if (r.status !== 0)
    return { ok: false, reason: 'refused', detail: (r.stderr || r.stdout).trim().split('\n').pop() ?? '' };
  const there = gitTry(repo, ['ls-remote', remote, `refs/heads/${branch}`], { env }).stdout.split(/\s/)[0] ?? '';
  return there === commit ? { ok: true } : { ok: false, reason: 'unverified', detail: there || 'missing' };
}

/**
 * Rebase without a work tree: replay each commit of `head` missing from `onto` (and from every ref matching the
 * `skip` globs) with merge-tree, writing new commits (authors and their dates kept, `who` as committer). The merge
 * base of each step is the branch's fork point, so the replay is cumulative; a commit whose change is already there
 * is dropped, as `git rebase` does. Needs `canMergeTree`.
 */
export function replayOnto(
  repo: string,
  head: string,
  onto: string,
  who: GitIdentity,
  skip: readonly string[] = [],
): RebaseOutcome {
  const l = gitTry(repo, [
    'log',
    '--reverse',
    '--no-merges',
    '--format=%H%x00%T%x00%an%x00%ae%x00%ad%x00%B%x1e',
    '--date=raw',
    `${onto}..${head}`,
    '--not',
    ...skip.map((g) => `--glob=${g}`),
  ]);
  if (l.status !== 0) return { ok: false, files: [], message: `cannot read ${head} in ${repo}: ${l.stderr.trim()}` };
  let tip = onto;
  let tipTree: string | undefined;
  for (const rec of l.stdout
    .split('\x1e')
    .map((r) => r.replace(/^\n/, ''))
    .filter(Boolean)) {
    const [sha, , an, ae, ad, ...body] = rec.split('\x00');
    const m = mergeTree(repo, tip, sha!);
    if (!m.ok) return { ok: false, files: m.files, message: `conflict replaying ${sha!.slice(0, 12)}` };
    tipTree ??= git(repo, ['rev-parse', `${onto}^{tree}`]).trim();
    if (m.tree === tipTree) continue;
    tip = commitTree(repo, m.tree, [tip], body.join('\x00'), { name: an!, email: ae!, date: ad! }, who);
    tipTree = m.tree;
  }
  return { ok: true, commit: tip };
}
