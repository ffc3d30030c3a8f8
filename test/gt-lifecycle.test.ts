// Lifecycle commands a Gas Town user reaches for, through the CLI from source in real git and tmux (private socket)
// with the fake agent: gt polecat stop|start|nuke, gt hook resume and re-sling, gt rig park|unpark|dock|undock,
// gt crew start|stop|restart|refresh, and a sling whose agent does not start.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTmux } from '../src/tmux/index.ts';
import { addFakeAgent, commitAll, expectFailure, git, gt, gtJson, sourceRepo, tempDir } from './support/gt.ts';

const SOCKET = `gt-test-lifecycle-${process.pid}`;
const env = { GT_TMUX_SOCKET: SOCKET };

interface Outcome {
  bead: string;
  status: string;
  polecat?: string;
  reason?: string;
  hint?: string;
}
interface Slung {
  results: Outcome[];
}
interface PolecatView {
  address: string;
  state: string;
  bead: string | null;
  running: boolean;
  hook_state: string | null;
  worktree: string;
  last_snapshot: string | null;
}

describe('lifecycle commands', () => {
  let base = '';
  let town = '';
  let cleanup = (): void => {};
  const tmux = createTmux({ socket: SOCKET });
  const bead = (title: string, rig = 'app'): string =>
    gtJson<{ id: string }>(town, ['bd', 'create', '--rig', rig, title]).id;
  const show = (id: string): { status: string; assignee?: string } =>
    gtJson<{ status: string; assignee?: string }[]>(town, ['bd', 'show', id])[0]!;
  const sling = (args: string[]): Slung => gtJson<Slung>(town, ['sling', ...args], { env });
  const polecat = (ref: string): PolecatView => gtJson<PolecatView>(town, ['polecat', 'status', ref], { env });
  const log = (session: string): string =>
    existsSync(join(base, `${session}.log`)) ? readFileSync(join(base, `${session}.log`), 'utf8') : '';

  beforeAll(() => {
    const t = tempDir('gt lifecycle');
    base = t.dir;
    cleanup = t.cleanup;
    town = join(base, 'my town');
    gtJson(base, ['install', town]);
    addFakeAgent(town, base, {
      settings: {
        role_agents: { polecat: 'fake', crew: 'fake', mayor: 'fake' },
        caps: { polecats_per_rig: 10, polecats_per_town: 20 },
      },
    });
    const path = join(town, 'settings', 'config.json');
    const s = JSON.parse(readFileSync(path, 'utf8')) as { agents: Record<string, unknown> };
    // An agent that exits at start-up, as one that is not logged in does.
    s.agents.dies = { command: '/bin/sh', args: ['-c', 'echo "Please log in first"; exit 3'] };
    writeFileSync(path, JSON.stringify(s, null, 2));
    sourceRepo(join(base, 'app src'), 'main', { 'a.txt': 'a\n' });
    for (const rig of ['app', 'lib']) gtJson(town, ['rig', 'add', rig, join(base, 'app src')]);
    gtJson(town, ['crew', 'add', 'alice', '--rig', 'app']);
  });
  afterAll(async () => {
    await tmux.killServer();
    cleanup();
  });

  /** A new bead slung to a new polecat of app, with an uncommitted file in its worktree: each test its own. */
  const hookedWorker = (title: string): { work: string; worker: string; name: string } => {
    const work = bead(title);
    const worker = sling([work, 'app']).results[0]!.polecat!;
    const name = worker.split('/')[1]!;
    writeFileSync(join(town, 'app', 'polecats', name, 'half-done.txt'), 'work in progress\n');
    return { work, worker, name };
  };

  it('gt polecat stop keeps the hook and snapshots the worktree; gt polecat start carries on with it', async () => {
    const { work, worker, name } = hookedWorker('Stop and start me');
    const stopped = gtJson<{ stopped: boolean; hook: string; snapshot: string }>(town, ['polecat', 'stop', worker], {
      env,
    });
    expect(stopped).toMatchObject({
      stopped: true,
      hook: work,
      snapshot: expect.stringMatching(new RegExp(`^refs/gt/hooks/${name}/`)),
    });
    expect(await tmux.hasSession(`app-${name}`)).toBe(false);
    // The daemon restarts only working polecats: this one is stopped, hook kept.
    expect(polecat(worker)).toMatchObject({
      state: 'stopped',
      bead: work,
      running: false,
      last_snapshot: stopped.snapshot,
    });
    expect(show(work).status).toBe('hooked');
    expect(git(join(town, 'app', '.repo.git'), ['show', `${stopped.snapshot}:half-done.txt`])).toBe(
      'work in progress\n',
    );

    const again = gt(town, ['polecat', 'start', worker], { env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`Started ${worker} \\(fake\\).*, on ${work}`));
    expect(polecat(worker)).toMatchObject({ state: 'working', bead: work, running: true });
    expect(log(`app-${name}`)).toContain(`Your session was stopped and is started again; your hook holds ${work}`);
    expect(gtJson<{ status: string }>(town, ['polecat', 'start', worker], { env }).status).toBe('already-running');
  });

  it('a re-sling to the polecat holding a stopped hook resumes it instead of saying "nothing to do"', async () => {
    const { work, worker } = hookedWorker('Stop and sling me again');
    gtJson(town, ['polecat', 'stop', worker], { env });
    const r = gt(town, ['sling', work, worker], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`Resumed ${work} on ${worker}: .*stopped hook`));
    expect(await tmux.hasSession(`app-${worker.split('/')[1]}`)).toBe(true);
    // At work and live: a re-sling is still nothing to do.
    expect(gt(town, ['sling', work, worker], { env }).stdout).toMatch(/nothing to do/);
  });

  it('gt hook resume puts a suspended hook (escalated) back to work and tells the running agent', () => {
    const { worker } = hookedWorker('Escalate me');
    const esc = gtJson<{ bead: string; suspended: boolean }>(
      town,
      ['escalate', 'Need a decision on the schema', '--from', worker],
      { env },
    );
    expect(esc.suspended).toBe(true);
    expect(polecat(worker)).toMatchObject({ hook_state: 'suspended', state: 'idle' });
    expectFailure(gt(town, ['polecat', 'start', worker], { env }), 2, /hook \(.*\) is suspended/);
    const r = gtJson<{ status: string; was: string; how: string }>(town, ['hook', 'resume', worker, '-m', 'use v2'], {
      env,
    });
    expect(r).toMatchObject({ status: 'resumed', was: 'suspended', how: 'nudged' });
    expect(polecat(worker)).toMatchObject({ hook_state: 'active', state: 'working' });
    expect(log(`app-${worker.split('/')[1]}`)).toContain('Your hook was suspended and is resumed (use v2)');
    expect(gt(town, ['hook', 'resume', worker], { env }).stdout).toMatch(/already working on .*; nothing to do/);
  });

  it('gt polecat nuke refuses while work would be lost, and with --force saves it first and says where', async () => {
    const { work, worker, name } = hookedWorker('Nuke me');
    const refused = gt(town, ['polecat', 'nuke', worker], { env });
    expectFailure(
      refused,
      1,
      new RegExp(`polecat ${worker} was not nuked: it has ${work} on its hook; its worktree holds`),
    );
    expect(polecat(worker).running).toBe(true);
    const r = gt(town, ['polecat', 'nuke', worker, '--force', '--yes', name], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`Gave ${work} back \\(open, unassigned\\)`));
    const saved = /saved first to (.+) \(read it back/.exec(r.stdout)?.[1];
    expect(saved && existsSync(saved), r.stdout).toBe(true);
    const snap = /saved first as (refs\/gt\/hooks\/\S+)/.exec(r.stdout)?.[1];
    expect(git(join(town, 'app', '.repo.git'), ['show', `${snap}:half-done.txt`])).toBe('work in progress\n');
    expect(existsSync(join(town, 'app', 'polecats', name))).toBe(false);
    expect(await tmux.hasSession(`app-${name}`)).toBe(false);
    expect(show(work)).toMatchObject({ status: 'open' });
    expectFailure(gt(town, ['polecat', 'status', worker], { env }), 2, new RegExp(`no polecat "${worker}"`));
  });

  it('an idle polecat: gt polecat start gives it an idle session, stop ends it, nuke removes it with nothing to save', async () => {
    const id = bead('Quick one', 'lib');
    const p = sling([id, 'lib']).results[0]!.polecat!;
    gtJson(town, ['unsling', id], { env });
    const started = gtJson<{ status: string; hook: string | null }>(town, ['polecat', 'start', p], { env });
    expect(started).toMatchObject({ status: 'started', hook: null });
    expect(await tmux.hasSession(`lib-${p.split('/')[1]}`)).toBe(true);
    expect(gt(town, ['polecat', 'stop', p], { env }).stdout).toBe(`Stopped ${p}\n`);
    expect(await tmux.hasSession(`lib-${p.split('/')[1]}`)).toBe(false);
    expect(gt(town, ['polecat', 'stop', p], { env }).stdout).toBe(`${p} was not running\n`);
    const r = gtJson<{ snapshot: string | null; saved: string | null; released: string | null }>(
      town,
      ['polecat', 'nuke', p],
      { env },
    );
    expect(r).toEqual(expect.objectContaining({ snapshot: null, saved: null, released: null }));
  });

  it('garbage input: unknown polecats, flag-looking names and names with spaces get one line each', () => {
    for (const cmd of ['stop', 'start', 'nuke']) {
      expectFailure(gt(town, ['polecat', cmd, 'app/nobody'], { env }), 2, /no polecat "app\/nobody"/);
      expectFailure(gt(town, ['polecat', cmd, 'app/no such one'], { env }), 2, /no polecat|not a polecat|name/);
      expectFailure(gt(town, ['polecat', cmd, 'nowhere/x'], { env }), 2, /nowhere/);
      expectFailure(gt(town, ['polecat', cmd, '--', '--rig'], { env }), 2, /--rig/);
    }
    expectFailure(gt(town, ['hook', 'resume', 'app/nobody'], { env }), 2, /no polecat "app\/nobody"/);
    expectFailure(gt(town, ['polecat', 'stop'], { env }), 2, /missing required argument/);
  });

  it('gt rig park refuses new slings while running work goes on; unpark takes it back', () => {
    const id = bead('Waits for the rig', 'lib');
    const running = sling([bead('Already running', 'lib'), 'lib']).results[0]!.polecat!;
    expect(gtJson<{ mode: string }>(town, ['rig', 'park', 'lib']).mode).toBe('parked');
    expect(gt(town, ['rig', 'park', 'lib']).stdout).toMatch(/already parked/);
    expectFailure(
      gt(town, ['sling', id, 'lib'], { env }),
      1,
      /rig lib is parked \(since .* by .*\): no new work is slung to it/,
    );
    expect(gt(town, ['sling', id, 'lib'], { env }).stderr).toMatch(
      /Hint: take it back into service with gt rig unpark lib/,
    );
    expect(show(id).status).toBe('open');
    expect(polecat(running)).toMatchObject({ state: 'working', running: true });
    expect(gt(town, ['status'], { env }).stdout).toMatch(/^ {2}lib \([^)]+\) {2}\[parked\]/m);
    expectFailure(gt(town, ['rig', 'undock', 'lib']), 2, /rig lib is parked, not docked/);
    expect(gt(town, ['rig', 'unpark', 'lib']).stdout).toBe('Unparked rig lib: it takes new work again\n');
    expect(sling([id, 'lib']).results[0]!.status).toBe('started');
    expectFailure(gt(town, ['rig', 'park', 'no such rig']), 2, /no such rig/);
    expectFailure(gt(town, ['rig', 'park', '--', '--all']), 2, /--all/);
  });

  it('gt rig dock stops every agent of the rig (hooks kept) and keeps them down; undock and gt polecat start bring them back', async () => {
    const list = gtJson<PolecatView[]>(town, ['polecat', 'list', '--rig', 'lib'], { env }).filter((p) => p.running);
    expect(list.length).toBeGreaterThan(0);
    const r = gtJson<{ mode: string; stopped: { address: string; hook: string | null }[] }>(
      town,
      ['rig', 'dock', 'lib'],
      { env },
    );
    expect(r.mode).toBe('docked');
    expect(r.stopped.map((a) => a.address).sort()).toEqual(list.map((p) => p.address).sort());
    for (const p of list) expect(await tmux.hasSession(`lib-${p.address.split('/')[1]}`)).toBe(false);
    const first = list[0]!.address;
    expectFailure(gt(town, ['polecat', 'start', first], { env }), 1, /rig lib is docked .*: its polecat .* stays down/);
    expect(gt(town, ['status'], { env }).stdout).toMatch(/\[docked\]/);
    expect(gt(town, ['rig', 'undock', 'lib']).stdout).toMatch(/Undocked rig lib/);
    expect(gtJson<{ status: string }>(town, ['polecat', 'start', first], { env }).status).toBe('started');
  });

  it("gt crew start|stop|restart run the crew member's session; refresh fast-forwards without touching uncommitted work", async () => {
    expect(
      gtJson<{ status: string; session: string }>(town, ['crew', 'start', 'alice', '--rig', 'app'], { env }),
    ).toMatchObject({ status: 'started', session: 'app-crew-alice' });
    expect(gtJson<{ status: string }>(town, ['crew', 'start', 'alice', '--rig', 'app'], { env }).status).toBe(
      'already-running',
    );
    expect(gtJson<{ status: string }>(town, ['crew', 'restart', 'alice', '--rig', 'app'], { env }).status).toBe(
      'started',
    );
    expect(gt(town, ['crew', 'stop', 'alice', '--rig', 'app'], { env }).stdout).toBe('Stopped app/crew/alice\n');
    expect(await tmux.hasSession('app-crew-alice')).toBe(false);
    expectFailure(gt(town, ['crew', 'start', 'bob', '--rig', 'app'], { env }), 2, /rig "app" has no crew member "bob"/);
    expectFailure(gt(town, ['crew', 'stop', '--x', '--rig', 'app'], { env }), 2, /unknown option|--x/);

    // The rig's main moves on (as the refinery lands a merge); alice has an uncommitted change of her own.
    const clone = join(town, 'app', 'crew', 'alice');
    const other = join(town, 'app', 'refinery');
    writeFileSync(join(other, 'b.txt'), 'landed\n');
    commitAll(other, 'landed work');
    writeFileSync(join(clone, 'a.txt'), 'alice was here\n');
    const r = gtJson<{ status: string; behind: number }>(town, ['crew', 'refresh', 'alice', '--rig', 'app']);
    expect(r).toMatchObject({ status: 'fast-forwarded', behind: 1 });
    expect(readFileSync(join(clone, 'b.txt'), 'utf8')).toBe('landed\n');
    expect(readFileSync(join(clone, 'a.txt'), 'utf8')).toBe('alice was here\n');
    expect(gt(town, ['crew', 'refresh', 'alice', '--rig', 'app']).stdout).toMatch(/up to date with rig\/main/);

    // Her own commit beside new ones on main: nothing is changed, and she is told how to bring them together.
    commitAll(clone, 'alice commits');
    writeFileSync(join(other, 'c.txt'), 'more\n');
    commitAll(other, 'more landed work');
    const head = git(clone, ['rev-parse', 'HEAD']);
    const d = gt(town, ['crew', 'refresh', 'alice', '--rig', 'app']);
    expectFailure({ ...d, stderr: d.stderr }, 1, /has 1 commit of its own beside 1 new on rig\/main/);
    expect(d.stderr).toMatch(/Hint: bring them together yourself: git -C ".*" rebase rig\/main/);
    expect(git(clone, ['rev-parse', 'HEAD'])).toBe(head);
  });

  it('a sling whose agent dies at start-up says so (exit 1), not "Slung"; the bead stays hooked for the daemon to retry', () => {
    const id = bead('Agent will not start');
    const r = gt(town, ['sling', id, 'app', '--agent', 'dies'], { env });
    expectFailure(r, 1, new RegExp(`hooked to app/\\S+, but its agent did not start: .*Please log in first`));
    expect(r.stdout).not.toMatch(/Slung/);
    const j = gt(town, ['sling', bead('Again'), 'app', '--agent', 'dies', '--json'], { env });
    expect(j.code).toBe(1);
    expect((JSON.parse(j.stdout) as Slung).results[0]).toMatchObject({
      status: 'hooked',
      reason: expect.stringContaining('did not start'),
    });
    expect(show(id).status).toBe('hooked');
  });

  it('a daemon that cannot be started by gt sling or gt mayor start is reported, not dropped', () => {
    // Its log path is taken by a directory: the automatic start fails before anything runs.
    const log = join(town, '.runtime', 'daemon.log');
    mkdirSync(log, { recursive: true });
    try {
      const on = { ...env, GT_DAEMON: 'on' };
      const m = gt(town, ['mayor', 'start'], { env: on });
      expect(m.code, m.stderr).toBe(0);
      expect(m.stderr).toMatch(
        /^Warning: the daemon did not start \(.*daemon\.log.*\): queued work is not drained, .*see gt daemon logs, then gt daemon start$/m,
      );
      const r = gt(town, ['sling', bead('Needs a daemon'), 'app', '--json'], { env: on });
      expect(r.code, r.stderr).toBe(0);
      expect((JSON.parse(r.stdout) as { daemon: { status: string; error: string } }).daemon).toMatchObject({
        status: 'failed',
        error: expect.stringContaining('daemon.log'),
      });
      const t = gt(town, ['sling', bead('Needs a daemon too'), 'app'], { env: on });
      expect(t.stdout).toMatch(/^Slung /m);
      expect(t.stderr).toMatch(/^Warning: the daemon did not start/m);
    } finally {
      rmSync(log, { recursive: true, force: true });
    }
  });
});
