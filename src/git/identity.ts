// The git user name, with a cheap staleness key so callers can cache it instead of spawning git every time.
import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { configGet } from './git.ts';

/**
 * A key that changes whenever a git config file that usually holds user.name changes (global, XDG, the repo's).
 * Undefined when the repo's config cannot be located simply (e.g. inside a linked worktree): then do not cache.
 */
export function identityStamp(root: string, env: NodeJS.ProcessEnv): string | undefined {
  const files = [
    env.GIT_CONFIG_GLOBAL ?? join(env.HOME ?? homedir(), '.gitconfig'),
    join(env.XDG_CONFIG_HOME ?? join(env.HOME ?? homedir(), '.config'), 'git', 'config'),
  ];
  try {
    if (!statSync(join(root, '.git')).isDirectory()) return undefined;
  } catch {
    // not a repository root: only the global files matter
  }
  files.push(join(root, '.git', 'config'));
  return files
    .map((f) => {
      try {
        const s = statSync(f, { bigint: true });
        return `${s.mtimeNs}:${s.size}`;
      } catch {
        return '-';
      }
    })
    .join('|');
}

/** git's user.name for `root`, or undefined (unset, or git missing). */
export function gitUserName(root: string): string | undefined {
  return configGet(root, 'user.name');
}
