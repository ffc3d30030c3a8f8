// The runtime's Gas Town-owned hook settings for an agent on an SSH host: what runtime-setup.ts installs here, with
// the host's gt shim in the hooks, written by the start's one ssh call (remote.ts).
import { dirname } from 'node:path';
import { claudeSettings, CLAUDE_SETTINGS_FILE } from '../../agents/claude-settings.ts';
import { GEMINI_SETTINGS_FILE, geminiSettings } from '../../agents/gemini-settings.ts';
import type { AgentPreset } from '../../agents/index.ts';
import { existsAt } from '../../git/index.ts';
import { isK8sHost, type HostConfig } from '../../providers/index.ts';
import { shellQuote } from '../../tmux/index.ts';
import type { TownContext } from '../../town/index.ts';
import { getPolecat } from '../polecats/table.ts';
import type { AgentIdentity } from './identity.ts';
import { withStore, type RemoteStart } from './remote.ts';
import { claudeSettingsFor, type RuntimeSetup } from './runtime-setup.ts';

/** Where an agent's Gas Town-owned runtime files live on its host. */
export function remoteAgentDir(h: HostConfig, id: AgentIdentity): string {
  return `${h.dir}/agents/${id.session}`;
}

/**
 * The runtime's Gas Town-owned hook settings on the host, as here (runtime-setup.ts) but with the host's gt shim in
 * the hooks, written by the start's one ssh call, so the agent primes itself at session start as it does here:
 * - Claude Code (hooks kind claude-settings with a settings flag): its settings file in `<dir>/agents/<session>/`
 *   (0600 in a 0700 directory: its hooks act as the agent), passed with the settings flag;
 * - Gemini CLI: the workspace's `.gemini/settings.json`, listed in the host clone's `info/exclude` (never
 *   committed), unless the polecat's branch tracks such a file (then the agent is told to run `gt prime`).
 * Other runtimes, and pods, get no settings there yet: their first prompt tells them to run `gt prime`. Returns the
 * setup and the start with the settings' writing added to its preparation.
 */
export function remoteRuntime(
  town: TownContext,
  id: AgentIdentity,
  preset: AgentPreset,
  remote: RemoteStart,
): { setup: RuntimeSetup; remote: RemoteStart } {
  const h = remote.host;
  const none = { setup: { primesItself: false }, remote };
  if (isK8sHost(h)) return none;
  const gt = [`${h.dir}/bin/gt`];
  const q = shellQuote;
  const withPrepare = (setup: RuntimeSetup, lines: string[]) => ({
    setup,
    remote: { ...remote, prepare: `${remote.prepare}\n${lines.join('\n')}` },
  });
  if (preset.hooks.kind === 'claude-settings' && preset.hooks.settingsFlag) {
    const dir = remoteAgentDir(h, id);
    const file = `${dir}/${CLAUDE_SETTINGS_FILE}`;
    const settings = claudeSettings({ ...claudeSettingsFor(id, town), gtCommand: gt });
    return withPrepare({ settingsPath: file, primesItself: true }, [
      'umask 077',
      `mkdir -p ${q(dir)}`,
      `cat > ${q(file)} <<'GT_CLAUDE_SETTINGS'`,
      JSON.stringify(settings, null, 2),
      'GT_CLAUDE_SETTINGS',
      'umask 022',
    ]);
  }
  if (preset.hooks.kind === 'gemini-settings') {
    // A file the branch tracks is the project's: left alone, as here (the host's worktree is that branch).
    const branch = withStore(town, (s) => getPolecat(s, id.rig!, id.name))?.branch;
    const repo = town.paths.repo(id.rig!);
    if (branch && existsAt(repo, branch, GEMINI_SETTINGS_FILE)) return none;
    const f = GEMINI_SETTINGS_FILE;
    return withPrepare({ primesItself: true }, [
      `( cd ${q(remote.workdir)}`,
      // Ours (it names Gas Town's hooks) or missing: written; a person's own file on the host is kept.
      `  if [ ! -e ${q(f)} ] || grep -q '"gastown-prime"' ${q(f)}; then`,
      `    mkdir -p ${q(dirname(f))}`,
      `    cat > ${q(f)} <<'GT_GEMINI_SETTINGS'`,
      JSON.stringify(geminiSettings({ gtCommand: gt }), null, 2),
      'GT_GEMINI_SETTINGS',
      '  fi',
      '  common=$(git rev-parse --git-common-dir)',
      '  case $common in /*) ;; *) common=$PWD/$common ;; esac',
      '  mkdir -p "$common/info"',
      `  grep -qxF ${q(`/${f}`)} "$common/info/exclude" 2>/dev/null ||`,
      `    printf '# agent hook settings (gt)\\n%s\\n' ${q(`/${f}`)} >> "$common/info/exclude"`,
      ')',
    ]);
  }
  return none;
}
