// The Claude Code settings file Gas Town owns: its hooks call back into this same `gt` installation. It lives in a
// Gas Town directory and reaches Claude with `--settings <path>`, so the user's repository is never touched.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../kernel/index.ts';
import { shellQuote } from '../tmux/index.ts';

export interface ClaudeSettingsOptions {
  /**
   * How hooks run this installation's `gt`: an argv (e.g. `[process.execPath, '/abs/bin/gt.js']`, quoted here for
   * the shell) or a shell command line used as is.
   */
  gtCommand: string | readonly string[];
  /**
   * No person answers this agent (a polecat): the tools that ask one or plan with one are denied, which also keeps
   * their descriptions out of every request it sends.
   */
  headless?: boolean;
  /** More `permissions.deny` rules (Claude Code's rule syntax), after the headless ones. */
  deny?: readonly string[];
}

/** One hook entry as Claude Code reads it: a matcher and the commands it runs. */
export interface ClaudeHookGroup {
  matcher: string;
  hooks: { type: 'command'; command: string; timeout?: number }[];
}

export interface ClaudeSettings {
  /** Skips the bypass-permissions warning that `--dangerously-skip-permissions` shows at every start. */
  skipDangerousModePermissionPrompt: true;
  hooks: Record<'SessionStart' | 'PreCompact' | 'UserPromptSubmit' | 'Stop', ClaudeHookGroup[]>;
  /** Permission rules; deny rules hold even with `--dangerously-skip-permissions`, and a denied tool is not offered. */
  permissions?: { deny: string[] };
}

/**
 * What a headless agent is denied: asking a question (it would wait forever), plan mode (its exit asks for approval)
 * and the subagent that answers questions about Claude Code itself. Rule syntax of Claude Code's `permissions.deny`.
 */
export const HEADLESS_DENIED_TOOLS: readonly string[] = [
  'AskUserQuestion',
  'EnterPlanMode',
  'ExitPlanMode',
  'Agent(claude-code-guide)',
];

/** File name under `<dir>/.gt/`. */
export const CLAUDE_SETTINGS_FILE = 'claude-settings.json';

/** The settings object (pure). */
export function claudeSettings(opts: ClaudeSettingsOptions): ClaudeSettings {
  const gt = typeof opts.gtCommand === 'string' ? opts.gtCommand : opts.gtCommand.map(shellQuote).join(' ');
  const run = (args: string): ClaudeHookGroup[] => [
    { matcher: '', hooks: [{ type: 'command', command: `${gt} ${args}` }] },
  ];
  return {
    skipDangerousModePermissionPrompt: true,
    hooks: {
      SessionStart: run('prime --hook'),
      PreCompact: run('prime --hook'),
      UserPromptSubmit: run('mail check --inject'),
      // After each turn: read the session's transcript into the town's usage table (docs/costs.md).
      Stop: run('costs record'),
    },
    ...(opts.headless || opts.deny?.length
      ? { permissions: { deny: [...(opts.headless ? HEADLESS_DENIED_TOOLS : []), ...(opts.deny ?? [])] } }
      : {}),
  };
}

/** Write the settings to `<dir>/.gt/claude-settings.json` (atomically) and return that path. */
export function writeClaudeSettings(dir: string, opts: ClaudeSettingsOptions): string {
  const gtDir = join(dir, '.gt');
  mkdirSync(gtDir, { recursive: true });
  const path = join(gtDir, CLAUDE_SETTINGS_FILE);
  writeFileAtomic(path, `${JSON.stringify(claudeSettings(opts), null, 2)}\n`);
  return path;
}
