// Agent sessions in real tmux on a private socket: gt mayor start/status/attach/detach/stop/restart, gt agents,
// gt peek and gt crew at, with a stand-in agent (the fake TUI) that records the environment it was started with.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTmux } from '../src/tmux/index.ts';
import { expectFailure, GT_BIN, gt, gtAsync, gtJson, sourceRepo, tempDir } from './support/gt.ts';

const SOCKET = `gt-test-sess-${process.pid}`;
const OUTER = `gt-test-outer-${process.pid}`;
const FAKE_TUI = resolve(import.meta.dirname, '../testing/fake-tui/fake-tui.js');
const env = { GT_TMUX_SOCKET: SOCKET };

interface View {
  address: string;
  role: string;
  rig: string | null;
  runtime: string;
  session: string;
  state: string;
  attached: boolean;
}

describe('agent sessions', () => {
  let base = '';
  let town = '';
  let cleanup = (): void => {};
  const tmux = createTmux({ socket: SOCKET });
  const outer = createTmux({ socket: OUTER });

  beforeAll(() => {
    const t = tempDir('gt sessions');
    base = t.dir;
    cleanup = t.cleanup;
    town = join(base, 'my town');
    gtJson(base, ['install', town]);
    // The stand-in agent: records its environment and the gt on its PATH, then runs the fake TUI.
    const agent = join(base, 'fake agent.sh');
    writeFileSync(
      agent,
      `#!/bin/sh\nenv > "$GT_AGENT_ENV_DIR/$GT_SESSION.env"\ncommand -v gt > "$GT_AGENT_ENV_DIR/$GT_SESSION.gt"\nexec '${process.execPath}' '${FAKE_TUI}' --log "$GT_AGENT_ENV_DIR/$GT_SESSION.log"\n`,
    );
    chmodSync(agent, 0o755);
    const settings = JSON.parse(readFileSync(join(town, 'settings', 'config.json'), 'utf8')) as {
      agents: Record<string, unknown>;
    };
    settings.agents = {
      fake: { command: agent, env: { GT_AGENT_ENV_DIR: base }, ready_prompt: '^>(\\s|$)', ready_delay_ms: 20000 },
      ghost: { command: 'no-such-agent-cli-xyz', args: ['--yolo'] },
    };
    writeFileSync(join(town, 'settings', 'config.json'), JSON.stringify(settings, null, 2));
    sourceRepo(join(base, 'app src'), 'main', { 'a.txt': 'a\n' });
    gtJson(town, ['rig', 'add', 'app', join(base, 'app src')]);
    gtJson(town, ['crew', 'add', 'alice', '--rig', 'app']);
  });
  afterAll(async () => {
    await tmux.killServer();
    await outer.killServer();
    cleanup();
  });

  it('starts the Mayor in its own session with the role environment and this gt on PATH', async () => {
    const r = gtJson<{ status: string; session: string; state: string; readyBy: string }>(
      town,
      ['mayor', 'start', '--agent', 'fake'],
      { env },
    );
    expect(r).toMatchObject({ status: 'started', session: 'hq-mayor', readyBy: 'prompt' });
    expect(await tmux.hasSession('hq-mayor')).toBe(true);
    const vars = Object.fromEntries(
      readFileSync(join(base, 'hq-mayor.env'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    expect(vars).toMatchObject({
      GT_ROOT: town,
      GT_ROLE: 'mayor',
      GT_ADDRESS: 'mayor',
      BD_ACTOR: 'mayor',
      GIT_AUTHOR_NAME: 'Mayor',
    });
    expect(vars.PWD ?? '').toBe(join(town, 'mayor'));
    const gtPath = readFileSync(join(base, 'hq-mayor.gt'), 'utf8').trim();
    expect(gtPath).toBe(join(town, '.runtime', 'bin', 'gt'));
    expect(readFileSync(gtPath, 'utf8')).toContain(GT_BIN);
    // Without a session-start hook, the first prompt tells the agent to load its role.
    expect(readFileSync(join(base, 'hq-mayor.log'), 'utf8')).toContain('Run `gt prime` now');

    const again = gtJson<{ status: string }>(town, ['mayor', 'start', '--agent', 'fake'], { env });
    expect(again.status).toBe('already-running');
  });

  it('lists agents with their state and shows the end of a screen', () => {
    const list = gtJson<View[]>(town, ['agents'], { env });
    expect(list).toEqual([
      expect.objectContaining({
        address: 'mayor',
        role: 'mayor',
        runtime: 'fake',
        session: 'hq-mayor',
        state: 'idle',
        attached: false,
      }),
    ]);
    const text = gt(town, ['agents'], { env });
    expect(text.stdout).toMatch(/^AGENT\s+ROLE\s+RUNTIME\s+STATE/m);
    expect(text.stdout).toMatch(/^mayor\s+mayor\s+fake\s+idle/m);
    const peek = gtJson<{ lines: string[] }>(town, ['peek', 'mayor', '-n', '5'], { env });
    expect(peek.lines.join('\n')).toContain('>');
    expect(gtJson<{ state: string }>(town, ['mayor', 'status'], { env }).state).toBe('idle');
  });

  it('attaches a terminal to the Mayor and detaches it again', async () => {
    const cmd = `'${process.execPath}' '${GT_BIN}' mayor attach; echo "attach exited $?"; sleep 60`;
    await outer.newSession({
      name: 'term',
      cwd: town,
      argv: ['/bin/sh', '-c', cmd],
      env: { ...env, PATH: process.env.PATH ?? '' },
      width: 120,
      height: 30,
    });
    await until(async () => gtJson<View[]>(town, ['agents'], { env })[0]?.attached === true);
    expect((await outer.capturePane('term')).join('\n')).toContain('[hq-mayor]');
    const d = gtJson<{ detached: number }>(town, ['mayor', 'detach'], { env });
    expect(d.detached).toBe(1);
    await until(async () => (await outer.capturePane('term')).join('\n').includes('attach exited 0'));
    expect(await tmux.hasSession('hq-mayor')).toBe(true);
    await outer.killSession('term');
  });

  it('refuses to attach without a terminal and says how to look instead', () => {
    const r = gt(town, ['mayor', 'attach'], { env });
    expectFailure(r, 1, /needs an interactive terminal/);
    expect(r.stderr).toContain('gt peek mayor');
  });

  it('restarts and stops the Mayor', async () => {
    const r = gtJson<{ status: string }>(town, ['mayor', 'restart'], { env });
    expect(r.status).toBe('started');
    expect(readFileSync(join(base, 'hq-mayor.log'), 'utf8').match(/Run `gt prime` now/g)?.length).toBe(2);
    const s = gtJson<{ stopped: boolean }>(town, ['mayor', 'stop'], { env });
    expect(s.stopped).toBe(true);
    expect(await tmux.hasSession('hq-mayor')).toBe(false);
    expect(gtJson<View[]>(town, ['agents'], { env })).toEqual([]);
    expect(gtJson<View[]>(town, ['agents', '--all'], { env })[0]?.state).toBe('stopped');
    expect(gtJson<{ stopped: boolean }>(town, ['mayor', 'stop'], { env }).stopped).toBe(false);
  });

  it('starts a crew member in their clone without attaching', async () => {
    const r = gtJson<{ status: string; session: string }>(
      town,
      ['crew', 'at', 'alice', '--rig', 'app', '--agent', 'fake', '--no-attach'],
      { env },
    );
    expect(r).toMatchObject({ status: 'started', session: 'app-crew-alice' });
    const vars = readFileSync(join(base, 'app-crew-alice.env'), 'utf8');
    expect(vars).toContain(`PWD=${join(town, 'app', 'crew', 'alice')}`);
    expect(vars).toContain('GT_RIG=app');
    expect(vars).toContain('GT_ADDRESS=app/crew/alice');
    expect(vars).toContain('GIT_AUTHOR_NAME=app/crew/alice');
    const list = gtJson<View[]>(town, ['agents', '--rig', 'app'], { env });
    expect(list.map((a) => [a.address, a.role])).toEqual([['app/crew/alice', 'crew']]);
    await tmux.killSession('app-crew-alice');
    expect(gtJson<View[]>(town, ['agents', '--rig', 'app'], { env })[0]?.state).toBe('dead');
  });

  it('does not start an agent whose CLI is missing, and names the program', async () => {
    const r = gt(town, ['mayor', 'start', '--agent', 'ghost'], { env });
    expectFailure(r, 1, /no-such-agent-cli-xyz.*not on PATH/);
    expect(r.stderr).toContain('gt doctor');
    expect(await tmux.hasSession('hq-mayor')).toBe(false);
  });

  it('without tmux on PATH: a clear error, nothing started, nothing recorded', () => {
    const bin = join(base, 'bin without tmux');
    mkdirSync(bin, { recursive: true });
    for (const tool of ['node', 'git', 'sh', 'env']) {
      const found = spawnSync('/bin/sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
      if (found) symlinkSync(found, join(bin, tool));
    }
    const r = gt(town, ['mayor', 'start', '--agent', 'fake'], { env: { ...env, PATH: bin } });
    expectFailure(r, 1, /tmux is not installed or not on PATH/);
    expect(r.stderr).toMatch(/Hint: install tmux/);
    expect(gtJson<View[]>(town, ['agents', '--all'], { env }).find((a) => a.address === 'mayor')?.state).not.toBe(
      'starting',
    );
  });

  it('refuses unknown agents, addresses and rigs with a clear message', () => {
    expectFailure(gt(town, ['mayor', 'start', '--agent', 'nope'], { env }), 2, /unknown agent "nope"/);
    expectFailure(gt(town, ['peek', 'mayor'], { env }), 1, /mayor is not running/);
    expectFailure(gt(town, ['peek', 'nosuchrig/bob'], { env }), 2, /no rig named "nosuchrig"/);
    expectFailure(gt(town, ['peek', 'overseer'], { env }), 2, /not a single agent/);
    expectFailure(gt(town, ['peek', 'mayor', '-n', 'lots'], { env }), 2, /--lines must be a whole number/);
    expectFailure(
      gt(town, ['crew', 'at', 'zed', '--rig', 'app', '--no-attach'], { env }),
      1,
      /app\/crew\/zed has no working directory/,
    );
    expectFailure(gt(base, ['mayor', 'status'], { env }), 1, /no town found/);
    expect(existsSync(join(town, 'app', 'crew', 'zed'))).toBe(false);
  });

  it('four starts of one agent at once (a sling and the daemon, say): one starts it, the others find it running', async () => {
    const runs = await Promise.all(
      Array.from({ length: 4 }, () => gtAsync(town, ['mayor', 'start', '--agent', 'fake', '--json'], env)),
    );
    for (const r of runs) expect(r, r.stderr).toMatchObject({ code: 0, stderr: '' });
    const statuses = runs.map((r) => (JSON.parse(r.stdout) as { status: string }).status).sort();
    expect(statuses).toEqual(['already-running', 'already-running', 'already-running', 'started']);
    expect((await tmux.listSessions()).filter((x) => x.name === 'hq-mayor')).toHaveLength(1);
    expect(gt(town, ['mayor', 'stop'], { env }).code).toBe(0);
  });
});

async function until(ok: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
