// The nudge protocol's acceptance test against the real Claude Code TUI in real tmux: 5 sender processes × 10
// nudges at once; the model server must see each message exactly once, whole, as its own user turn.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinPreset, passStartupDialogs, writeClaudeSettings, type NudgeResult } from '../src/agents/index.ts';
import { createTmux, type TmuxClient } from '../src/tmux/index.ts';
import { prepareClaudeConfigDir, startClaude } from '../testing/claude/index.ts';
import { startModelServer, userTurns, type ModelServer } from '../testing/model-server/index.ts';
import { cleanEnv } from './support/bd.ts';

const SOCKET = `gt-test-cnudge-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
const SENDER = resolve(import.meta.dirname, '../testing/claude/send-nudges.ts');
const preset = builtinPreset('claude')!;
let tmux: TmuxClient;
let server: ModelServer;
let base: string;

interface Sent {
  message: string;
  sentAt: number;
  result: NudgeResult;
}

function runSender(session: string, runtimeDir: string, sender: number, count: number): Promise<Sent[]> {
  return new Promise((res, rej) => {
    const p = spawn(
      process.execPath,
      [SENDER, SOCKET, session, runtimeDir, String(sender), String(count), 'wait-idle'],
      {
        env: cleanEnv({ TMUX_TMPDIR: base }),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('close', (code) =>
      code === 0
        ? res(
            out
              .split('\n')
              .filter(Boolean)
              .map((l) => JSON.parse(l) as Sent),
          )
        : rej(new Error(`sender ${sender} exited ${code}: ${err}`)),
    );
  });
}

const pct = (xs: number[], p: number): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'gt claude nudge '));
  server = await startModelServer({ reply: () => 'Noted.' });
  tmux = createTmux({ socket: SOCKET, env: cleanEnv({ TMUX_TMPDIR: base }) });
});

afterAll(async () => {
  await tmux?.killServer();
  await server?.close();
  rmSync(base, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
});

describe('nudges into the real Claude Code TUI', () => {
  it('5 sender processes × 10 nudges at once: each arrives exactly once, whole, as its own turn', async () => {
    const cwd = join(base, 'project');
    mkdirSync(cwd);
    const configDir = prepareClaudeConfigDir(join(base, 'config'));
    const settingsPath = writeClaudeSettings(join(base, 'town'), { gtCommand: ['true'] });
    const startedAt = await startClaude(tmux, { session: 'agent', cwd, modelUrl: server.url, configDir, settingsPath });
    const up = await passStartupDialogs(tmux, 'agent', preset, { timeoutMs: 60_000, startedAt });
    expect(up, JSON.stringify(up)).toMatchObject({ ready: true });

    const runtimeDir = join(base, '.runtime');
    const sent = (await Promise.all([1, 2, 3, 4, 5].map((s) => runSender('agent', runtimeDir, s, 10)))).flat();
    expect(sent).toHaveLength(50);
    for (const s of sent) expect(s.result).toMatchObject({ status: 'delivered', verified: true });

    // The last turn may still be on its way to the model.
    const deadline = Date.now() + 30_000;
    while (userTurns(server.requests).length < 50 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    const turns = userTurns(server.requests);
    expect(turns.map((t) => t.prompts)).toEqual(turns.map((t) => [t.prompts[0]])); // one prompt per turn
    expect(turns.map((t) => t.prompts[0]).sort()).toEqual(sent.map((s) => s.message).sort());

    const arrival = new Map(turns.map((t) => [t.prompts[0], t.at]));
    const endToEnd = sent.map((s) => arrival.get(s.message)! - s.sentAt);
    const typing = sent.map((s) => (s.result.status === 'delivered' ? s.result.elapsedMs : 0));
    console.log(
      `claude nudge ×50 (5 senders at once): send→model median ${pct(endToEnd, 0.5)} ms, worst ${Math.max(...endToEnd)} ms; ` +
        `nudge() median ${pct(typing, 0.5)} ms, worst ${Math.max(...typing)} ms; Enter retries ${sent.filter((s) => s.result.status === 'delivered' && s.result.attempts > 1).length}`,
    );
  }, 180_000);
});
