// The daemon in real tmux on a private socket, with a stand-in agent (the fake TUI): one per town, survives kill -9,
// restarts dead sessions holding work (up to the cap, then escalates), nudges then escalates quiet agents, reaps
// idle sessions, keeps going when a step fails; and gt status --json.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTmux } from '../src/tmux/index.ts';
import { dependentsOf } from '../src/beads/index.ts';
import { loadTown, townEventsMatching, type TownEvent } from '../src/town/index.ts';
import { listInbox, type Mail } from '../src/work/mail/index.ts';
import { getPolecat, insertPolecat, type PolecatState } from '../src/work/polecats/index.ts';
import { emptyMemory, daemonTimings, tick, type TickPorts } from '../src/daemon/index.ts';
import { addFakeAgent, gt, gtJson, sourceRepo, tempDir, withTown } from './support/gt.ts';

const SOCKET = `gt-test-daemon-${process.pid}`;
const env = {
  GT_TMUX_SOCKET: SOCKET,
  GT_DAEMON_TICK_MS: '250',
  GT_DAEMON_GRACE_MS: '500',
  GT_DAEMON_STUCK_MS: '2000',
  GT_DAEMON_REAP_MS: '500',
};

interface Status {
  running: boolean;
  pid: number | null;
  stale_pid_file: boolean;
  ticks: number | null;
}
describe('the daemon', () => {
  let base = '';
  let town = '';
  let prefix = '';
  let cleanup = (): void => {};
  const tmux = createTmux({ socket: SOCKET });
  const events = (kind: string): TownEvent[] => withTown(town, (s) => townEventsMatching(s, { kind }));
  const restartsOf = (name: string): number | undefined => withTown(town, (s) => getPolecat(s, 'app', name)?.restarts);
  const mailFrom = (from: string): Mail[] =>
    withTown(town, (s) =>
      ['mayor', 'overseer'].flatMap((to) => listInbox(s, to, { archived: true })).filter((m) => m.from === from),
    );
  const status = (): Status => gtJson<Status>(town, ['daemon', 'status'], { env });
  const addPolecat = (
    name: string,
    o: { state: string; bead: string | null; restarts?: number; updatedAgoMs?: number },
  ): void => {
    const dir = join(town, 'app', 'polecats', name);
    mkdirSync(dir, { recursive: true });
    const at = new Date(Date.now() - (o.updatedAgoMs ?? 60_000)).toISOString();
    withTown(town, (s) =>
      insertPolecat(s, {
        rig: 'app',
        name,
        state: o.state as PolecatState,
        bead: o.bead,
        branch: o.bead ? `polecat/${name}/${o.bead}` : null,
        worktree: dir,
        hook_state: o.bead ? 'active' : null,
        agent: 'fake',
        restarts: o.restarts ?? 0,
        created_at: at,
        updated_at: at,
      }),
    );
  };

  beforeAll(() => {
    const t = tempDir('gt daemon');
    base = t.dir;
    cleanup = t.cleanup;
    town = join(base, 'my town');
    gtJson(base, ['install', town]);
    addFakeAgent(town, base, { logVar: 'GT_AGENT_ENV_DIR' });
    sourceRepo(join(base, 'app src'), 'main', { 'a.txt': 'a\n' });
    gtJson(town, ['rig', 'add', 'app', join(base, 'app src')]);
    prefix = (JSON.parse(readFileSync(join(town, 'app', 'rig.json'), 'utf8')) as { prefix: string }).prefix;
  });

  afterAll(async () => {
    if (town) {
      gt(town, ['daemon', 'stop'], { env });
      const pid = Number(
        existsSync(join(town, '.runtime', 'daemon.pid'))
          ? readFileSync(join(town, '.runtime', 'daemon.pid'), 'utf8')
          : 0,
      );
      if (pid > 0) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
    await tmux.killServer();
    cleanup();
  });

  it('starts once per town, reports its status and log, and stops', () => {
    expect(status()).toMatchObject({ running: false, pid: null });
    const first = gtJson<{ status: string; pid: number }>(town, ['daemon', 'start'], { env });
    expect(first.status).toBe('started');
    const second = gtJson<{ status: string; pid: number }>(town, ['daemon', 'start'], { env });
    expect(second).toEqual(expect.objectContaining({ status: 'already-running', pid: first.pid }));
    expect(status()).toMatchObject({ running: true, pid: first.pid });
    expect(gt(town, ['daemon', 'status'], { env }).stdout).toContain(`running (pid ${first.pid})`);
    const logs = gtJson<{ lines: string[] }>(town, ['daemon', 'logs', '-n', '5'], { env });
    expect(logs.lines.join('\n')).toContain(`daemon ${first.pid} running for ${town}`);
    const stop = gtJson<{ stopped: boolean; forced: boolean }>(town, ['daemon', 'stop'], { env });
    expect(stop).toMatchObject({ stopped: true, forced: false });
    expect(status().running).toBe(false);
    expect(existsSync(join(town, '.runtime', 'daemon.pid'))).toBe(false);
    expect(events('daemon.start').length).toBe(1);
    expect(events('daemon.stop').length).toBe(1);
    expect(gtJson<{ stopped: boolean }>(town, ['daemon', 'stop'], { env }).stopped).toBe(false);
  });

  it('starts again cleanly after kill -9 left its pid file behind', async () => {
    const first = gtJson<{ pid: number }>(town, ['daemon', 'start'], { env });
    process.kill(first.pid, 'SIGKILL');
    await until(async () => !status().running);
    expect(status()).toMatchObject({ running: false, stale_pid_file: true });
    const again = gtJson<{ status: string; pid: number }>(town, ['daemon', 'start'], { env });
    expect(again.status).toBe('started');
    expect(again.pid).not.toBe(first.pid);
    expect(readFileSync(join(town, '.runtime', 'daemon.pid'), 'utf8').trim()).toBe(String(again.pid));
    gtJson(town, ['daemon', 'stop'], { env });
  });

  describe('reconciling', () => {
    let nuxBead = '';
    let rustBead = '';
    beforeAll(async () => {
      nuxBead = gtJson<{ id: string }>(join(town, 'app'), ['bd', 'create', 'Work for nux'], { env }).id;
      rustBead = gtJson<{ id: string }>(join(town, 'app'), ['bd', 'create', 'Work for rust'], { env }).id;
      addPolecat('nux', { state: 'working', bead: nuxBead });
      addPolecat('rust', { state: 'working', bead: rustBead, restarts: 3 });
      addPolecat('toast', { state: 'idle', bead: null });
      await tmux.newSession({
        name: `${prefix}-toast`,
        cwd: join(town, 'app', 'polecats', 'toast'),
        argv: ['sleep', '600'],
      });
      gtJson(town, ['daemon', 'start'], { env });
    });
    afterAll(() => {
      gt(town, ['daemon', 'stop'], { env });
    });

    it('restarts a dead session holding work on the same hook, and records why', async () => {
      await until(async () => tmux.hasSession(`${prefix}-nux`));
      await until(
        async () =>
          existsSync(join(base, `${prefix}-nux.log`)) &&
          readFileSync(join(base, `${prefix}-nux.log`), 'utf8').includes('gt prime'),
      );
      expect(restartsOf('nux')).toBe(1);
      const restart = events('daemon.restart').find((e) => e.subject === nuxBead);
      expect(restart?.reason).toMatch(
        new RegExp(`session .*-nux of app/nux is gone while ${nuxBead} is on its hook: restart 1 of 3`),
      );
      // kill -9 of the agent: the session is gone again, and the daemon brings it back.
      await tmux.killSession(`${prefix}-nux`);
      await until(async () => restartsOf('nux') === 2);
      await until(async () => tmux.hasSession(`${prefix}-nux`));
    });

    it('escalates instead once the restarts are used up, once', async () => {
      await until(async () => events('daemon.restart-cap').length > 0);
      await new Promise((r) => setTimeout(r, 1000));
      const capped = events('daemon.restart-cap');
      expect(capped).toEqual([
        expect.objectContaining({ subject: rustBead, reason: expect.stringContaining('restarted 3 times already') }),
      ]);
      expect(await tmux.hasSession(`${prefix}-rust`)).toBe(false);
      const mail = mailFrom('app/rust');
      expect(mail.map((m) => m.to)).toEqual(['mayor', 'overseer']);
      expect(mail[0]?.subject).toMatch(new RegExp(`^\\[HIGH\\] app/rust keeps dying while working on ${rustBead}`));
      // The escalation is a bead of its own, linked to the work.
      expect(withTown(town, (s) => dependentsOf(s.db, rustBead)).filter((d) => d.type === 'related')).toHaveLength(1);
    });

    it('nudges an agent whose screen stays still, then escalates when the nudge does not help', async () => {
      const log = join(base, `${prefix}-nux.log`);
      await until(async () => events('daemon.nudge').some((e) => e.subject === nuxBead), 30_000);
      expect(readFileSync(log, 'utf8')).toContain('Gas Town daemon: nothing has changed on your screen');
      expect(events('daemon.nudge').find((e) => e.subject === nuxBead)?.data).toMatchObject({ result: 'delivered' });
      await until(async () => events('daemon.stuck-escalate').some((e) => e.subject === nuxBead), 30_000);
      await until(
        () => mailFrom('app/nux').filter((m) => m.subject.includes(`looks stuck on ${nuxBead}`)).length === 2,
      );
      // One escalation per quiet spell: it is not repeated while nothing changes.
      await new Promise((r) => setTimeout(r, 2500));
      expect(events('daemon.stuck-escalate').filter((e) => e.subject === nuxBead)).toHaveLength(1);
    });

    it('stops the session of a polecat idle with nothing on its hook, keeping its worktree', async () => {
      await until(async () => !(await tmux.hasSession(`${prefix}-toast`)));
      expect(events('daemon.reap').map((e) => e.subject)).toEqual(['app/toast']);
      expect(existsSync(join(town, 'app', 'polecats', 'toast'))).toBe(true);
    });

    it('shows it all in gt status --json', async () => {
      const beads = ['one', 'two'].map(
        (t) => gtJson<{ id: string }>(join(town, 'app'), ['bd', 'create', t], { env }).id,
      );
      const convoy = gtJson<{ id: string }>(town, ['bd', 'create', 'Batch', '--type', 'convoy'], { env }).id;
      for (const b of beads) gtJson(town, ['bd', 'dep', 'add', convoy, b, '--type', 'tracks'], { env });
      gtJson(town, ['bd', 'close', beads[0]!], { env });
      const s = gtJson<{
        daemon: Status;
        rigs: { name: string; queue: Record<string, number> }[];
        agents: { by_state: Record<string, number>; list: { address: string; hooked_bead: string | null }[] };
        convoys: { id: string; total: number; landed: number }[];
        problems: { kind: string; subject: string }[];
        events: { kind: string }[];
      }>(town, ['status'], { env });
      expect(s.daemon.running).toBe(true);
      expect(s.rigs).toEqual([
        expect.objectContaining({ name: 'app', queue: { queued: 0, running: 0, failed: 0, merged: 0 } }),
      ]);
      expect(s.agents.list).toEqual(
        expect.arrayContaining([expect.objectContaining({ address: 'app/nux', hooked_bead: nuxBead })]),
      );
      expect(s.convoys).toEqual([expect.objectContaining({ id: convoy, total: 2, landed: 1 })]);
      expect(s.events.length).toBeGreaterThan(0);
      expect(s.problems.map((p) => p.kind)).not.toContain('daemon-not-running');
      // The stand-in worktrees are plain directories, not git worktrees: the snapshot step says so, the rest run clean.
      expect(s.problems.filter((p) => p.kind === 'daemon-step-failed').map((p) => p.subject)).toEqual(['snapshots']);
      const text = gt(town, ['status'], { env }).stdout;
      expect(text).toMatch(/\[##########----------\] 1\/2\s+Batch/);
      gtJson(town, ['daemon', 'stop'], { env });
      expect(gtJson<{ problems: { kind: string }[] }>(town, ['status'], { env }).problems.map((p) => p.kind)).toContain(
        'daemon-not-running',
      );
    });
  });

  it('records a failing step and still runs the others', async () => {
    const calls: string[] = [];
    const ports: TickPorts = {
      processQueue: () => {
        throw new Error('the refinery fell over');
      },
      checkConvoys: () => void calls.push('check'),
      feedConvoys: () => void calls.push('feed'),
      drainSlingQueue: async () => void calls.push('drain'),
      escalate: () => undefined,
    };
    const ctx = loadTown(town, { ...process.env, ...env });
    const report = await tick(ctx, ports, {
      timings: daemonTimings(ctx),
      memory: emptyMemory(),
      reportedUnwired: new Set(),
    });
    expect(report.steps.find((s) => s.step === 'refinery')).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('the refinery fell over'),
    });
    expect(report.steps.find((s) => s.step === 'snapshots')?.status).toBe('unwired');
    expect(calls).toEqual(['check', 'feed', 'drain']);
    expect(events('daemon.error').at(-1)).toMatchObject({
      subject: 'refinery',
      reason: expect.stringContaining('app: the refinery fell over'),
    });
  });
});

async function until(ok: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
