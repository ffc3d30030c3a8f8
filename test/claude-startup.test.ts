// The real Claude Code CLI in real tmux against the loopback model server: a brand-new directory gets past the
// start-up dialogs with no person, a nudged prompt reaches the model, and Gas Town's settings file runs its hooks.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinPreset, nudge, passStartupDialogs, writeClaudeSettings } from '../src/agents/index.ts';
import { createTmux, type TmuxClient } from '../src/tmux/index.ts';
import { prepareClaudeConfigDir, startClaude } from '../testing/claude/index.ts';
import { requestText, startModelServer, userTurns, type ModelServer } from '../testing/model-server/index.ts';
import { cleanEnv } from './support/bd.ts';

const SOCKET = `gt-test-claude-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
const FAKE_GT = resolve(import.meta.dirname, '../testing/claude/fake-gt.js');
const preset = builtinPreset('claude')!;
const signals = { prompt: preset.ready.prompt, busy: preset.busy };
let tmux: TmuxClient;
let server: ModelServer;
let base: string;

async function until<T>(probe: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'gt claude '));
  server = await startModelServer({ reply: () => 'Understood.' });
  // CI=true as in a CI job (the tmux server inherits it): the agent must still get an interactive TUI.
  tmux = createTmux({ socket: SOCKET, env: cleanEnv({ TMUX_TMPDIR: base, CI: 'true' }) });
});

afterAll(async () => {
  await tmux?.killServer();
  await server?.close();
  rmSync(base, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
});

describe('Claude Code start-up', () => {
  it('gets past the trust dialog in a brand-new directory and takes a nudged prompt', async () => {
    const cwd = join(base, 'new project');
    mkdirSync(cwd);
    const configDir = prepareClaudeConfigDir(join(base, 'config-a'));
    const gtDir = join(base, 'town-a');
    // The settings file also skips the bypass-permissions warning; hooks go to the fake gt.
    const settingsPath = writeClaudeSettings(gtDir, { gtCommand: [process.execPath, FAKE_GT] });
    const startedAt = await startClaude(tmux, {
      session: 'startup',
      cwd,
      modelUrl: server.url,
      configDir,
      settingsPath,
    });

    const out = await passStartupDialogs(tmux, 'startup', preset, { timeoutMs: 60_000, startedAt });
    expect(out, JSON.stringify(out)).toMatchObject({ ready: true, dialogsPassed: ['trust'] });
    expect(readdirSync(cwd)).toEqual([]); // the user's directory is untouched

    const r = await nudge(
      tmux,
      { runtimeDir: join(base, '.runtime') },
      { session: 'startup', message: 'hello from the startup test', signals },
    );
    expect(r).toMatchObject({ status: 'delivered', verified: true });
    const turn = await until(() =>
      userTurns(server.requests).find((t) => t.prompts.includes('hello from the startup test')),
    );
    expect(turn.prompts).toEqual(['hello from the startup test']);
  }, 120_000);

  it('answers the bypass-permissions warning when no settings file skips it', async () => {
    const cwd = join(base, 'bare');
    mkdirSync(cwd);
    const configDir = prepareClaudeConfigDir(join(base, 'config-b'));
    const startedAt = await startClaude(tmux, { session: 'bypass', cwd, modelUrl: server.url, configDir });
    const out = await passStartupDialogs(tmux, 'bypass', preset, { timeoutMs: 60_000, startedAt });
    expect(out, JSON.stringify(out)).toMatchObject({ ready: true, dialogsPassed: ['trust', 'bypass-permissions'] });
    await tmux.killSession('bypass');
  }, 120_000);

  it('reports an agent stuck on a dialog Gas Town may not answer', async () => {
    const cwd = join(base, 'fresh');
    mkdirSync(cwd);
    const configDir = join(base, 'config-c'); // onboarding never done: the theme picker shows
    mkdirSync(configDir);
    const startedAt = await startClaude(tmux, { session: 'stuck', cwd, modelUrl: server.url, configDir });
    const out = await passStartupDialogs(tmux, 'stuck', preset, { timeoutMs: 60_000, stuckMs: 2000, startedAt });
    expect(out).toMatchObject({ ready: false, reason: 'stuck-on-dialog', kind: 'onboarding' });
    if (!out.ready && out.reason === 'stuck-on-dialog') expect(out.dialog).toContain('Choose the text style');
    await tmux.killSession('stuck');
  }, 120_000);

  it('runs the settings file hooks: SessionStart primes, UserPromptSubmit injects mail into the turn', async () => {
    const cwd = join(base, 'hooked');
    mkdirSync(cwd);
    const configDir = prepareClaudeConfigDir(join(base, 'config-d'), { trustedDirs: [cwd] });
    const log = join(base, 'fake-gt.log');
    writeFileSync(log, '');
    const settingsPath = writeClaudeSettings(join(base, 'town with space'), { gtCommand: [process.execPath, FAKE_GT] });
    const env = { FAKE_GT_LOG: log, FAKE_GT_MAIL: 'MAIL-MARKER-7f3a: 1 unread message from mayor' };
    const startedAt = await startClaude(tmux, {
      session: 'hooks',
      cwd,
      modelUrl: server.url,
      configDir,
      settingsPath,
      env,
    });
    expect(await passStartupDialogs(tmux, 'hooks', preset, { timeoutMs: 60_000, startedAt })).toMatchObject({
      ready: true,
      dialogsPassed: [],
    });

    const calls = () =>
      readFileSync(log, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { argv: string[]; stdin: string });
    const prime = await until(() => calls().find((c) => c.argv.join(' ') === 'prime --hook'));
    expect(JSON.parse(prime.stdin)).toMatchObject({ hook_event_name: 'SessionStart', source: 'startup', cwd });

    await nudge(
      tmux,
      { runtimeDir: join(base, '.runtime') },
      { session: 'hooks', message: 'check my mail please', signals },
    );
    const mail = await until(() => calls().find((c) => c.argv.join(' ') === 'mail check --inject'));
    expect(JSON.parse(mail.stdin)).toMatchObject({
      hook_event_name: 'UserPromptSubmit',
      prompt: 'check my mail please',
    });
    const turn = await until(() => userTurns(server.requests).find((t) => t.prompts.includes('check my mail please')));
    expect(requestText(server.requests[turn.request]!.body as object)).toContain(
      'MAIL-MARKER-7f3a: 1 unread message from mayor',
    );
  }, 120_000);
});
