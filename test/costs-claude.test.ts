// Costs on the real Claude Code CLI: an agent session of the town, started with Gas Town's settings file, answers a
// prompt with a text-and-tool-call turn; its Stop hook runs this gt's `costs record`, and `gt costs --json` then
// shows exactly the tokens the loopback model server reported (docs/testing.md's rule), counted once per response.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeClaudeSettings } from '../src/agents/claude-settings.ts';
import { createTmux } from '../src/tmux/index.ts';
import { prepareClaudeConfigDir, startClaude } from '../testing/claude/index.ts';
import {
  startModelServer,
  type ContentBlock,
  type MessagesRequest,
  type ModelServer,
} from '../testing/model-server/index.ts';
import { GT_BIN, gtAsync, gtJson, tempDir } from './support/gt.ts';

const SOCKET = `gt-test-costs-claude-${process.pid}`;

async function until<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}

const hasToolResult = (req: MessagesRequest): boolean =>
  (req.messages ?? []).some(
    (m) => Array.isArray(m.content) && (m.content as { type?: string }[]).some((b) => b.type === 'tool_result'),
  );

interface CostsJson {
  total: {
    input: number;
    output: number;
    cache_read: number;
    cache_write: number;
    responses: number;
    cost_usd: number;
  };
  groups: { key: string; responses: number; models: { model: string }[] }[];
}

describe('gt costs with the real Claude Code CLI', () => {
  let base = '';
  let town = '';
  let cleanup = (): void => {};
  let server: ModelServer;
  const tmux = createTmux({ socket: SOCKET });

  beforeAll(async () => {
    const t = tempDir('gt costs claude');
    base = t.dir;
    cleanup = t.cleanup;
    town = join(base, 'town');
    gtJson(base, ['install', town]);
    server = await startModelServer({
      respond: (req): { content: ContentBlock[] } | string => {
        if (!Array.isArray(req.tools) || req.tools.length === 0) return 'OK.';
        if (hasToolResult(req)) return 'Done: the note is written.';
        // Two blocks in one response: Claude Code logs it once per block with the same message id.
        return {
          content: [
            { type: 'text', text: 'I will write the note now.' },
            {
              type: 'tool_use',
              id: 'toolu_note_1',
              name: 'Write',
              input: { file_path: join(town, 'mayor', 'NOTE.md'), content: 'costs test\n' },
            },
          ],
        };
      },
    });
  });
  afterAll(async () => {
    await tmux.killServer();
    await server?.close();
    cleanup();
  });

  it('the Stop hook records the session, and the totals equal what the server reported', async () => {
    const cwd = join(town, 'mayor');
    const configDir = prepareClaudeConfigDir(join(base, 'claude config'), { trustedDirs: [cwd] });
    const settingsPath = writeClaudeSettings(join(town, '.runtime', 'agents', 'hq-mayor'), {
      gtCommand: [process.execPath, GT_BIN],
    });
    const env = {
      GT_ROOT: town,
      GT_ROLE: 'mayor',
      GT_ADDRESS: 'mayor',
      CLAUDE_CONFIG_DIR: configDir,
      PATH: process.env.PATH ?? '',
    };
    await startClaude(tmux, {
      session: 'costs',
      cwd,
      modelUrl: server.url,
      configDir,
      settingsPath,
      env,
      prompt: 'Write the note, please.',
    });

    // The turn ends with the text answer after the tool result; the Stop hook then records the transcript.
    await until(() => server.messages().some((r) => hasToolResult(r.body)));
    const reported = server.usage();
    const costs = await until(async () => {
      const r = await gtAsync(town, ['costs', '--json'], { GT_ROOT: town });
      if (r.code !== 0) return undefined;
      const v = JSON.parse(r.stdout) as CostsJson;
      const main = server.usage().requests.filter((u) => !isSide(server, u.index));
      return v.total.responses >= main.length && main.length >= 2 ? v : undefined;
    });

    const projects = join(configDir, 'projects');
    expect(existsSync(projects) && readdirSync(projects).length).toBeTruthy();
    const main = server.usage().requests.filter((u) => !isSide(server, u.index));
    const sum = (
      k: 'input_tokens' | 'output_tokens' | 'cache_read_input_tokens' | 'cache_creation_input_tokens',
    ): number => main.reduce((n, u) => n + u.usage[k], 0);
    expect(costs.total).toMatchObject({
      responses: main.length,
      input: sum('input_tokens'),
      output: sum('output_tokens'),
      cache_read: 0,
      cache_write: 0,
    });
    expect(costs.groups.map((g) => g.key)).toEqual(['mayor']);
    expect(costs.total.cost_usd).toBeGreaterThan(0);
    // Side queries (no tools: titles and the like) are not written to the transcript, so they are not counted.
    expect(reported.requests.length).toBeGreaterThanOrEqual(main.length);
  }, 180_000);
});

function isSide(server: ModelServer, index: number): boolean {
  const body = server.requests[index]?.body as MessagesRequest | undefined;
  return !body || !Array.isArray(body.tools) || body.tools.length === 0;
}
