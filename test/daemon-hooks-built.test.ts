// The daemon and polecat hooks through the BUILT CLI (bin/gt.js → dist/gt.cjs, as users run it; `npm run build`
// first), in real tmux on a private socket with stand-in agents: restarts are counted per hook, a dead polecat comes
// back with the rig's current polecat agent unless its hook pinned one, and one that dies at start-up is escalated
// with its own last words.
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTmux } from '../src/tmux/index.ts';
import { sourceRepo, tempDir, type RunOut, withTown } from './support/gt.ts';
import { countTownEvents, townEventsMatching } from '../src/town/index.ts';
import { gtBuilt, gtBuiltJson } from './support/gt-built.ts';

const ROOT = resolve(import.meta.dirname, '..');
const SOCKET = `gt-test-dhb-${process.pid}`;
const FAKE_TUI = join(ROOT, 'testing/fake-tui/fake-tui.js');
// A grace period long enough that the daemon never races a sling still building the worktree it will start in.
const env = {
  GT_TMUX_SOCKET: SOCKET,
  GT_DAEMON_TICK_MS: '250',
  GT_DAEMON_GRACE_MS: '3000',
  GT_DAEMON_STUCK_MS: '600000',
  GT_DAEMON_REAP_MS: '600000',
  GT_DAEMON_SNAPSHOT_MS: '600000',
};

/** The built gt (bin/gt.js) with this suite's daemon timings and tmux socket. */
const gtb = (cwd: string, args: readonly string[]): RunOut => gtBuilt(cwd, args, { env });
const gtbJson = <T>(cwd: string, args: readonly string[]): T => gtBuiltJson<T>(cwd, args, { env });

interface Restart {
  subject: string | null;
  reason: string | null;
  data: unknown;
}
interface View {
  address: string;
  runtime: string;
  state: string;
  pinned: boolean | null;
  reason: string | null;
}
interface Slung {
  results: { bead: string; status: string; polecat: string; reason?: string }[];
}

describe('the daemon and polecat hooks, built CLI', () => {
  let base = '';
  let town = '';
  let prefix = '';
  let cleanup = (): void => {};
  const tmux = createTmux({ socket: SOCKET });
  const restarts = (bead: string): Restart[] =>
    withTown(town, (s) => townEventsMatching(s, { kind: 'daemon.restart', subject: bead }));
  const create = (title: string): string => gtbJson<{ id: string }>(town, ['bd', 'create', '--rig', 'app', title]).id;
  const session = (polecat: string): string => `${prefix}-${polecat.split('/')[1]}`;
  const killAndAwaitRestart = async (polecat: string, bead: string): Promise<Restart> => {
    const before = restarts(bead).length;
    await tmux.killSession(session(polecat));
    await until(() => restarts(bead).length > before);
    await until(() => tmux.hasSession(session(polecat)));
    return restarts(bead).at(-1)!;
  };

  beforeAll(() => {
    if (!existsSync(join(ROOT, 'dist', 'gt.cjs'))) throw new Error('dist/gt.cjs is missing: run npm run build first');
    const t = tempDir('gt daemon built');
    base = t.dir;
    cleanup = t.cleanup;
    town = join(base, 'my town');
    gtbJson(base, ['install', town]);
    const agents: Record<string, unknown> = {
      broken: { command: 'sh', args: ['-c', 'echo "Error: not logged in"; exit 3'] },
    };
    for (const name of ['fake', 'fake2']) {
      const script = join(base, `${name} agent.sh`);
      writeFileSync(
        script,
        `#!/bin/sh\nexec '${process.execPath}' '${FAKE_TUI}' --log "${base}/$GT_SESSION.${name}.log"\n`,
      );
      chmodSync(script, 0o755);
      agents[name] = { command: script, ready_prompt: '^>(\\s|$)', ready_delay_ms: 20000 };
    }
    const file = join(town, 'settings', 'config.json');
    writeFileSync(file, JSON.stringify({ ...(JSON.parse(readFileSync(file, 'utf8')) as object), agents }, null, 2));
    sourceRepo(join(base, 'app src'), 'main', { 'a.txt': 'a\n' });
    gtbJson(town, ['rig', 'add', 'app', join(base, 'app src')]);
    gtbJson(town, ['config', 'role-agent', 'polecat', 'fake', '--rig', 'app']);
    prefix = (JSON.parse(readFileSync(join(town, 'app', 'rig.json'), 'utf8')) as { prefix: string }).prefix;
    gtbJson(town, ['daemon', 'start']);
  });

  afterAll(async () => {
    if (town) gtb(town, ['daemon', 'stop']);
    await tmux.killServer();
    cleanup();
  });

  it('counts restarts per hook: a fresh hook starts at restart 1 of 3, not where the last bead left off', async () => {
    const first = create('First job');
    const polecat = gtbJson<Slung>(town, ['sling', first, 'app']).results[0]!.polecat;
    expect((await killAndAwaitRestart(polecat, first)).reason).toMatch(/restart 1 of 3/);
    expect((await killAndAwaitRestart(polecat, first)).reason).toMatch(/restart 2 of 3/);
    gtbJson(town, ['unsling', first]);

    const second = create('Second job');
    expect(gtbJson<Slung>(town, ['sling', second, 'app']).results[0]).toMatchObject({ status: 'started', polecat });
    const hooks = gtbJson<{ work: { address: string; restarts: number }[] }>(town, ['hooks', 'list']);
    expect(hooks.work.find((h) => h.address === polecat)?.restarts).toBe(0);
    expect((await killAndAwaitRestart(polecat, second)).reason).toMatch(/restart 1 of 3/);
  });

  it("restarts a dead polecat with the rig's current polecat agent unless its hook pinned one, and shows which", async () => {
    const bead = create('Follows the rig');
    const free = gtbJson<Slung>(town, ['sling', bead, 'app']).results[0]!.polecat;
    const pinnedBead = create('Pinned to fake');
    const pinned = gtbJson<Slung>(town, ['sling', pinnedBead, 'app', '--agent', 'fake']).results[0]!.polecat;
    const views = (): View[] => gtbJson<View[]>(town, ['agents']);
    expect(views().find((v) => v.address === free)).toMatchObject({ runtime: 'fake', pinned: false });
    expect(views().find((v) => v.address === pinned)).toMatchObject({ runtime: 'fake', pinned: true });

    gtbJson(town, ['config', 'role-agent', 'polecat', 'fake2', '--rig', 'app']);
    const r1 = await killAndAwaitRestart(free, bead);
    expect(r1.data).toMatchObject({ agent: 'fake2', pinned: false });
    const r2 = await killAndAwaitRestart(pinned, pinnedBead);
    expect(r2.data).toMatchObject({ agent: 'fake', pinned: true });
    await until(() => existsSync(join(base, `${session(free)}.fake2.log`)));
    await until(() => views().find((v) => v.address === free)?.runtime === 'fake2');
    expect(views().find((v) => v.address === pinned)).toMatchObject({ runtime: 'fake', pinned: true });
    expect(gtb(town, ['agents']).stdout).toMatch(new RegExp(`^${pinned}\\s+polecat\\s+fake \\(pinned\\)`, 'm'));
  });

  it('escalates a polecat that keeps dying at start-up with its own last words', async () => {
    const bead = create('Needs a login');
    // An agent that dies at start-up fails the sling (exit 1), the bead staying on the polecat's hook.
    const out = gtb(town, ['sling', bead, 'app', '--agent', 'broken', '--json']);
    expect(out.code, out.stderr).toBe(1);
    const r = (JSON.parse(out.stdout) as Slung).results[0]!;
    expect(r.status).toBe('hooked');
    // The daemon may already be restarting it (and clearing the dead pane) while sling reads it: the wording varies.
    expect(r.reason).toMatch(/app\/\w+ \(broken\) exited .*during start-up/);
    await until(
      () => withTown(town, (s) => countTownEvents(s, { kind: 'daemon.restart-cap', subject: bead })) > 0,
      40_000,
    );
    const mail = (): { body: string }[] =>
      gtbJson<{ subject: string; body: string }[]>(town, ['mail', 'inbox', 'mayor']).filter((m) =>
        m.subject.includes(`keeps dying while working on ${bead}`),
      );
    await until(() => mail().length > 0);
    expect(mail()).toHaveLength(1);
    expect(mail()[0]!.body).toContain('broken exited with status 3: "Error: not logged in"');
    const view = gtbJson<View[]>(town, ['agents']).find((v) => v.address === r.polecat);
    expect(view).toMatchObject({
      state: 'dead',
      reason: expect.stringContaining('broken exited with status 3 during start-up: "Error: not logged in"'),
    });
    const peek = gtb(town, ['peek', r.polecat]);
    expect(peek.stdout).toContain('Error: not logged in');
  }, 60_000);
});

async function until(ok: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
