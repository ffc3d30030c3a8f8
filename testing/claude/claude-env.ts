// Running the real Claude Code CLI (the pinned dev dependency) against the loopback model server in tests:
// its environment, a fresh config dir with first-run onboarding already done, and a start in a tmux session.
// Test-only: the product never marks a user's onboarding as done.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildCommand, builtinPreset } from '../../src/agents/index.ts';
import type { TmuxClient } from '../../src/tmux/index.ts';

const PACKAGE = resolve(import.meta.dirname, '../../node_modules/@anthropic-ai/claude-code');
/** The CLI binary itself, so the pane's PATH does not matter. */
export const CLAUDE_BIN = join(PACKAGE, 'bin/claude.exe');
export const CLAUDE_VERSION = (JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8')) as { version: string })
  .version;

/**
 * Environment for Claude Code against `modelUrl`: a token (no API-key or login prompt), IS_SANDBOX (root may use
 * --dangerously-skip-permissions), and no updater, telemetry, error reports, surveys or other side traffic.
 */
export function claudeTestEnv(modelUrl: string): Record<string, string> {
  return {
    ANTHROPIC_BASE_URL: modelUrl,
    ANTHROPIC_AUTH_TOKEN: 'test',
    IS_SANDBOX: '1',
    DISABLE_AUTOUPDATER: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_ERROR_REPORTING: '1',
    CLAUDE_CODE_DISABLE_FEEDBACK_SURVEY: '1',
    CLAUDE_CODE_DISABLE_AUTO_MEMORY: '1',
  };
}

export interface ConfigDirOptions {
  /** Directories whose workspace-trust dialog counts as already answered (default: none, so the dialog shows). */
  trustedDirs?: readonly string[];
}

/**
 * A CLAUDE_CONFIG_DIR with first-run onboarding marked complete: `hasCompletedOnboarding` skips the theme and
 * login screens, `lastOnboardingVersion` the "what's new" screen, `theme` the style picker.
 */
export function prepareClaudeConfigDir(dir: string, opts: ConfigDirOptions = {}): string {
  mkdirSync(dir, { recursive: true });
  const projects = Object.fromEntries((opts.trustedDirs ?? []).map((d) => [d, { hasTrustDialogAccepted: true }]));
  const config = {
    hasCompletedOnboarding: true,
    lastOnboardingVersion: CLAUDE_VERSION,
    theme: 'dark',
    ...(opts.trustedDirs ? { projects } : {}),
  };
  writeFileSync(join(dir, '.claude.json'), `${JSON.stringify(config, null, 2)}\n`);
  return dir;
}

export interface StartClaudeOptions {
  session: string;
  cwd: string;
  modelUrl: string;
  configDir: string;
  /** Gas Town's settings file (hooks), passed with --settings. */
  settingsPath?: string;
  env?: Readonly<Record<string, string>>;
  prompt?: string;
  width?: number;
  height?: number;
}

/**
 * Start Claude Code in a new tmux session exactly as Gas Town builds its command; returns when it was started. The
 * pane stays after Claude exits, so a test that finds it gone can say what Claude printed last.
 */
export async function startClaude(tmux: TmuxClient, o: StartClaudeOptions): Promise<number> {
  const cmd = buildCommand(builtinPreset('claude')!, {
    configDir: o.configDir,
    ...(o.settingsPath ? { settingsPath: o.settingsPath } : {}),
    ...(o.prompt ? { prompt: o.prompt } : {}),
    env: { ...claudeTestEnv(o.modelUrl), ...o.env },
  });
  const startedAt = Date.now();
  await tmux.newSession({
    name: o.session,
    cwd: o.cwd,
    argv: [CLAUDE_BIN, ...cmd.argv.slice(1)],
    env: cmd.env,
    unsetEnv: cmd.unsetEnv,
    width: o.width ?? 160,
    height: o.height ?? 45,
    remainOnExit: true,
  });
  return startedAt;
}
