// Always-on agents: settings "always_on" lists crew members gt up starts (once), gt down stops like the rest; a
// docked rig's stay down, an unknown one is a one-line failure, a polecat cannot be listed; the daemon restarts one
// whose session died, waiting longer each time, and escalates after three; one stopped on purpose stays down. Real
// tmux (private socket), the daemon with short timings.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTmux } from '../src/tmux/index.ts';
import { addFakeAgent, expectFailure, gt, gtJson, sourceRepo, tempDir } from './support/gt.ts';

const SOCKET = `gt-test-always-on-${process.pid}`;
const env = { GT_TMUX_SOCKET: SOCKET, GT_DAEMON_TICK_MS: '250', GT_DAEMON_GRACE_MS: '1000' };

interface LogEntry {
  at: string;
  kind: string;
  subject: string | null;
  reason: string | null;
  data?: { attempt?: number };
}

interface Up {
  always_on: { address: string; status: string; agent?: string; reason?: string; error?: string }[];
  failed: { address: string }[];
}

describe('gt up starts the always-on agents of settings', () => {
  let base = '';
  let town = '';
  let cleanup = (): void => {};
  const tmux = createTmux({ socket: SOCKET });
  const setAlwaysOn = (list: unknown): void => {
    const path = join(town, 'settings', 'config.json');
    const s = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    writeFileSync(path, JSON.stringify({ ...s, always_on: list }, null, 2));
  };

  beforeAll(() => {
    const t = tempDir('gt always on');
    base = t.dir;
    cleanup = t.cleanup;
    town = join(base, 'town');
    gtJson(base, ['install', town]);
    addFakeAgent(town, base, { settings: { role_agents: { crew: 'fake', mayor: 'fake', polecat: 'fake' } } });
    sourceRepo(join(base, 'app src'), 'main', { 'a.txt': 'a\n' });
    gtJson(town, ['rig', 'add', 'app', join(base, 'app src')]);
    gtJson(town, ['rig', 'add', 'lib', join(base, 'app src')]);
    gtJson(town, ['crew', 'add', 'alice', '--rig', 'app']);
    gtJson(town, ['crew', 'add', 'bob', '--rig', 'lib']);
  }, 120_000);
  afterAll(async () => {
    if (town) gt(town, ['daemon', 'stop'], { env });
    await tmux.killServer();
    cleanup();
  });

  it('starts each listed crew member once, says so, and gt down stops it', async () => {
    setAlwaysOn(['app/crew/alice']);
    const up = gt(town, ['up', '--no-mayor'], { env });
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toMatch(/^Crew app\/crew\/alice: started \(fake\) in tmux session \S+$/m);
    expect(await tmux.hasSession('app-crew-alice')).toBe(true);
    expect(gtJson<Up>(town, ['up', '--no-mayor'], { env }).always_on).toEqual([
      { address: 'app/crew/alice', status: 'already-running', agent: 'fake', session: 'app-crew-alice' },
    ]);
    const down = gtJson<{ stopped: { address: string }[] }>(town, ['down'], { env });
    expect(down.stopped.map((a) => a.address)).toContain('app/crew/alice');
    expect(await tmux.hasSession('app-crew-alice')).toBe(false);
  }, 120_000);

  it('the daemon restarts an always-on member whose session died, with backoff, escalates after 3, and leaves one stopped on purpose down', async () => {
    setAlwaysOn(['app/crew/alice']);
    expect(gt(town, ['up', '--no-mayor'], { env }).code).toBe(0);
    const restarts = (): LogEntry[] =>
      gtJson<LogEntry[]>(town, ['log', '--kind', 'daemon.crew-restart', '-n', '100'])
        .filter((e) => e.kind === 'daemon.crew-restart')
        .sort((a, b) => a.at.localeCompare(b.at));
    const until = async (what: () => boolean, ms = 30_000): Promise<void> => {
      for (const end = Date.now() + ms; !what() && Date.now() < end;) await new Promise((r) => setTimeout(r, 200));
      expect(what()).toBe(true);
    };
    const live = async (): Promise<boolean> => tmux.hasSession('app-crew-alice');
    let isLive = true;
    const watchLive = async (want: boolean): Promise<void> => {
      for (const end = Date.now() + 30_000; (isLive = await live()) !== want && Date.now() < end;)
        await new Promise((r) => setTimeout(r, 200));
      expect(isLive).toBe(want);
    };

    // Its session dies (not stopped by anyone): the daemon starts it again.
    await tmux.killSession('app-crew-alice');
    await until(() => restarts().length === 1);
    await watchLive(true);
    expect(restarts()[0]).toMatchObject({ subject: 'app/crew/alice', data: { attempt: 1 } });

    // Stopped on purpose: it stays down, whatever the daemon sees.
    gtJson(town, ['crew', 'stop', 'alice', '--rig', 'app'], { env });
    await new Promise((r) => setTimeout(r, 3000));
    expect(await live()).toBe(false);
    expect(restarts()).toHaveLength(1);

    // Started again, it dies three times more: each restart waits longer (1 s, 2 s, 4 s after its last start).
    gtJson(town, ['crew', 'start', 'alice', '--rig', 'app'], { env });
    for (let n = 2; n <= 4; n++) {
      await watchLive(true);
      await tmux.killSession('app-crew-alice');
      await until(() => restarts().length === n);
    }
    const times = restarts()
      .slice(1)
      .map((e) => Date.parse(e.at));
    expect(
      restarts()
        .slice(1)
        .map((e) => e.data?.attempt),
    ).toEqual([1, 2, 3]);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(2000);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(4000);
    // A fourth death is escalated once, and not restarted.
    await watchLive(true);
    await tmux.killSession('app-crew-alice');
    await until(() => gtJson<LogEntry[]>(town, ['log', '--kind', 'daemon.crew-restart-cap']).length === 1, 20_000);
    expect(gt(town, ['escalate', 'list'], { env }).stdout).toContain(
      "always-on app/crew/alice's session is gone after 3 restarts",
    );
    await new Promise((r) => setTimeout(r, 3000));
    expect(await live()).toBe(false);
    expect(restarts()).toHaveLength(4);
    gt(town, ['daemon', 'stop'], { env });
    setAlwaysOn([]);
  }, 180_000);

  it("leaves a docked rig's crew down and fails in one line for a crew member that does not exist", async () => {
    setAlwaysOn(['lib/crew/bob', 'app/crew/nobody']);
    gtJson(town, ['rig', 'dock', 'lib'], { env });
    const r = gt(town, ['up', '--no-mayor', '--json'], { env });
    expect(r.code).toBe(1);
    const up = JSON.parse(r.stdout) as Up;
    expect(up.always_on).toEqual([
      { address: 'lib/crew/bob', status: 'skipped', reason: 'rig lib is docked (gt rig undock lib)' },
      {
        address: 'app/crew/nobody',
        status: 'failed',
        error:
          'settings always_on lists app/crew/nobody, but rig "app" has no crew member "nobody" (gt crew add nobody --rig app)',
      },
    ]);
    expect(await tmux.hasSession('lib-crew-bob')).toBe(false);
    const text = gt(town, ['up', '--no-mayor'], { env });
    expect(text.stdout).toMatch(/^Crew lib\/crew\/bob: left down: rig lib is docked/m);
    expect(text.stderr).toMatch(
      /^Error: app\/crew\/nobody: settings always_on lists app\/crew\/nobody, but rig "app" has no crew member "nobody"/m,
    );
    gtJson(town, ['rig', 'undock', 'lib'], { env });
  }, 120_000);

  it('refuses a polecat or a flag-looking entry in always_on with the file and key', () => {
    setAlwaysOn(['app/furiosa']);
    expectFailure(
      gt(town, ['config', 'show']),
      1,
      /key "always_on\.0": expected a crew member as <rig>\/crew\/<name> \(polecats start with their work: gt sling\)/,
    );
    setAlwaysOn(['--all']);
    expectFailure(gt(town, ['config', 'show']), 1, /key "always_on\.0": expected a crew member/);
    setAlwaysOn([]);
  });
});
