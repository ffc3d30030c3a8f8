// Typed wrapper over the git CLI: running git, repo discovery and config.
import { runSync, type RunResult } from '../proc/index.ts';
import { GtError } from '../kernel/index.ts';

export interface GitOptions {
  input?: string;
  /** Variables added to the inherited environment. */
  env?: Record<string, string>;
  timeoutMs?: number;
}

function runGit(cwd: string, args: readonly string[], opts: GitOptions): RunResult {
  return runSync('git', args, {
    cwd,
    ...(opts.input !== undefined ? { input: opts.input } : {}),
    ...(opts.env ? { env: { ...process.env, ...opts.env } } : {}),
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
  });
}

/** Run git in `cwd`; throws GIT_FAILED with git's own message on a non-zero exit. */
export function git(cwd: string, args: readonly string[], opts: GitOptions = {}): string {
  const r = runGit(cwd, args, opts);
  if (r.status !== 0) {
    throw new GtError('GIT_FAILED', `git ${args.join(' ')} failed in ${cwd}: ${r.stderr.trim() || r.stdout.trim()}`);
  }
  return r.stdout;
}

/** Run git in `cwd` and return the outcome whatever the exit status (a missing git still throws PROC_NOT_FOUND). */
export function gitTry(cwd: string, args: readonly string[], opts: GitOptions = {}): RunResult {
  return runGit(cwd, args, opts);
}

/** The top of the work tree containing `cwd`, or undefined outside a repository (or without git). */
export function repoRoot(cwd: string): string | undefined {
  try {
    const r = runSync('git', ['rev-parse', '--show-toplevel'], { cwd });
    return r.status === 0 ? r.stdout.trim() : undefined;
  } catch {
    return undefined;
  }
}

/** A git config value, or undefined when unset or git is missing. */
export function configGet(cwd: string, key: string): string | undefined {
  try {
    const r = runSync('git', ['config', '--get', key], { cwd });
    const v = r.stdout.trim();
    return r.status === 0 && v ? v : undefined;
  } catch {
    return undefined;
  }
}

export function configSet(cwd: string, key: string, value: string): void {
  git(cwd, ['config', key, value]);
}
