// Agents that cannot start, in real tmux on a private socket: one that exits at once leaves its reason (last screen
// and exit status) in the error, gt peek, gt agents and gt doctor; one waiting on a login screen (a fake TUI
// showing it, and the real Auggie and Amp CLIs with no login) is stuck, with the reason, not working; Amp's first-run
// tour is onboarding, and on a loopback stand-in for its start-up API it reaches its ready prompt.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboard } from '../src/dashboard/index.ts';
import { createTmux } from '../src/tmux/index.ts';
import { loadTown } from '../src/town/index.ts';
import { ampTestEnv, prepareAmpHome, startFakeAmpApi, type FakeAmpApi } from '../testing/amp/index.ts';
import { expectFailure, gt, gtAsync, gtJson, sourceRepo, tempDir } from './support/gt.ts';

const SOCKET = `gt-test-startfail-${process.pid}`;
const ROOT = resolve(import.meta.dirname, '..');
const FAKE_TUI = join(ROOT, 'testing/fake-tui/fake-tui.js');
// CI=true, as a town started from a CI job has it (the tmux server inherits it): Ink-based TUIs such as Auggie stop
// drawing their screen when they see it, so the agents must not.
const env = { GT_TMUX_SOCKET: SOCKET, CI: 'true' };

interface View {
  address: string;
  state: string;
  reason: string | null;
  last_exit: { status: number | null; runtime: string } | null;
}

describe('agents that cannot start', () => {
  let base = '';
  let town = '';
  let cleanup = (): void => {};
  const tmux = createTmux({ socket: SOCKET, env: { ...process.env, ...env } });
  const agents = (): View[] => gtJson<View[]>(town, ['agents', '--all'], { env });

  beforeAll(() => {
    const t = tempDir('gt startfail');
    base = t.dir;
    cleanup = t.cleanup;
    town = join(base, 'my town');
    gtJson(base, ['install', town]);
    writeFileSync(
      join(base, 'login.txt'),
      [
        '',
        '  Welcome to the agent',
        '   New to it? You can create an account from the login page.',
        ' → Login to continue',
        '   Press return to open your browser',
        '',
      ].join('\n'),
    );
    const login = join(base, 'login agent.sh');
    writeFileSync(
      login,
      `#!/bin/sh\nexec '${process.execPath}' '${FAKE_TUI}' --log '${base}/login.log' --screen '${base}/login.txt'\n`,
    );
    chmodSync(login, 0o755);
    const settings = JSON.parse(readFileSync(join(town, 'settings', 'config.json'), 'utf8')) as {
      agents: Record<string, unknown>;
    };
    settings.agents = {
      broken: { command: 'sh', args: ['-c', 'echo "Error: not logged in"; exit 3'] },
      login: { command: login, ready_prompt: '^>(\\s|$)', ready_delay_ms: 20000 },
    };
    writeFileSync(join(town, 'settings', 'config.json'), JSON.stringify(settings, null, 2));
    sourceRepo(join(base, 'app src'), 'main', { 'a.txt': 'a\n' });
    gtJson(town, ['rig', 'add', 'app', join(base, 'app src')]);
    gtJson(town, ['crew', 'add', 'alice', '--rig', 'app']);
    gtJson(town, ['crew', 'add', 'bob', '--rig', 'app']);
  });
  afterAll(async () => {
    await tmux.killServer();
    cleanup();
  });

  it('an agent that exits during start-up says why: in the error, gt peek, gt agents and gt doctor', async () => {
    const r = gt(town, ['mayor', 'start', '--agent', 'broken'], { env });
    expectFailure(r, 1, /mayor \(broken\) exited with status 3 during start-up: "Error: not logged in"/);
    expect(await tmux.hasSession('hq-mayor')).toBe(false);

    const peek = gt(town, ['peek', 'mayor'], { env });
    expect(peek.code, peek.stderr).toBe(0);
    expect(peek.stdout).toMatch(/^mayor is not running: broken exited with status 3 during start-up at /);
    expect(peek.stdout).toContain('Error: not logged in');
    expect(peek.stdout).not.toContain('Pane is dead');

    const mayor = agents().find((a) => a.address === 'mayor');
    expect(mayor).toMatchObject({
      state: 'dead',
      last_exit: { status: 3, runtime: 'broken' },
      reason: expect.stringContaining('broken exited with status 3 during start-up: "Error: not logged in"'),
    });
    expect(gt(town, ['agents'], { env }).stdout).toMatch(
      /^mayor\s+mayor\s+broken\s+dead.*\n\s+↳ broken exited with status 3 during start-up: "Error: not logged in"/m,
    );

    const doctor = gt(town, ['doctor'], { env });
    expect(doctor.stdout).toMatch(
      /warn\s+agent\.mayor\.start: mayor: broken exited with status 3 during start-up at .*: "Error: not logged in"/,
    );
  });

  it('a clean start forgets the last failure', async () => {
    const settings = JSON.parse(readFileSync(join(town, 'settings', 'config.json'), 'utf8')) as {
      agents: Record<string, unknown>;
    };
    const ok = join(base, 'ok agent.sh');
    writeFileSync(ok, `#!/bin/sh\nexec '${process.execPath}' '${FAKE_TUI}' --log '${base}/ok.log'\n`);
    chmodSync(ok, 0o755);
    settings.agents = { ...settings.agents, ok: { command: ok, ready_prompt: '^>(\\s|$)', ready_delay_ms: 20000 } };
    writeFileSync(join(town, 'settings', 'config.json'), JSON.stringify(settings, null, 2));
    expect(gtJson<{ status: string }>(town, ['mayor', 'start', '--agent', 'ok'], { env }).status).toBe('started');
    expect(agents().find((a) => a.address === 'mayor')).toMatchObject({ state: 'idle', reason: null, last_exit: null });
    expect(gt(town, ['doctor'], { env }).stdout).not.toContain('agent.mayor.start');
    // Once up, an agent that exits ends its session as before (no dead pane left behind).
    await tmux.sendKeys('hq-mayor', 'C-c');
    gtJson(town, ['mayor', 'stop'], { env });
  });

  it('an agent waiting on its login screen is stuck, with the reason, not working', () => {
    const r = gt(town, ['crew', 'at', 'alice', '--rig', 'app', '--agent', 'login', '--no-attach'], { env });
    expectFailure(
      r,
      1,
      /app\/crew\/alice \(login\) is stuck at start-up, waiting on its login screen: "Login to continue"/,
    );
    const alice = agents().find((a) => a.address === 'app/crew/alice');
    expect(alice).toMatchObject({
      state: 'stuck',
      reason: expect.stringContaining('waiting on its login screen: "Login to continue"'),
    });
    expect(gt(town, ['agents'], { env }).stdout).toMatch(
      /^app\/crew\/alice\s+crew\s+login\s+stuck.*\n\s+↳ waiting on its login screen: "Login to continue"/m,
    );
  });

  it("the dashboard's agent data says the same", async () => {
    // The whole environment, as gt dashboard has it (a tmux client without a locale prints its list-sessions tabs as _).
    const dash = createDashboard(loadTown(town, { ...process.env, GT_TMUX_SOCKET: SOCKET, BD_ACTOR: 'tester' }), {
      heartbeatMs: 15_000,
    });
    try {
      const r = await dash.app.request('/api/agents', { headers: { authorization: `Bearer ${dash.token}` } });
      expect(r.status).toBe(200);
      const { agents: list } = (await r.json()) as { agents: View[] };
      expect(list.find((a) => a.address === 'app/crew/alice')).toMatchObject({
        state: 'stuck',
        reason: expect.stringContaining('login screen: "Login to continue"'),
      });
    } finally {
      dash.close();
    }
  });

  it('the real Auggie CLI with no login shows its login screen and is stuck', async () => {
    const home = join(base, 'empty home');
    mkdirSync(home, { recursive: true });
    const path = `${join(ROOT, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`;
    // Auggie has no ready prompt: it counts as up after 5 s, and its login screen may come before or after that.
    const r = gt(town, ['crew', 'at', 'bob', '--rig', 'app', '--agent', 'auggie', '--no-attach'], {
      env: { ...env, HOME: home, PATH: path },
    });
    if (r.code !== 0)
      expectFailure(
        r,
        1,
        /app\/crew\/bob \(auggie\) is stuck at start-up, waiting on its login screen: "Login to continue"/,
      );
    let bob: View | undefined;
    for (
      const deadline = Date.now() + 30_000;
      Date.now() < deadline;
      await new Promise((res) => setTimeout(res, 500))
    ) {
      bob = agents().find((a) => a.address === 'app/crew/bob');
      if (bob?.state === 'stuck') break;
    }
    const screen = bob?.state === 'stuck' ? '' : gt(town, ['peek', 'app/crew/bob'], { env }).stdout;
    expect(bob, screen).toMatchObject({
      state: 'stuck',
      reason: expect.stringContaining('waiting on its login screen: "Login to continue"'),
    });
  }, 60_000);
});

// Amp's agent loop runs on Amp's server (a thread actor reached over a Rivet WebSocket), so no scripted model can
// drive it (docs/formats/agent-presets.md). What can be proven on the real CLI is its start-up: its login question,
// its first-run tour, its ready screen on a loopback stand-in for Amp's start-up API, and the typed first prompt
// reaching that API. Each case gets a tmux server of its own: the agent's HOME and AMP_* come from the environment
// gt starts the server with.
describe('the real Amp CLI at start-up', () => {
  let base = '';
  let town = '';
  let cleanup = (): void => {};
  let api: FakeAmpApi | undefined;
  const sockets: string[] = [];
  const path = `${join(ROOT, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`;
  const envFor = (name: string, extra: Record<string, string>): Record<string, string> => {
    const socket = `${SOCKET}-amp-${name}`;
    sockets.push(socket);
    return { GT_TMUX_SOCKET: socket, PATH: path, AMP_SKIP_UPDATE_CHECK: '1', AMP_API_KEY: '', ...extra };
  };

  beforeAll(async () => {
    const t = tempDir('gt startfail amp');
    base = t.dir;
    cleanup = t.cleanup;
    town = join(base, 'town');
    gtJson(base, ['install', town]);
    sourceRepo(join(base, 'app src'), 'main', { 'a.txt': 'a\n' });
    gtJson(town, ['rig', 'add', 'app', join(base, 'app src')]);
    for (const name of ['ann', 'ben', 'cid']) gtJson(town, ['crew', 'add', name, '--rig', 'app']);
    api = await startFakeAmpApi();
  });
  afterAll(async () => {
    for (const socket of sockets) await createTmux({ socket }).killServer();
    await api?.close();
    cleanup();
  });

  it('with no API key it asks whether to log in: stuck, with the question as the reason', () => {
    const home = prepareAmpHome(join(base, 'home without key'), { welcomeSeen: true });
    const env = envFor('login', { HOME: home });
    const r = gt(town, ['crew', 'at', 'ann', '--rig', 'app', '--agent', 'amp', '--no-attach'], { env });
    expectFailure(
      r,
      1,
      /app\/crew\/ann \(amp\) is stuck at start-up, waiting on its login screen: "Would you like to log in to Amp\? \[\(y\)es, \(n\)o\]:"/,
    );
    const ann = gtJson<View[]>(town, ['agents', '--all'], { env }).find((a) => a.address === 'app/crew/ann');
    expect(ann).toMatchObject({
      state: 'stuck',
      reason: expect.stringContaining('waiting on its login screen: "Would you like to log in to Amp?'),
    });
  }, 60_000);

  // gt runs asynchronously from here on: the stand-in answers from this process's event loop.
  it('on a loopback Amp API, a first start stops on its first-run tour: stuck (onboarding), not answered', async () => {
    const home = prepareAmpHome(join(base, 'home first run'), { welcomeSeen: false });
    const env = envFor('tour', ampTestEnv(api!.url, home));
    const r = await gtAsync(town, ['crew', 'at', 'ben', '--rig', 'app', '--agent', 'amp', '--no-attach'], env);
    expectFailure(
      r,
      1,
      /app\/crew\/ben \(amp\) is stuck at start-up, waiting on its first-run set-up: "Space to continue"; finish it once by hand/,
    );
    expect(api!.requests.some((q) => q.rpc === 'getUserInfo')).toBe(true);
  }, 60_000);

  it('with the tour seen it starts to its ready prompt, primed, and a prompt gt types makes it ask its server for a thread actor', async () => {
    const home = prepareAmpHome(join(base, 'home seen'), { welcomeSeen: true });
    const env = envFor('ready', ampTestEnv(api!.url, home));
    const before = api!.requests.length;
    const r = await gtAsync(
      town,
      ['crew', 'at', 'cid', '--rig', 'app', '--agent', 'amp', '--no-attach', '--json'],
      env,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'started', agent: 'amp', readyBy: 'prompt' });
    // Primed by the AGENTS.md gt wrote into the clone (it has none of its own), so nothing is typed at start; a nudge is.
    expect(readFileSync(join(town, 'app', 'crew', 'cid', 'AGENTS.md'), 'utf8')).toContain(
      '# Gas Town: you are app/crew/cid (crew)',
    );
    const n = await gtAsync(town, ['nudge', 'app/crew/cid', '--mode', 'immediate', 'look at the README'], env);
    expect(n.code, n.stderr).toBe(0);
    // The agent loop is not in the CLI: the typed prompt becomes a request for a server-side thread (local-client executor).
    let created: { body: string } | undefined;
    for (
      const deadline = Date.now() + 20_000;
      !created && Date.now() < deadline;
      await new Promise((res) => setTimeout(res, 250))
    ) {
      created = api!.requests.slice(before).find((q) => q.method === 'POST' && q.path === '/api/thread-actors');
    }
    expect(
      created,
      JSON.stringify(api!.requests.slice(before).map((q) => `${q.method} ${q.path} ${q.rpc ?? ''}`)),
    ).toBeDefined();
    expect(JSON.parse(created!.body)).toMatchObject({ executorType: 'local-client' });
  }, 60_000);
});
