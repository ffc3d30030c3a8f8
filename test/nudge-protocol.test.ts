// The nudge protocol against a fake TUI in real tmux on a private socket: concurrent senders in separate
// processes, literal text, queueing, idle detection, stale locks and TUIs that do not echo.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainQueue, lockPath, nudge, type NudgeResult } from '../src/agents/index.ts';
import { createTmux, type TmuxClient } from '../src/tmux/index.ts';
import { cleanEnv } from './support/bd.ts';

const SOCKET = `gt-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
const FAKE_TUI = resolve(import.meta.dirname, '../testing/fake-tui/fake-tui.js');
const SENDER = resolve(import.meta.dirname, '../testing/fake-tui/send-nudges.ts');
const SIGNALS = { prompt: '^>(\\s|$)', busy: 'esc to interrupt' };
let tmux: TmuxClient;
let base: string;
let runtimeDir: string;

/** Start the fake TUI in a session; returns its log file once the prompt shows. */
async function startTui(name: string, busyMs = 0): Promise<string> {
  const log = join(base, `${name}.log`);
  writeFileSync(log, '');
  await tmux.newSession({
    name,
    cwd: base,
    argv: [process.execPath, FAKE_TUI, '--log', log, '--busy-ms', String(busyMs)],
    width: 160,
    height: 40,
  });
  await until(async () => (await tmux.capturePane(name))[0] === '>');
  return log;
}

async function until(ok: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const logLines = (log: string) => readFileSync(log, 'utf8').split('\n').filter(Boolean);

function runSender(
  session: string,
  sender: number,
  count: number,
): Promise<{ message: string; result: NudgeResult }[]> {
  return new Promise((res, rej) => {
    const env = cleanEnv({ TMUX_TMPDIR: base });
    const p = spawn(
      process.execPath,
      [SENDER, SOCKET, session, runtimeDir, String(sender), String(count), 'wait-idle'],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
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
              .map((l) => JSON.parse(l)),
          )
        : rej(new Error(`sender ${sender} exited ${code}: ${err}`)),
    );
  });
}

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'gt nudge '));
  runtimeDir = join(base, '.runtime');
  // Sockets live in the temp dir (TMUX_TMPDIR), so nothing is left in the machine's tmux directory.
  tmux = createTmux({ socket: SOCKET, env: cleanEnv({ TMUX_TMPDIR: base }) });
});

afterAll(async () => {
  await tmux.killServer();
  rmSync(base, { recursive: true, force: true });
});

describe('nudge protocol', () => {
  it('5 sender processes × 10 nudges at once: each message arrives exactly once, whole, on its own line', async () => {
    const log = await startTui('busy-tui', 100);
    const results = (await Promise.all([1, 2, 3, 4, 5].map((s) => runSender('busy-tui', s, 10)))).flat();
    expect(results).toHaveLength(50);
    for (const r of results) expect(r.result).toMatchObject({ status: 'delivered', verified: true });
    const lines = logLines(log);
    expect(lines.sort()).toEqual(results.map((r) => r.message).sort());
    expect(existsSync(lockPath(runtimeDir, 'nudge-busy-tui'))).toBe(false);
  }, 120_000);

  it('delivers quotes, ;, $, key names and leading dashes literally, and multi-line text as one line', async () => {
    const log = await startTui('literal');
    const messages = [
      `it's "quoted"; echo $HOME && \`id\` | tee > x`,
      'Enter',
      'C-c',
      'ends with a semicolon;',
      '-l looks like a flag',
      '#{session_name} ~ %% {braces} \\ backslash',
      'ünïcødé ✓ 日本語',
    ];
    for (const message of messages) {
      const r = await nudge(tmux, { runtimeDir }, { session: 'literal', message, mode: 'immediate' });
      expect(r).toMatchObject({ status: 'delivered', verified: true, attempts: 1 });
    }
    const multi = await nudge(
      tmux,
      { runtimeDir },
      { session: 'literal', message: 'line one\nline two\r\n\tline three\x1b[31m red\x07', mode: 'immediate' },
    );
    expect(multi.status).toBe('delivered');
    expect(logLines(log)).toEqual([...messages, 'line one line two  line three red']);
  });

  it('queue mode stores the nudge for the hook; draining returns it once and types nothing', async () => {
    const log = await startTui('queued');
    const a = await nudge(tmux, { runtimeDir }, { session: 'queued', message: 'first', mode: 'queue', from: 'mayor' });
    const b = await nudge(
      tmux,
      { runtimeDir },
      { session: 'queued', message: 'second', mode: 'queue', priority: 'urgent' },
    );
    expect(a).toMatchObject({ status: 'queued', why: 'requested' });
    expect(b).toMatchObject({ status: 'queued' });
    const drained = drainQueue(runtimeDir, 'queued');
    expect(drained.map((n) => [n.message, n.from, n.priority])).toEqual([
      ['first', 'mayor', 'normal'],
      ['second', undefined, 'urgent'],
    ]);
    expect(drainQueue(runtimeDir, 'queued')).toEqual([]);
    expect(logLines(log)).toEqual([]);
  });

  it('wait-idle queues the nudge when the agent stays busy, and types it once the agent is idle', async () => {
    const log = await startTui('thinking', 60_000);
    await nudge(tmux, { runtimeDir }, { session: 'thinking', message: 'start working', mode: 'immediate' });
    const r = await nudge(
      tmux,
      { runtimeDir, idleTimeoutMs: 1000 },
      { session: 'thinking', message: 'are you there?', signals: SIGNALS },
    );
    expect(r).toMatchObject({ status: 'queued', why: 'busy' });
    expect(drainQueue(runtimeDir, 'thinking').map((n) => n.message)).toEqual(['are you there?']);
    expect(logLines(log)).toEqual(['start working']);

    await startTui('idle');
    const idle = await nudge(tmux, { runtimeDir }, { session: 'idle', message: 'hello', signals: SIGNALS });
    expect(idle).toMatchObject({ status: 'delivered', verified: true });
  });

  it('takes over a lock left by a dead process', async () => {
    const log = await startTui('stale');
    const path = lockPath(runtimeDir, 'nudge-stale');
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, JSON.stringify({ pid: 2 ** 22 + 4242, at: Date.now() }));
    const r = await nudge(
      tmux,
      { runtimeDir, lockTimeoutMs: 5000 },
      { session: 'stale', message: 'after the crash', mode: 'immediate' },
    );
    expect(r.status).toBe('delivered');
    expect(logLines(log)).toEqual(['after the crash']);
  });

  it('presses Enter even when the TUI does not echo, and says the delivery is unverified', async () => {
    const out = join(base, 'silent.out');
    await tmux.newSession({ name: 'silent', cwd: base, argv: ['sh', '-c', `stty -echo; exec cat > '${out}'`] });
    await until(async () => (await tmux.listSessions()).some((s) => s.name === 'silent' && s.currentCommand === 'cat'));
    const r = await nudge(
      tmux,
      { runtimeDir, echoTimeoutMs: 600 },
      { session: 'silent', message: 'no echo here', mode: 'immediate' },
    );
    expect(r).toMatchObject({ status: 'delivered', verified: false });
    await until(async () => existsSync(out) && readFileSync(out, 'utf8') === 'no echo here\n');
  });

  it('fails cleanly for a missing session or an empty message', async () => {
    const gone = await nudge(tmux, { runtimeDir }, { session: 'no-such-agent', message: 'hi', mode: 'immediate' });
    expect(gone).toMatchObject({ status: 'failed', reason: 'no-session' });
    const empty = await nudge(tmux, { runtimeDir }, { session: 'literal', message: ' \x07\n ', mode: 'immediate' });
    expect(empty).toMatchObject({ status: 'failed', reason: 'empty-message' });
  });
});
