// The shape of an agent runtime preset: everything Gas Town needs to know to start and talk to an agent CLI.

/** How the first prompt (the startup beacon) reaches the agent. */
export type PromptMode =
  /** as the last command-line argument */
  | 'arg'
  /** typed into the TUI by a nudge once the agent is ready */
  | 'type';

/** Where the runtime reads hooks from, if it has any; the installers that write these files live beside the presets. */
export type HookKind =
  'none' | 'claude-settings' | 'gemini-settings' | 'cursor-hooks' | 'opencode-instructions' | 'copilot-hooks';

/** An extra command line: optional subcommand words, then arguments. `{id}`, `{prompt}` are filled in by buildCommand. */
export interface SubCommandLine {
  subcommand?: readonly string[];
  args: readonly string[];
}

export interface AgentPreset {
  /** Preset name, as used in config (`claude`, `codex`, …). */
  name: string;
  description: string;
  /** The program. `{node}` and `{packageRoot}` are placeholders buildCommand fills in. */
  command: string;
  /** Arguments for autonomous mode (no permission prompts). */
  args: readonly string[];
  /** Arguments only for interactive sessions (a start, resume or continue; never the one-shot run). */
  interactiveArgs?: readonly string[];
  /** Extra environment for the agent. */
  env: Readonly<Record<string, string>>;
  promptMode: PromptMode;
  /** With promptMode 'arg': the flag that carries the prompt, for a CLI whose positional argument is something else. */
  promptFlag?: string;
  ready: {
    /** Regular expression (source) matching a pane line when the agent waits for input, e.g. Claude's `❯`. */
    prompt?: string;
    /** Wait this long after start when there is no prompt pattern, or as the fallback if it never shows. */
    delayMs: number;
    /** The prompt is a placeholder the TUI shows only while its input is empty: typed text that never shows was dropped. */
    promptMeansEmpty?: boolean;
  };
  /** Regular expression (source, case-insensitive) matching a pane line while the agent is busy. */
  busy?: string;
  /** Names the agent's process has (`pane_current_command`, descendants of the pane), for liveness checks. */
  processNames: readonly string[];
  /** Resume one session by id (`{id}`). */
  resume?: SubCommandLine;
  /** Added to a resume so the old conversation is read, not changed (gt seance): Claude Code's `--fork-session`. */
  fork?: readonly string[];
  /** Continue the most recent session. */
  continue?: SubCommandLine;
  /** One-shot, non-interactive run with JSON output (`{prompt}`). */
  nonInteractive?: SubCommandLine;
  /** Where the runtime keeps its config/account: an environment variable, or a flag taking a directory. */
  configDir?: { env?: string; flag?: string };
  /** Environment variable under which the runtime tells hooks its session id. */
  sessionIdEnv?: string;
  hooks: {
    kind: HookKind;
    /** Flag that points the runtime at a Gas Town-owned settings file, so the user's repo stays untouched. */
    settingsFlag?: string;
    /** File the runtime reads hooks from, relative to its working directory, when there is no such flag. */
    file?: string;
    /** Environment variable that carries Gas Town's inline config to the runtime (OpenCode's OPENCODE_CONFIG_CONTENT). */
    env?: string;
  };
  /**
   * Where a runtime without a session-start hook reads its role context, so it starts primed: a project-doc file
   * Gas Town writes into the working directory and keeps out of git (`file`; `carries` are the repository's own
   * docs the runtime would read in its place, copied below Gas Town's part so none is lost), or a flag naming a
   * Gas Town-owned file outside the repository (`flag`). See docs/lifecycle.md "Role context".
   */
  context?: { file: string; carries?: readonly string[] } | { flag: string };
  /** npm package of the CLI, when it is published there (its flags are checked against the pinned version's --help). */
  npmPackage?: string;
}
