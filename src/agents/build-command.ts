// From a preset and a start request to the exact argv and environment of an agent process (pure).
import { GtError } from '../kernel/index.ts';
import type { AgentPreset, SubCommandLine } from './preset.ts';

export interface BuildOptions {
  /** The first prompt (startup beacon). With promptMode 'type' it is returned as promptToType instead. */
  prompt?: string;
  /** Resume this session id (needs preset.resume). */
  resumeId?: string;
  /** Continue the most recent session (needs preset.continue). */
  continueLast?: boolean;
  /** Gas Town-owned settings file, passed with preset.hooks.settingsFlag when the runtime has one. */
  settingsPath?: string;
  /** The runtime's config/account directory, through preset.configDir. */
  configDir?: string;
  /** The role's environment (GT_ROLE, GT_ROOT, BD_ACTOR, …); wins over the preset's env. */
  env?: Readonly<Record<string, string>>;
  extraArgs?: readonly string[];
  /** Fill-ins for `{node}` and `{packageRoot}` in the preset's command and args. */
  nodePath?: string;
  packageRoot?: string;
}

export interface AgentCommand {
  argv: string[];
  env: Record<string, string>;
  /** Variables to remove from the inherited environment. */
  unsetEnv: string[];
  /** Set when the first prompt must be typed in (nudged) after the agent is ready. */
  promptToType?: string;
}

/**
 * Inherited variables an agent must not see: NODE_OPTIONS of the caller can break a Node-based CLI, CLAUDECODE
 * makes Claude Code refuse to start when `gt` itself runs inside Claude Code, and CI or CONTINUOUS_INTEGRATION (a
 * town run from a CI job) make Ink-based TUIs (Claude Code, Auggie) stop redrawing the screen: an agent in its
 * pane is interactive wherever the town runs.
 */
export const UNSET_ENV: readonly string[] = ['NODE_OPTIONS', 'CLAUDECODE', 'CI', 'CONTINUOUS_INTEGRATION'];

/** Where an interactive start's prompt goes as `<promptFlag>=<prompt>` (one word: a prompt starting with `-` stays a value). */
const PROMPT_BY_FLAG = '{prompt-by-flag}';

export function buildCommand(preset: AgentPreset, opts: BuildOptions = {}): AgentCommand {
  let sub: SubCommandLine | undefined;
  if (opts.resumeId !== undefined) {
    if (!preset.resume) throw noSupport(preset, 'resuming a session by id');
    sub = preset.resume;
  } else if (opts.continueLast) {
    if (!preset.continue) throw noSupport(preset, 'continuing the last session');
    sub = preset.continue;
  }
  const prompt = opts.prompt === '' ? undefined : opts.prompt;
  const typed = prompt !== undefined && preset.promptMode === 'type';
  const words = sub?.args ?? [];
  const tail = prompt !== undefined && !typed ? [...words, preset.promptFlag ? PROMPT_BY_FLAG : '{prompt}'] : words;
  const cmd = assemble(
    preset,
    { subcommand: sub?.subcommand ?? [], args: [...(preset.interactiveArgs ?? []), ...tail] },
    opts,
    prompt ?? '',
  );
  return typed ? { ...cmd, promptToType: prompt } : cmd;
}

/** A one-shot, non-interactive run of `prompt` with JSON output (for runtimes that have such a mode). */
export function buildOneShotCommand(
  preset: AgentPreset,
  prompt: string,
  opts: Omit<BuildOptions, 'prompt' | 'resumeId' | 'continueLast'> = {},
): AgentCommand {
  if (!preset.nonInteractive) throw noSupport(preset, 'non-interactive runs');
  return assemble(preset, preset.nonInteractive, opts, prompt);
}

/** program, subcommand, autonomous args, config/settings flags, extra args, then the request's own words. */
function assemble(preset: AgentPreset, sub: SubCommandLine, opts: BuildOptions, prompt: string): AgentCommand {
  const fill = placeholders(preset, opts);
  const argv = [fill(preset.command), ...(sub.subcommand ?? []), ...preset.args.map(fill)];
  if (opts.configDir !== undefined && preset.configDir?.flag) argv.push(preset.configDir.flag, opts.configDir);
  if (opts.settingsPath !== undefined && preset.hooks.settingsFlag)
    argv.push(preset.hooks.settingsFlag, opts.settingsPath);
  argv.push(...(opts.extraArgs ?? []));
  for (const a of sub.args) {
    if (a === '{prompt}') argv.push(...promptWords(prompt));
    else if (a === PROMPT_BY_FLAG) argv.push(`${preset.promptFlag}=${prompt}`);
    else argv.push(fill(a));
  }
  const env: Record<string, string> = { ...preset.env };
  if (opts.configDir !== undefined && preset.configDir?.env) env[preset.configDir.env] = opts.configDir;
  env.GT_AGENT = preset.name;
  env.GT_PROCESS_NAMES = preset.processNames.join(',');
  Object.assign(env, opts.env ?? {});
  return { argv, env, unsetEnv: UNSET_ENV.filter((k) => !(k in env)) };
}

/** A prompt beginning with '-' would be read as an option; `--` ends the options first. */
function promptWords(prompt: string): string[] {
  return prompt.startsWith('-') ? ['--', prompt] : [prompt];
}

function placeholders(preset: AgentPreset, opts: BuildOptions): (s: string) => string {
  return (s) =>
    s.replace(/\{(node|packageRoot|id)\}/g, (_, key: string) => {
      const value = key === 'node' ? (opts.nodePath ?? 'node') : key === 'id' ? opts.resumeId : opts.packageRoot;
      if (value === undefined) {
        throw new GtError('AGENT_BAD_PRESET', `agent preset ${preset.name} needs {${key}} but none was given`, {
          hint:
            key === 'packageRoot'
              ? 'pass packageRoot (the Gas Town installation directory) when building this command'
              : undefined,
        });
      }
      return value;
    });
}

function noSupport(preset: AgentPreset, what: string): GtError {
  return new GtError('AGENT_UNSUPPORTED', `agent runtime ${preset.name} does not support ${what}`, {
    hint: 'start a fresh session instead; its hook and mail carry the context over',
  });
}
