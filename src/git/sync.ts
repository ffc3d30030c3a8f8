// Remotes: their URLs, fetching what they gained, and bringing a remote's new commits into a local branch when that
// is a fast-forward. Never prompts for credentials (a non-interactive run would hang).
import { dirname } from 'node:path';
import { git, gitTry, type GitOptions } from './git.ts';
import { fastForward, isAncestor, revParse } from './integrate.ts';

const NO_PROMPT = { GIT_TERMINAL_PROMPT: '0' };

/** The URL of the remote `name`, when the repository has one. */
export function remoteUrl(repo: string, name = 'origin'): string | undefined {
  const r = gitTry(repo, ['remote', 'get-url', name]);
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : undefined;
}

export function addRemote(repo: string, name: string, url: string): void {
  git(repo, ['remote', 'add', name, url]);
}

export function renameRemote(repo: string, from: string, to: string): void {
  git(repo, ['remote', 'rename', from, to]);
}

/** True when `dir` is a bare repository. */
export function isBareRepository(dir: string): boolean {
  return gitTry(dir, ['rev-parse', '--is-bare-repository']).stdout.trim() === 'true';
}

export type FetchOutcome = { ok: true } | { ok: false; error: string };

/**
 * Fetch from `remote` (a name, URL or path): its configured refspecs, or `refspecs` (e.g. `+refs/heads/*:refs/x/*`);
 * FETCH_HEAD is not written. `prune` drops local refs the remote no longer has. The error is git's reason in one line.
 */
export function fetchFrom(
  repo: string,
  remote: string,
  refspecs: readonly string[] = [],
  opts: { prune?: boolean; timeoutMs?: number } = {},
): FetchOutcome {
  const args = [
    'fetch',
    '--quiet',
    ...(opts.prune ? ['--prune'] : []),
    ...(refspecs.length ? ['--no-write-fetch-head'] : []),
    remote,
    ...refspecs,
  ];
  const r = gitTry(repo, args, { env: NO_PROMPT, timeoutMs: opts.timeoutMs ?? 5 * 60_000 });
  return r.status === 0 ? { ok: true } : { ok: false, error: reasonOf(r.stderr || r.stdout) };
}

/** git's reason in one line: its first `fatal:` or `error:` line, else its last line. */
function reasonOf(text: string): string {
  const lines = text
    .trim()
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.find((l) => /^(fatal|error):/.test(l)) ?? lines.at(-1) ?? '';
}

export type TransferOutcome = { ok: true } | { ok: false; output: string };

/** git's whole output of a failed run: its stderr, else its stdout, trimmed. */
const outputOf = (r: { stderr: string; stdout: string }): string => r.stderr.trim() || r.stdout.trim();

/**
 * Clone `url` into `dest` (run from `dest`'s parent directory, which must exist), on `branch` when given. `env`
 * reaches git (e.g. an auth header as config from the environment, never on the command line); never prompts.
 * A refusal is data with git's output; `dest` may be left half-made, the caller removes it.
 */
export function cloneFrom(
  url: string,
  dest: string,
  opts: { branch?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): TransferOutcome {
  const r = gitTry(
    dirname(dest),
    ['clone', '--quiet', ...(opts.branch ? ['--branch', opts.branch] : []), url, dest],
    gitOpts(opts),
  );
  return r.status === 0 ? { ok: true } : { ok: false, output: outputOf(r) };
}

/**
 * Push `refspec` (`<src>:<dst>`, e.g. `HEAD:refs/heads/x`) from `dir` to `remote` (a name, URL or path); `force`
 * overwrites whatever the remote's ref held. Never prompts. A refusal is data with git's output.
 */
export function pushTo(
  dir: string,
  remote: string,
  refspec: string,
  opts: { force?: boolean; env?: Record<string, string>; timeoutMs?: number } = {},
): TransferOutcome {
  const r = gitTry(dir, ['push', '--quiet', ...(opts.force ? ['--force'] : []), remote, refspec], gitOpts(opts));
  return r.status === 0 ? { ok: true } : { ok: false, output: outputOf(r) };
}

function gitOpts(opts: { env?: Record<string, string>; timeoutMs?: number }): GitOptions {
  return {
    env: { ...NO_PROMPT, ...opts.env },
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
  };
}

export type SyncState = 'up-to-date' | 'fast-forwarded' | 'diverged' | 'unreachable';

/**
 * Fetch `remote`'s `branch` into `tracking` (a ref the caller owns, e.g. `refs/gt/origin/main`), then move the local
 * `branch` to it when that is a fast-forward (compare-and-set, `why` in the reflog). Returns what happened with
 * both tips; a local branch the remote lacks commits of, or that diverged, is never rewritten.
 */
export function syncBranch(
  repo: string,
  remote: string,
  branch: string,
  tracking: string,
  why: string,
): { state: SyncState; ours?: string; theirs?: string } {
  if (!fetchFrom(repo, remote, [`+refs/heads/${branch}:${tracking}`]).ok) return { state: 'unreachable' };
  const theirs = revParse(repo, tracking);
  const ours = revParse(repo, `refs/heads/${branch}`);
  const tips = { ...(ours ? { ours } : {}), ...(theirs ? { theirs } : {}) };
  if (!theirs || !ours || theirs === ours || isAncestor(repo, theirs, ours)) return { state: 'up-to-date', ...tips };
  if (!isAncestor(repo, ours, theirs)) return { state: 'diverged', ...tips };
  fastForward(repo, branch, theirs, ours, why);
  return { state: 'fast-forwarded', ...tips };
}

export type MergeOutcome = { ok: true } | { ok: false; error: string };

/** `git merge --ff-only <rev>` in the work tree `wt` (its files follow); the error is git's whole message. */
export function mergeFastForward(wt: string, rev: string): MergeOutcome {
  const r = gitTry(wt, ['merge', '--ff-only', '--quiet', rev]);
  return r.status === 0 ? { ok: true } : { ok: false, error: (r.stderr || r.stdout).trim() };
}
