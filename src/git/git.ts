// Typed wrapper over the git CLI, for what the store needs: repo discovery and config.
import { runSync } from '../proc/index.ts';
import { GtError } from '../kernel/index.ts';

/** Run git in `cwd`; throws GIT_FAILED with git's own message on a non-zero exit. */
export function git(cwd: string, args: readonly string[], opts: { input?: string } = {}): string {
  const r = runSync('git', args, { cwd, ...(opts.input !== undefined ? { input: opts.input } : {}) });
  if (r.status !== 0) {
    throw new GtError('GIT_FAILED', `git ${args.join(' ')} failed in ${cwd}: ${r.stderr.trim() || r.stdout.trim()}`);
  }
  return r.stdout;
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
