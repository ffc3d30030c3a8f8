// Running the pinned Gemini CLI (`@google/gemini-cli`, node_modules/.bin/gemini) against the loopback model server:
// a GEMINI_CLI_HOME whose user settings choose API-key auth (no auth dialog) and turn off usage statistics,
// telemetry and update checks, and the environment that points the CLI at the server. Test-only: the product never
// chooses a user's auth method.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const GEMINI_BIN = resolve(import.meta.dirname, '../../node_modules/.bin/gemini');

/** The model the settings name: a fixed model, so the CLI's router asks no classifier first. */
export const GEMINI_TEST_MODEL = 'gemini-2.5-flash';

/**
 * A GEMINI_CLI_HOME (the CLI reads `<home>/.gemini/settings.json`) for tests: `security.auth.selectedType`
 * "gemini-api-key" skips the auth dialog (GEMINI_API_KEY then must be set), and nothing phones home.
 */
export function prepareGeminiHome(dir: string): string {
  mkdirSync(join(dir, '.gemini'), { recursive: true });
  const settings = {
    security: { auth: { selectedType: 'gemini-api-key' } },
    model: { name: GEMINI_TEST_MODEL },
    privacy: { usageStatisticsEnabled: false },
    telemetry: { enabled: false },
    general: { enableAutoUpdate: false, enableAutoUpdateNotification: false },
    ui: { hideTips: true, hideBanner: true },
  };
  writeFileSync(join(dir, '.gemini', 'settings.json'), `${JSON.stringify(settings, null, 2)}\n`);
  return dir;
}

/** The environment for Gemini sessions against `modelUrl` using `home` (from prepareGeminiHome). */
export function geminiTestEnv(modelUrl: string, home: string): Record<string, string> {
  return { GEMINI_CLI_HOME: home, GEMINI_API_KEY: 'loopback', GOOGLE_GEMINI_BASE_URL: modelUrl, NO_BROWSER: '1' };
}
