// The Gemini CLI settings file Gas Town writes: its hooks call back into this same `gt` installation. Gemini has no
// settings flag, and its system files (GEMINI_CLI_SYSTEM_DEFAULTS_PATH) are read only when root owns them and every
// folder above them, so the hooks go where the Go original put them: the workspace's `.gemini/settings.json`, which
// the session installer keeps out of git (docs/formats/agent-presets.md). Workspace hooks run only in a trusted
// folder: the preset sets GEMINI_CLI_TRUST_WORKSPACE.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../kernel/index.ts';
import { shellQuote } from '../tmux/index.ts';

export interface GeminiSettingsOptions {
  /** How hooks run this installation's `gt`: an argv (quoted here for the shell) or a shell command line as is. */
  gtCommand: string | readonly string[];
}

/** One hook entry as Gemini CLI 0.61 reads it (`hooks.<Event>[]`): a matcher and the commands it runs. */
export interface GeminiHookGroup {
  matcher: string;
  hooks: { type: 'command'; name: string; command: string; timeout?: number }[];
}

export interface GeminiSettings {
  hooks: Record<'SessionStart' | 'PreCompress' | 'BeforeAgent' | 'AfterAgent', GeminiHookGroup[]>;
}

/** The workspace settings file, relative to the agent's working directory. */
export const GEMINI_SETTINGS_FILE = '.gemini/settings.json';

/** The names Gas Town gives its hooks: a file holding one of them is Gas Town's to rewrite. */
const OUR_HOOKS = ['gastown-prime', 'gastown-prime-compress', 'gastown-prime-resumed', 'gastown-costs'];

/**
 * The settings object (pure). SessionStart and PreCompress run `gt prime --hook gemini`, which answers with the
 * JSON Gemini adds to the conversation (`hookSpecificOutput.additionalContext`; plain text would only be shown to
 * the user) and records the session id from the hook's stdin; AfterAgent reads the session's chat file into the
 * town's usage table (`gt costs record`, from the hook's `transcript_path`).
 *
 * A resumed session gets its context with its first prompt instead (BeforeAgent, `gt prime --hook gemini-turn`):
 * Gemini CLI 0.61 loads the resumed conversation while its SessionStart hook runs and drops context the hook added
 * before that load (it starts a new chat from the saved one, which never holds hook context), so a fast hook, or a
 * slow machine, left a resumed Mayor without its role. The turn hook answers only once after a resume.
 */
export function geminiSettings(opts: GeminiSettingsOptions): GeminiSettings {
  const gt = typeof opts.gtCommand === 'string' ? opts.gtCommand : opts.gtCommand.map(shellQuote).join(' ');
  const run = (name: string, args: string): GeminiHookGroup[] => [
    { matcher: '*', hooks: [{ type: 'command', name, command: `${gt} ${args}`, timeout: 60_000 }] },
  ];
  return {
    hooks: {
      SessionStart: run('gastown-prime', 'prime --hook gemini'),
      PreCompress: run('gastown-prime-compress', 'prime --hook gemini'),
      BeforeAgent: run('gastown-prime-resumed', 'prime --hook gemini-turn'),
      AfterAgent: run('gastown-costs', 'costs record'),
    },
  };
}

/** Whether the file at `path` is missing or one Gas Town wrote (so it may be written); a person's own file is not. */
export function isOursOrMissing(path: string): boolean {
  if (!existsSync(path)) return true;
  try {
    const text = readFileSync(path, 'utf8');
    return OUR_HOOKS.some((n) => text.includes(`"${n}"`));
  } catch {
    return false;
  }
}

/** Write the settings to `<workdir>/.gemini/settings.json` (atomically) and return that path. */
export function writeGeminiSettings(workdir: string, opts: GeminiSettingsOptions): string {
  const path = join(workdir, GEMINI_SETTINGS_FILE);
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic(path, `${JSON.stringify(geminiSettings(opts), null, 2)}\n`);
  return path;
}
