// The tmux adapter against real tmux on a private socket that is killed at the end.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTmux, type TmuxClient } from '../src/tmux/index.ts';
import { cleanEnv } from './support/bd.ts';

const SOCKET = `gt-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
let tmux: TmuxClient;
let base: string;

/** Sockets live in the test's temp dir (TMUX_TMPDIR), so nothing is left in the machine's tmux directory. */
const env = () => cleanEnv({ TMUX_TMPDIR: base });

function raw(...args: string[]): string {
  const r = spawnSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8', env: env() });
  return r.stdout;
}

async function waitFor<T>(probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const screen = (name: string) => tmux.capturePane(name).then((l) => l.join('\n'));

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'gt tmux '));
  tmux = createTmux({ socket: SOCKET, env: env() });
});

afterAll(async () => {
  await tmux.killServer();
  rmSync(base, { recursive: true, force: true });
});

describe('tmux adapter', () => {
  it('lists nothing and finds nothing before the server exists', async () => {
    expect(await tmux.listSessions()).toEqual([]);
    expect(await tmux.hasSession('nothing')).toBe(false);
    expect(await tmux.killSession('nothing')).toBe(false);
  });

  it('starts a detached session in a directory with env, the program exec-ed as the pane process', async () => {
    const weird = `it's "odd"; $HOME \`x\` \\ end`;
    await tmux.newSession({
      name: 'agent-one',
      cwd: base,
      env: { GT_WEIRD: weird, GT_ROLE: 'polecat' },
      unsetEnv: ['GT_DROPPED'],
      argv: [
        'sh',
        '-c',
        'printf "[%s|%s|%s|%s]\\n" "$GT_WEIRD" "$GT_ROLE" "${GT_DROPPED-unset}" "$PWD"; exec sleep 600',
      ],
    });
    const text = await waitFor(
      () => screen('agent-one'),
      (s) => s.includes(']'),
    );
    expect(text).toContain(`[${weird}|polecat|unset|${base}]`);
    const [info] = await waitFor(
      () => tmux.listSessions(),
      (l) => l[0]?.currentCommand === 'sleep',
    );
    expect(info).toMatchObject({ name: 'agent-one', currentCommand: 'sleep', attached: false, paneDead: false });
    expect(info!.panePid).toBeGreaterThan(1);
    expect(info!.activity.getTime()).toBeGreaterThan(0);
  });

  it('matches session names exactly, never by prefix', async () => {
    expect(await tmux.hasSession('agent-one')).toBe(true);
    expect(await tmux.hasSession('agent')).toBe(false);
    await expect(tmux.capturePane('agent')).rejects.toMatchObject({ code: 'TMUX_NO_SESSION' });
  });

  it('refuses a second session of the same name and names that tmux would rewrite', async () => {
    await expect(tmux.newSession({ name: 'agent-one', cwd: base, argv: ['sleep', '1'] })).rejects.toMatchObject({
      code: 'TMUX_SESSION_EXISTS',
    });
    await expect(tmux.hasSession('a.b')).rejects.toMatchObject({ code: 'TMUX_BAD_NAME' });
    await expect(tmux.hasSession('a:b')).rejects.toMatchObject({ code: 'TMUX_BAD_NAME' });
  });

  it('sends text literally and Enter separately, and captures the last lines', async () => {
    await tmux.newSession({ name: 'echo', cwd: base, argv: ['cat'], width: 120, height: 20 });
    const msg = `Enter C-c ; "quoted" 'single' $HOME -l ends with;`;
    await tmux.sendText('echo', msg);
    const typed = await waitFor(
      () => tmux.snapshot('echo'),
      (t) => t.cursorX === msg.length,
    );
    expect(typed.lines[0]).toBe(msg);
    expect(typed.cursorY).toBe(0);
    expect(typed.cursorX).toBe(msg.length);
    expect(typed).toMatchObject({ inMode: false, attached: false, width: 120, height: 20 });
    await tmux.sendKeys('echo', 'Enter');
    const lines = await waitFor(
      () => tmux.capturePane('echo', { lines: 2 }),
      (l) => l.length === 2,
    );
    expect(lines).toEqual([msg, msg]); // the terminal's echo, then cat's copy
  });

  it('sends long and multi-byte text in chunks without losing a character', async () => {
    await tmux.newSession({ name: 'long', cwd: base, argv: ['cat'], width: 200, height: 30 });
    const msg = `${'αβγ-δ;'.repeat(150)}end`;
    await tmux.sendText('long', msg);
    const joined = await waitFor(
      () => tmux.capturePane('long', { lines: 50 }).then((l) => l.join('')),
      (s) => s.endsWith('end'),
    );
    expect(joined).toBe(msg);
  });

  it('leaves copy mode, wakes a detached session without changing its size, and sets options and env', async () => {
    raw('copy-mode', '-t', '=echo:');
    expect((await tmux.snapshot('echo')).inMode).toBe(true);
    await tmux.exitCopyMode('echo');
    expect((await tmux.snapshot('echo')).inMode).toBe(false);

    await tmux.wake('echo');
    expect((await tmux.snapshot('echo')).width).toBe(120);

    await tmux.setOption('echo', 'remain-on-exit', 'on', { window: true });
    expect(raw('show-options', '-w', '-t', '=echo:', 'remain-on-exit').trim()).toBe('remain-on-exit on');
    await tmux.setEnvironment('echo', 'GT_SESSION', 'echo');
    expect(raw('show-environment', '-t', '=echo', 'GT_SESSION').trim()).toBe('GT_SESSION=echo');
  });

  it('kills sessions and the server', async () => {
    expect(await tmux.killSession('long')).toBe(true);
    expect((await tmux.listSessions()).map((s) => s.name).sort()).toEqual(['agent-one', 'echo']);
    const socketFile = join(base, `tmux-${process.getuid?.() ?? 0}`, SOCKET);
    expect(existsSync(socketFile)).toBe(true);
    expect(await tmux.killServer()).toBe(true);
    expect(existsSync(socketFile)).toBe(false);
    expect(await tmux.listSessions()).toEqual([]);
    expect(await tmux.killServer()).toBe(false);
  });

  it('works the same for a caller with no locale (a daemon under cron or systemd has no LANG)', async () => {
    const bare = cleanEnv({ TMUX_TMPDIR: base });
    for (const k of ['LANG', 'LC_ALL', 'LC_CTYPE']) delete bare[k];
    const socket = `${SOCKET}-c`;
    const plain = createTmux({ socket, env: bare });
    try {
      await plain.newSession({
        name: 'no-locale',
        cwd: base,
        argv: ['sh', '-c', 'printf "ready ❯\\n"; exec sleep 600'],
      });
      const [info] = await waitFor(
        () => plain.listSessions(),
        (l) => l[0]?.currentCommand === 'sleep',
      );
      expect(info).toMatchObject({ name: 'no-locale', currentCommand: 'sleep', paneDead: false });
      await plain.sendText('no-locale', 'héllo ❯');
      const text = await waitFor(
        () => plain.capturePane('no-locale').then((l) => l.join('\n')),
        (t) => t.includes('héllo'),
      );
      expect(text).toContain('ready ❯');
      expect(text).toContain('héllo ❯');
    } finally {
      await plain.killServer();
    }
  });

  it('reports a missing tmux as TMUX_MISSING with an install hint', async () => {
    const missing = createTmux({ socket: SOCKET, bin: join(base, 'no-tmux-here') });
    const err = await missing.listSessions().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'TMUX_MISSING' });
    expect((err as { hint: string }).hint).toMatch(/install tmux/);
  });

  it('refuses a socket name that is not a plain word', async () => {
    const bad = createTmux({ socket: '../x' });
    await expect(bad.listSessions()).rejects.toMatchObject({ code: 'TMUX_BAD_SOCKET' });
  });
});
