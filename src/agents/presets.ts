// The built-in agent runtime presets, as data. Flags follow the Go original (reference §3.4); the ones whose CLI
// is on npm are checked against the pinned CLI's own --help by test/presets-cli-flags.test.ts.
import { OPENCODE_CONFIG_CONTENT } from './opencode-config.ts';
import type { AgentPreset } from './preset.ts';

const claude: AgentPreset = {
  name: 'claude',
  description: 'Claude Code (Anthropic)',
  command: 'claude',
  args: ['--dangerously-skip-permissions'],
  env: {},
  promptMode: 'arg',
  ready: { prompt: '(^|│)\\s*❯(\\s|$)', delayMs: 10_000 },
  busy: 'esc to interrupt',
  processNames: ['claude', 'node'],
  resume: { args: ['--resume', '{id}'] },
  fork: ['--fork-session'],
  continue: { args: ['--continue'] },
  nonInteractive: { args: ['--print', '--output-format', 'json', '{prompt}'] },
  configDir: { env: 'CLAUDE_CONFIG_DIR' },
  sessionIdEnv: 'CLAUDE_SESSION_ID',
  hooks: { kind: 'claude-settings', settingsFlag: '--settings' },
  npmPackage: '@anthropic-ai/claude-code',
};

const codex: AgentPreset = {
  name: 'codex',
  description: 'Codex CLI (OpenAI)',
  command: 'codex',
  args: ['--dangerously-bypass-approvals-and-sandbox'],
  // Without it the TUI runs every command through one shared background server per CODEX_HOME, in the environment
  // of whichever session started it: a second polecat would run `gt done` as the first one.
  interactiveArgs: ['--no-daemon'],
  env: {},
  // Typed once ready: 0.169 shows a placeholder composer (`› Ask Codex to do anything`) before its folder-trust
  // dialog, and an argument prompt starts the turn the moment the dialog is passed, so the gate would see it busy.
  promptMode: 'type',
  // The footer of a started, idle session; the placeholder composer shown before the trust dialog lacks it.
  ready: { prompt: '← for agents', delayMs: 3000 },
  busy: 'esc to interrupt',
  processNames: ['codex'],
  resume: { subcommand: ['resume'], args: ['{id}'] },
  continue: { subcommand: ['resume'], args: ['--last'] },
  nonInteractive: { subcommand: ['exec'], args: ['--json', '{prompt}'] },
  configDir: { env: 'CODEX_HOME' },
  hooks: { kind: 'none' },
  // Codex reads AGENTS.override.md instead of AGENTS.md in a directory, and with the seed's tip
  // (project_doc_fallback_filenames = ["CLAUDE.md"]) CLAUDE.md where there is no AGENTS.md.
  context: { file: 'AGENTS.override.md', carries: ['AGENTS.md', 'CLAUDE.md'] },
  npmPackage: '@openai/codex',
};

const gemini: AgentPreset = {
  name: 'gemini',
  description: 'Gemini CLI (Google)',
  command: 'gemini',
  args: ['--approval-mode', 'yolo'],
  // The workspace is trusted for the session: in an untrusted folder Gemini CLI 0.61 turns yolo back into asking for
  // every change and reads no workspace settings (so no hooks). The variable, not --skip-trust: the flag is applied
  // after the workspace settings were already skipped.
  env: { GEMINI_CLI_TRUST_WORKSPACE: 'true' },
  promptMode: 'arg',
  // The composer's placeholder, shown whenever the input is empty (idle, or the prompt argument already taken).
  ready: { prompt: 'Type your message or @path/to/file', delayMs: 5000, promptMeansEmpty: true },
  busy: 'esc to cancel',
  processNames: ['gemini', 'node'],
  resume: { args: ['--resume', '{id}'] },
  continue: { args: ['--resume', 'latest'] },
  nonInteractive: { args: ['--output-format', 'json', '--prompt', '{prompt}'] },
  configDir: { env: 'GEMINI_CLI_HOME' },
  sessionIdEnv: 'GEMINI_SESSION_ID',
  // The workspace settings file (kept out of git by the installer); see src/agents/gemini-settings.ts.
  hooks: { kind: 'gemini-settings', file: '.gemini/settings.json' },
  npmPackage: '@google/gemini-cli',
};

const cursor: AgentPreset = {
  name: 'cursor',
  description: 'Cursor agent CLI',
  command: 'cursor-agent',
  // From Cursor's published CLI docs (not installable here): -f (--force, --yolo) runs tool calls without asking;
  // --trust trusts the workspace without its prompt.
  args: ['-f', '--trust'],
  env: {},
  promptMode: 'type',
  ready: { delayMs: 5000 },
  processNames: ['cursor-agent', 'agent'],
  resume: { args: ['--resume', '{id}'] },
  continue: { args: ['--continue'] },
  nonInteractive: { args: ['-p', '--output-format', 'json', '{prompt}'] },
  // Cursor reads hooks from .cursor/hooks.json; gt writes none yet. Its CLI reads the project rules in .cursor/rules
  // (an always-applied .mdc rule) beside AGENTS.md and CLAUDE.md, so the repository's own docs stay as they are.
  hooks: { kind: 'none' },
  context: { file: '.cursor/rules/gastown.mdc' },
};

const auggie: AgentPreset = {
  name: 'auggie',
  description: 'Auggie (Augment Code)',
  command: 'auggie',
  args: ['--allow-indexing'],
  env: {},
  promptMode: 'arg',
  ready: { delayMs: 5000 },
  processNames: ['auggie', 'node'],
  resume: { args: ['--resume', '{id}'] },
  continue: { args: ['--continue'] },
  nonInteractive: { args: ['--print', '--output-format', 'json', '{prompt}'] },
  configDir: { flag: '--augment-cache-dir' },
  hooks: { kind: 'none' },
  // `--rules <file>`: an additional rules file, read beside the repository's own AGENTS.md and CLAUDE.md.
  context: { flag: '--rules' },
  npmPackage: '@augmentcode/auggie',
};

const amp: AgentPreset = {
  name: 'amp',
  description: 'Amp (Sourcegraph)',
  command: 'amp',
  // --dangerously-allow-all is a hidden switch of Amp's CLI (declared in its option table with the description of
  // the documented setting amp.dangerouslyAllowAll); --no-ide is documented.
  args: ['--dangerously-allow-all', '--no-ide'],
  env: {},
  promptMode: 'type',
  // The composer's box, its top border naming the agent mode ("╭──── medium ─╮"), drawn at the bottom once Amp's
  // server answered its start-up calls; its first-run tour and its login question have no box. Amp's busy marker is
  // not known: its agent loop runs on Amp's server, which no test here can stand in for.
  ready: { prompt: '^\\s*╭─+ [^─]+ ─╮\\s*$', delayMs: 15_000 },
  // The platform binary (Bun) when linked by the postinstall; node when started through the package's cli-wrapper.cjs.
  processNames: ['amp', 'node'],
  resume: { subcommand: ['threads', 'continue'], args: ['{id}'] },
  continue: { subcommand: ['threads', 'continue'], args: ['--last'] },
  nonInteractive: { args: ['--execute', '{prompt}', '--stream-json'] },
  hooks: { kind: 'none' },
  // Amp reads AGENTS.md (AGENT.md or CLAUDE.md only where there is none) and has no rules file of its own.
  context: { file: 'AGENTS.md', carries: ['AGENT.md', 'CLAUDE.md'] },
  npmPackage: '@ampcode/cli',
};

const opencode: AgentPreset = {
  name: 'opencode',
  description: 'OpenCode',
  command: 'opencode',
  args: [],
  env: { OPENCODE_PERMISSION: '{"*":"allow"}' },
  // `--prompt`: its positional argument is the project folder, and keys typed as soon as its footer shows (before the
  // TUI reads input, 20-40 s into a first start under load) are lost.
  promptMode: 'arg',
  promptFlag: '--prompt',
  // OpenCode 1.18's footer; while it works the same footer also shows "esc interrupt".
  ready: { prompt: 'ctrl\\+p commands', delayMs: 8000 },
  busy: 'esc interrupt',
  processNames: ['opencode'],
  resume: { args: ['--session', '{id}'] },
  continue: { args: ['--continue'] },
  nonInteractive: { subcommand: ['run'], args: ['--format', 'json', '{prompt}'] },
  configDir: { env: 'OPENCODE_CONFIG_DIR' },
  // The prime as an instructions file, through OpenCode's inline config (src/agents/opencode-config.ts).
  hooks: { kind: 'opencode-instructions', env: OPENCODE_CONFIG_CONTENT },
  npmPackage: 'opencode-ai',
};

const copilot: AgentPreset = {
  name: 'copilot',
  description: 'GitHub Copilot CLI',
  command: 'copilot',
  args: ['--yolo'],
  env: {},
  promptMode: 'type',
  ready: { delayMs: 5000 },
  processNames: ['copilot', 'node'],
  configDir: { env: 'COPILOT_HOME' },
  hooks: { kind: 'copilot-hooks', file: '.github/hooks/gastown.json' },
};

/** The simulated agent (testing/sim-agent.js): a scripted stand-in for `gt demo` and the end-to-end tests. */
const sim: AgentPreset = {
  name: 'sim',
  description: 'Simulated agent for demos and tests (no model, no API key)',
  command: '{node}',
  args: ['{packageRoot}/testing/sim-agent.js'],
  env: {},
  promptMode: 'arg',
  // capture-pane drops the trailing space of `sim> `, so the line may end right after the `>`.
  ready: { prompt: '^sim>( |$)', delayMs: 5000 },
  busy: '^sim: working',
  processNames: ['node'],
  hooks: { kind: 'none' },
};

/** Every built-in preset by name. */
export const BUILTIN_PRESETS: Readonly<Record<string, AgentPreset>> = Object.freeze({
  claude,
  codex,
  gemini,
  cursor,
  auggie,
  amp,
  opencode,
  copilot,
  sim,
});

export const DEFAULT_AGENT = 'claude';

export function builtinPreset(name: string): AgentPreset | undefined {
  return Object.hasOwn(BUILTIN_PRESETS, name) ? BUILTIN_PRESETS[name] : undefined;
}
