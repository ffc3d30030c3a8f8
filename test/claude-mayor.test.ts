// The Mayor on the real Claude Code CLI, end to end through gt: `gt mayor start` gets a brand-new town past the
// workspace-trust dialog to the ready prompt; the SessionStart hook runs this gt's `prime --hook` (the model sees
// the Mayor's rules, the table records Claude's session id); `gt nudge` and `gt mail send` reach the model, the
// mail through the UserPromptSubmit hook; `gt agents`, `gt peek` and `gt mayor stop` see the same session.
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTmux } from '../src/tmux/index.ts';
import { claudeTestEnv, prepareClaudeConfigDir } from '../testing/claude/index.ts';
import {
  requestText,
  startModelServer,
  userTurns,
  type MessagesRequest,
  type ModelServer,
} from '../testing/model-server/index.ts';
import { gtAsync, gtJson, tempDir } from './support/gt.ts';

const SOCKET = `gt-test-claude-mayor-${process.pid}`;
const BIN_DIR = resolve(import.meta.dirname, '../node_modules/.bin');

async function until<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the Mayor on real Claude Code', () => {
  let base = '';
  let town = '';
  let cleanup = (): void => {};
  let server: ModelServer;
  let env: Record<string, string> = {};
  const tmux = createTmux({ socket: SOCKET });

  beforeAll(async () => {
    const t = tempDir('gt claude mayor');
    base = t.dir;
    cleanup = t.cleanup;
    town = join(base, 'my town');
    gtJson(base, ['install', town]);
    server = await startModelServer({ reply: () => 'Understood.' });
    env = {
      ...claudeTestEnv(server.url),
      CLAUDE_CONFIG_DIR: prepareClaudeConfigDir(join(base, 'claude config')),
      GT_TMUX_SOCKET: SOCKET,
      PATH: `${BIN_DIR}:${process.env.PATH ?? ''}`,
    };
  });
  afterAll(async () => {
    await tmux.killServer();
    await server?.close();
    cleanup();
  });

  it('starts past the trust dialog, primes through the hook, and takes nudges and mail', async () => {
    const start = await gtAsync(town, ['mayor', 'start', '--json'], env);
    expect(start.code, start.stderr).toBe(0);
    const started = JSON.parse(start.stdout) as {
      status: string;
      readyBy: string;
      dialogsAnswered: string[];
      agent: string;
    };
    expect(started).toMatchObject({ status: 'started', agent: 'claude', readyBy: 'prompt' });
    expect(started.dialogsAnswered).toContain('trust');

    const nudged = await gtAsync(town, ['nudge', 'mayor', 'Plan the login feature, please.'], env);
    expect(nudged.code, nudged.stderr).toBe(0);
    const turn = await until(() =>
      userTurns(server.requests).find((t) => t.prompts.includes('Plan the login feature, please.')),
    );
    const body = server.requests[turn.request]!.body as MessagesRequest;
    // SessionStart ran `gt prime --hook` of this installation: the Mayor's context is in the conversation.
    expect(requestText(body)).toContain('Rules of the Mayor');
    expect(requestText(body)).toContain('gt sling');

    const status = await until(async () => {
      const r = await gtAsync(town, ['mayor', 'status', '--json'], env);
      const v = JSON.parse(r.stdout) as { state: string; session_id: string | null };
      return v.session_id && v.state === 'idle' ? v : undefined;
    });
    expect(status.session_id).toMatch(/^[0-9a-f-]{36}$/);

    const sent = await gtAsync(
      town,
      ['mail', 'send', 'mayor', '-s', 'Deploy window moved', '-m', 'Friday 16:00 instead of Thursday', '--json'],
      env,
    );
    expect(sent.code, sent.stderr).toBe(0);
    const withMail = await until(() =>
      server.requests.find(
        (r) => r.path === '/v1/messages' && requestText(r.body as MessagesRequest).includes('Deploy window moved'),
      ),
    );
    expect(requestText(withMail.body as MessagesRequest)).toContain('📬');

    const agents = JSON.parse((await gtAsync(town, ['agents', '--json'], env)).stdout) as {
      address: string;
      runtime: string;
      state: string;
    }[];
    expect(agents).toEqual([expect.objectContaining({ address: 'mayor', runtime: 'claude' })]);
    expect(['idle', 'working']).toContain(agents[0]!.state);
    const peek = JSON.parse((await gtAsync(town, ['peek', 'mayor', '-n', '60', '--json'], env)).stdout) as {
      lines: string[];
    };
    expect(peek.lines.join('\n')).toContain('Plan the login feature, please.');

    const stopped = await gtAsync(town, ['mayor', 'stop', '--json'], env);
    expect(JSON.parse(stopped.stdout)).toMatchObject({ stopped: true });
    expect(await tmux.hasSession('hq-mayor')).toBe(false);
  });
});
