// Running the pinned Codex CLI (`@openai/codex`, node_modules/.bin/codex) against the loopback model server: a
// CODEX_HOME whose config points the model provider at the server (Responses API), the environment it needs, and a
// scripted polecat for it. Codex has no session-start hook, so a polecat learns its hook from `gt prime` output.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { scriptedPolecat, type PolecatScriptOptions } from './polecat-script.ts';
import type { AgentScript } from './script.ts';

export const CODEX_BIN = resolve(import.meta.dirname, '../../node_modules/.bin/codex');

/** The variable holding the provider's API key (any value does: the server checks none). */
const KEY_ENV = 'LOOPBACK_KEY';

/**
 * A CODEX_HOME talking to `url` (the server's base URL): model provider "loopback" with `wire_api = "responses"`
 * (0.169 refuses "chat"), no update check, and no shared app-server daemon: a daemon started by the first session
 * runs every later session's commands with that first session's environment (GT_ADDRESS, PATH), and outlives them.
 */
export function prepareCodexHome(dir: string, url: string): string {
  mkdirSync(dir, { recursive: true });
  const config = [
    'model = "gpt-test"',
    'model_provider = "loopback"',
    'check_for_update_on_startup = false',
    '',
    '[features]',
    'daemon_auto_start = false',
    '',
    '[model_providers.loopback]',
    'name = "loopback"',
    `base_url = "${url}/v1"`,
    'wire_api = "responses"',
    `env_key = "${KEY_ENV}"`,
    '',
  ].join('\n');
  writeFileSync(join(dir, 'config.toml'), config);
  return dir;
}

/** The environment for Codex sessions using `home` (from prepareCodexHome). */
export function codexTestEnv(home: string): Record<string, string> {
  return { CODEX_HOME: home, [KEY_ENV]: 'loopback', NO_UPDATE_NOTIFIER: '1' };
}

/**
 * The scripted polecat (scriptedPolecat) for a runtime without a session-start hook: it is recognised by gt's first
 * prompt ("Gas Town: you are <address> (polecat). Run `gt prime` … Your hook holds <id>."), runs `gt prime`, and
 * works from its output: write the file, commit, `gt done`.
 */
export function scriptedPromptedPolecat(o: PolecatScriptOptions = {}): AgentScript {
  return { ...scriptedPolecat(o), name: 'polecat', matches: (c) => /Gas Town: you are \S+ \(polecat\)/.test(c.text) };
}
