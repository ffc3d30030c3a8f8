// The environment an agent session starts with: its role and identity, and a PATH whose `gt` and `bd` are this
// same installation (small shims in the town's runtime directory).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { installRoot, writeFileAtomic } from '../../kernel/index.ts';
import { shellQuote } from '../../tmux/index.ts';
import type { TownContext } from '../../town/index.ts';
import type { AgentIdentity } from './identity.ts';

/** Write `<town>/.runtime/bin/{gt,bd}` pointing at this installation under this Node; returns the directory. */
export function ensureShims(town: TownContext): string {
  const dir = join(town.paths.runtime, 'bin');
  mkdirSync(dir, { recursive: true });
  for (const tool of ['gt', 'bd']) {
    const script = `#!/bin/sh\nexec ${shellQuote(process.execPath)} ${shellQuote(join(installRoot(), 'bin', `${tool}.js`))} "$@"\n`;
    writeFileAtomic(join(dir, tool), script, { mode: 0o755 });
  }
  return dir;
}

/** The role's environment: GT_* identity, BD_ACTOR, git author and committer, PATH with the shims first. */
export function roleEnv(town: TownContext, id: AgentIdentity, shimDir: string): Record<string, string> {
  const env: Record<string, string> = {
    GT_ROOT: town.root,
    GT_ROLE: id.role,
    GT_NAME: id.name,
    GT_ADDRESS: id.address,
    GT_SESSION: id.session,
    BD_ACTOR: id.address,
    GIT_AUTHOR_NAME: id.git.name,
    GIT_AUTHOR_EMAIL: id.git.email,
    GIT_COMMITTER_NAME: id.git.name,
    GIT_COMMITTER_EMAIL: id.git.email,
    PATH: `${shimDir}:${town.env.PATH ?? '/usr/local/bin:/usr/bin:/bin'}`,
  };
  if (id.rig) env.GT_RIG = id.rig;
  if (town.env.GT_TMUX_SOCKET) env.GT_TMUX_SOCKET = town.env.GT_TMUX_SOCKET;
  if (id.role === 'polecat') Object.assign(env, withoutForgeCredentials(town));
  return env;
}

/**
 * Polecats never merge or push past branch protection (`gh pr merge --admin`): only the refinery merges, and only
 * what it saw green. A deny rule can be talked around (`bash -c`, an alias); a missing credential cannot, so a
 * polecat starts with the GitHub tokens emptied and `gh` pointed at an empty config directory (not logged in).
 */
export function withoutForgeCredentials(town: TownContext): Record<string, string> {
  const empty = join(town.paths.runtime, 'no-forge-credentials');
  mkdirSync(empty, { recursive: true });
  return { GITHUB_TOKEN: '', GH_TOKEN: '', GH_ENTERPRISE_TOKEN: '', GITHUB_ENTERPRISE_TOKEN: '', GH_CONFIG_DIR: empty };
}

/**
 * A line for a runtime's session env file (Claude Code's `$CLAUDE_ENV_FILE`, sourced before each Bash command):
 * the PATH the agent was started with (`startPath`, this gt's shims first), since a Bash tool that runs a login
 * shell resets PATH (/etc/profile) and would lose gt, bd and the agent CLIs.
 */
export function sessionEnvScript(shimDir: string, startPath: string | undefined): string {
  const rest = (startPath ?? '').split(':').filter((p) => p !== '' && p !== shimDir);
  return `export PATH=${shellQuote([shimDir, ...rest].join(':'))}\n`;
}
