// Per-runtime preparation before an agent starts (its Gas Town-owned hook settings), and the start-up gate that
// waits for its ready prompt.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { excludeLocally, isTracked, placeInRepo } from '../../git/index.ts';
import { writeFileAtomic } from '../../kernel/index.ts';
import { passStartupDialogs, type AgentPreset, type DialogKind, type NudgeTmux } from '../../agents/index.ts';
import { writeClaudeSettings, type ClaudeSettingsOptions } from '../../agents/claude-settings.ts';
import { GEMINI_SETTINGS_FILE, isOursOrMissing, writeGeminiSettings } from '../../agents/gemini-settings.ts';
import { OPENCODE_CONFIG_CONTENT, openCodeConfigContent } from '../../agents/opencode-config.ts';
import { loadRig, type TownContext } from '../../town/index.ts';
import type { AgentIdentity } from './identity.ts';
import { primeText, writeRoleContext } from './role-context.ts';
import { agentRuntimeDir, gtArgv } from './runtime-paths.ts';

export interface RuntimeSetup {
  /** Settings file passed with the runtime's settings flag. */
  settingsPath?: string;
  /** True when the runtime's session-start hook runs `gt prime` itself, so no first prompt is needed for it. */
  primesItself: boolean;
  /** Extra environment for the agent (OpenCode's inline config). */
  env?: Record<string, string>;
  /** Extra arguments for the runtime (Auggie's `--rules <role context>`). */
  args?: string[];
}

export { agentRuntimeDir, gtArgv };

/**
 * What a polecat's Claude may never run, whatever its prompt says (issue 17's guard): merging a pull request, with
 * or without `--admin` (which bypasses branch protection), through gh or the API, and pushing to the rig's default
 * branch. Only the refinery merges, and only what it saw green. Polecats also start without GitHub credentials
 * (roleEnv), so this is the second lock. Claude Code checks each part of a compound command (`cd x && gh pr merge`)
 * against these rules, and deny rules hold under --dangerously-skip-permissions.
 */
export function forgeGuardRules(defaultBranch = 'main'): string[] {
  const b = defaultBranch;
  return [
    'Bash(gh pr merge *)',
    'Bash(gh api *pulls/*/merge*)',
    `Bash(git push * ${b})`,
    `Bash(git push * ${b} *)`,
    `Bash(git push *:${b})`,
    `Bash(git push *:${b} *)`,
    `Bash(git push *:refs/heads/${b})`,
    `Bash(git push *:refs/heads/${b} *)`,
  ];
}

/**
 * The Claude settings this agent starts with. A polecat works alone (no person reads or answers its session), so its
 * settings are headless, and it may not merge or push to its rig's default branch (forgeGuardRules); the Mayor,
 * crew, refinery and witness keep every tool. `town` tells the rig's default branch (else `main`).
 */
export function claudeSettingsFor(id: Pick<AgentIdentity, 'role' | 'rig'>, town?: TownContext): ClaudeSettingsOptions {
  if (id.role !== 'polecat') return { gtCommand: gtArgv(), headless: false };
  return { gtCommand: gtArgv(), headless: true, deny: forgeGuardRules(defaultBranchOf(town, id.rig)) };
}

function defaultBranchOf(town: TownContext | undefined, rig: string | undefined): string | undefined {
  if (!town || !rig) return undefined;
  try {
    return loadRig(town, rig).default_branch;
  } catch {
    return undefined; // a rig that cannot be read: the guard still covers main
  }
}

/**
 * True when Gas Town installs a session-start hook for the runtime that runs `gt prime` (pure). A runtime without
 * one may still start primed from its role context file (role-context.ts).
 */
export function primesItself(preset: Pick<AgentPreset, 'hooks'>): boolean {
  if (preset.hooks.kind === 'claude-settings') return Boolean(preset.hooks.settingsFlag);
  return preset.hooks.kind === 'gemini-settings' || preset.hooks.kind === 'opencode-instructions';
}

export function prepareRuntime(
  town: TownContext,
  id: AgentIdentity,
  preset: AgentPreset,
  env: Record<string, string> = {},
): RuntimeSetup {
  if (!primesItself(preset)) {
    const written = writeRoleContext(town, id, preset, env);
    return written ? { primesItself: true, args: written.args } : { primesItself: false };
  }
  if (preset.hooks.kind === 'gemini-settings') return { primesItself: installGeminiHooks(id.workdir) };
  if (preset.hooks.kind === 'opencode-instructions')
    return openCodePrime(town, id, env, preset.hooks.env ?? OPENCODE_CONFIG_CONTENT);
  return {
    settingsPath: writeClaudeSettings(agentRuntimeDir(town, id), claudeSettingsFor(id, town)),
    primesItself: true,
  };
}

/**
 * Gemini CLI's hooks in the workspace's `.gemini/settings.json`, listed in the repository's `info/exclude` so they
 * are never committed (`gt done` commits what is left). A file the repository tracks, or one a person wrote, is left
 * alone: the agent is then told to run `gt prime` by its first prompt instead. True when the hooks are in place.
 */
function installGeminiHooks(workdir: string): boolean {
  const path = join(workdir, GEMINI_SETTINGS_FILE);
  const inRepo = placeInRepo(workdir);
  if (inRepo) {
    if (isTracked(workdir, GEMINI_SETTINGS_FILE)) return false;
    if (!isOursOrMissing(path)) return false;
    excludeLocally(inRepo.commonDir, [`/${inRepo.prefix}${GEMINI_SETTINGS_FILE}`], 'agent hook settings (gt)');
  } else if (!isOursOrMissing(path)) {
    return false;
  }
  writeGeminiSettings(workdir, { gtCommand: gtArgv() });
  return true;
}

/**
 * OpenCode's prime: what `gt prime` prints for this agent (run as the agent would, in its directory with its role's
 * environment `env`), written to `<runtime>/agents/<session>/prime.md` and named in the instructions of OpenCode's
 * inline config, so it is in the system prompt of every request. Written at each start (a restarted agent sees its
 * current hook and mail). If `gt prime` fails, the file says so and tells the agent to run it, as the hooks do.
 */
function openCodePrime(
  town: TownContext,
  id: AgentIdentity,
  env: Record<string, string>,
  variable: string,
): RuntimeSetup {
  const file = join(agentRuntimeDir(town, id), 'prime.md');
  const text = primeText(town, id, env);
  mkdirSync(agentRuntimeDir(town, id), { recursive: true });
  writeFileAtomic(file, text);
  return { primesItself: true, env: { [variable]: openCodeConfigContent(file, town.env[variable]) } };
}

export type StartupGate =
  | { ready: true; by: 'prompt' | 'delay' | 'busy'; dialogsPassed: string[] }
  | { ready: false; reason: 'exited' | 'timeout' }
  | { ready: false; reason: 'stuck-on-dialog'; dialog: string; kind: DialogKind; line: string };

/** Which runtime's dialog texts apply: a custom agent with Claude Code's hooks is Claude Code underneath. */
export function dialogRuntime(preset: Pick<AgentPreset, 'name' | 'hooks'>): string {
  return preset.hooks.kind === 'claude-settings' ? 'claude' : preset.name;
}

/** Wait for the ready prompt, answering the start-up dialogs Gas Town may answer (workspace trust, bypass notice). */
export async function startupGate(
  tmux: NudgeTmux,
  session: string,
  preset: AgentPreset,
  opts: { timeoutMs: number; startedAt: number; busyMeansStarted: boolean },
): Promise<StartupGate> {
  const r = await passStartupDialogs(
    tmux,
    session,
    { ...preset, name: dialogRuntime(preset) },
    { timeoutMs: opts.timeoutMs, startedAt: opts.startedAt, busyMeansStarted: opts.busyMeansStarted },
  );
  if (r.ready) return { ready: true, by: r.by, dialogsPassed: r.dialogsPassed };
  return r.reason === 'stuck-on-dialog'
    ? { ready: false, reason: r.reason, dialog: r.dialog, kind: r.kind, line: r.line }
    : { ready: false, reason: r.reason };
}
