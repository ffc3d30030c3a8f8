// gt up, gt down and gt shutdown through the BUILT CLI (bin/gt.js → dist/gt.cjs; `npm run build` first): the daemon,
// the Mayor, polecats with work and the dashboard, in real tmux on a private socket with the fake agent.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTmux } from '../src/tmux/index.ts';
import { addFakeAgent, expectFailure, sourceRepo, tempDir, type RunOut } from './support/gt.ts';
import { gtBuilt, gtBuiltAsync, gtBuiltJson, requireFreshBuild } from './support/gt-built.ts';

const SOCKET = `gt-test-up-${process.pid}`;
const env = {
  GT_TMUX_SOCKET: SOCKET,
  GT_DAEMON_TICK_MS: '250',
  GT_DAEMON_GRACE_MS: '1000',
  GT_DAEMON_STUCK_MS: '600000',
  GT_DAEMON_REAP_MS: '600000',
};
const gtb = (cwd: string, args: readonly string[]): RunOut => gtBuilt(cwd, args, { env });
const gtbJson = <T>(cwd: string, args: readonly string[]): T => gtBuiltJson<T>(cwd, args, { env });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Up {
  daemon: { status: string; pid: number };
  mayor: { status: string };
  polecats: { address: string; bead: string; status: string }[];
  failed: unknown[];
}
interface Down {
  stopped: { address: string; hook?: string | null; snapshot?: string | null }[];
  daemon: { stopped: boolean } | null;
  dashboard: { pid: number } | null;
}
interface Status {
  daemon: { running: boolean };
  agents: { list: { address: string; state: string }[] };
  dashboard: { port: number } | null;
  down: { since: string } | null;
}

describe('gt up, down and shutdown, built CLI', () => {
  let base = '';
  let town = '';
  let cleanup = (): void => {};
  const tmux = createTmux({ socket: SOCKET });

  beforeAll(() => {
    requireFreshBuild();
    const t = tempDir('gt up');
    base = t.dir;
    cleanup = t.cleanup;
    town = join(base, 'my town');
    gtbJson(base, ['install', town]);
    addFakeAgent(town, base, { settings: { role_agents: { polecat: 'fake', mayor: 'fake' } } });
    sourceRepo(join(base, 'app src'), 'main', { 'a.txt': 'a\n' });
    gtbJson(town, ['rig', 'add', 'app', join(base, 'app src')]);
  });
  afterAll(async () => {
    if (town) gtb(town, ['daemon', 'stop']);
    await tmux.killServer();
    cleanup();
  });

  it('gt up starts the daemon and the Mayor, says so, and does nothing the second time', async () => {
    const up = gtb(town, ['up']);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toMatch(/^Daemon: started \(pid \d+\)\nMayor: started \(fake\) in tmux session hq-mayor$/m);
    expect(await tmux.hasSession('hq-mayor')).toBe(true);
    const again = gtbJson<Up>(town, ['up']);
    expect(again).toMatchObject({
      daemon: { status: 'already-running' },
      mayor: { status: 'already-running' },
      polecats: [],
      failed: [],
    });
    expectFailure(gtb(town, ['up', '--bogus']), 2, /unknown option '--bogus'/);
  });

  it('gt down stops every agent (the polecat keeps its hook), keeps the daemon, which restarts nothing; gt up brings them back', async () => {
    const bead = gtbJson<{ id: string }>(town, ['bd', 'create', '--rig', 'app', 'Work across a restart']).id;
    const polecat = gtbJson<{ results: { polecat: string }[] }>(town, ['sling', bead, 'app']).results[0]!.polecat;
    const session = `app-${polecat.split('/')[1]}`;
    const st = gtbJson<Status>(town, ['status']);
    expect(st.daemon.running).toBe(true);
    expect(st.agents.list.map((a) => a.address).sort()).toEqual(['mayor', polecat].sort());

    const down = gtbJson<Down>(town, ['down']);
    expect(down.stopped.map((a) => a.address)).toEqual([polecat, 'mayor']);
    expect(down.stopped[0]).toMatchObject({ hook: bead, snapshot: expect.stringMatching(/^refs\/gt\/hooks\//) });
    expect(down.daemon).toBeNull();
    // Several daemon ticks past the grace period: a stopped polecat is not restarted.
    await sleep(2500);
    expect(await tmux.hasSession(session)).toBe(false);
    expect(await tmux.hasSession('hq-mayor')).toBe(false);
    const text = gtb(town, ['status']).stdout;
    expect(text).toMatch(/^Daemon: running/m);
    expect(text).toMatch(/^Town: down since .*: no work is fed; gt up brings it back$/m);

    const up = gtb(town, ['up']);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toMatch(/^Daemon: already running/m);
    expect(up.stdout).toMatch(/^Mayor: started \(fake\)/m);
    expect(up.stdout).toContain(`Polecat ${polecat}: started on ${bead}`);
    expect(up.stdout).toMatch(/The town takes work again/);
    expect(await tmux.hasSession(session)).toBe(true);
    expect(gtbJson<Status>(town, ['status']).down).toBeNull();
  });

  it('gt shutdown stops the agents, the daemon and the dashboard; gt status says nothing is up', async () => {
    const dash = gtBuiltAsync(town, ['dashboard', '--port', '0'], env);
    const file = join(town, '.runtime', 'dashboard.json');
    for (let i = 0; i < 200 && !existsSync(file); i++) await sleep(50);
    expect(gtb(town, ['status']).stdout).toMatch(/^Dashboard: running on 127\.0\.0\.1:\d+ \(pid \d+\)$/m);
    const r = gtbJson<Down>(town, ['shutdown']);
    expect(r.daemon).toMatchObject({ stopped: true });
    expect(r.dashboard).not.toBeNull();
    expect(r.stopped.map((a) => a.address)).toContain('mayor');
    expect((await dash).code).toBe(0);
    expect((await tmux.listSessions().catch(() => [])).length).toBe(0);
    const text = gtb(town, ['status']).stdout;
    expect(text).toMatch(/^Daemon: not running/m);
    expect(text).toMatch(/^Dashboard: not running/m);
    expect(gtb(town, ['shutdown']).stdout).toMatch(/No agent was running\.\nThe daemon was not running/);
  });
});
