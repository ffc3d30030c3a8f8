// Running the pinned OpenCode CLI (`opencode-ai`, node_modules/.bin/opencode) against the loopback model server: a
// config file (OPENCODE_CONFIG) that adds an OpenAI-compatible provider whose base URL is the server, and XDG
// directories of the test's own (OpenCode keeps its database, logs and plugin packages there).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const OPENCODE_BIN = resolve(import.meta.dirname, '../../node_modules/.bin/opencode');

/** Writes `<dir>/opencode.json` (provider "loopback", model "loopback/test-model", no sharing, no auto-update); its path. */
export function prepareOpenCodeConfig(dir: string, url: string): string {
  mkdirSync(dir, { recursive: true });
  const config = {
    $schema: 'https://opencode.ai/config.json',
    provider: {
      loopback: {
        npm: '@ai-sdk/openai-compatible',
        name: 'Loopback',
        options: { baseURL: `${url}/v1`, apiKey: 'loopback' },
        models: { 'test-model': { name: 'Test model', tool_call: true } },
      },
    },
    model: 'loopback/test-model',
    small_model: 'loopback/test-model',
    autoupdate: false,
    share: 'disabled',
  };
  const path = join(dir, 'opencode.json');
  writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`);
  return path;
}

/** The environment for OpenCode sessions: the config, XDG directories under `home`, no model list fetch, update or plugin install. */
export function openCodeTestEnv(config: string, home: string): Record<string, string> {
  return {
    OPENCODE_CONFIG: config,
    XDG_DATA_HOME: join(home, 'data'),
    XDG_CONFIG_HOME: join(home, 'config'),
    XDG_CACHE_HOME: join(home, 'cache'),
    XDG_STATE_HOME: join(home, 'state'),
    OPENCODE_DISABLE_MODELS_FETCH: '1',
    OPENCODE_DISABLE_AUTOUPDATE: '1',
    OPENCODE_DISABLE_DEFAULT_PLUGINS: '1',
    // No plugin packages: otherwise each fresh config dir gets @opencode-ai/plugin installed from the npm registry.
    OPENCODE_PURE: '1',
  };
}
