// The whole work loop with sim agents, real git, tmux and SQLite, driven by the daemon: a convoy across two rigs
// lands in dependency order and mails its owner; an agent killed with uncommitted work is restarted on its hook and
// its work survives; the daemon killed with SIGKILL in the middle of a merge neither loses nor doubles it; thirty
// beads slung at once go to thirty polecats and all land, none twice. (Fifty at once, timed: npm run bench:work.)
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTmux } from '../src/tmux/index.ts';
import { shellQuote } from '../src/tmux/shell.ts';
import { getBead } from '../src/beads/index.ts';
import { TOWN_EVENTS } from '../src/kernel/index.ts';
import { countTownEvents, townEventsMatching } from '../src/town/index.ts';
import { mrsOfBeads, type MergeRequest } from '../src/work/merge-requests.ts';
import { git, gt, gtJson, sourceRepo, tempDir, withTown } from './support/gt.ts';

const SOCKET = `gt-test-loop-${process.pid}`;
const env = { GT_TMUX_SOCKET: SOCKET, GT_DAEMON_TICK_MS: '300', GT_DAEMON_GRACE_MS: '1500', GT_SIM_POLL_MS: '20000' };

interface Convoy {
  id: string;
  complete: boolean;
  status: string;
  tracked: { id: string; state: string }[];
}
interface Mail {
  to: string;
  subject: string;
}

const sim = (...lines: string[]): string => ['', '```sim', ...lines, '```', ''].join('\n');

describe('the work loop with sim agents', () => {
  let base = '';
  let town = '';
  let cleanup = (): void => {};
  const tmux = createTmux({ socket: SOCKET });
  const beadStatus = (id: string): string | undefined => withTown(town, (s) => getBead(s.db, id)?.status);
  const mrsOf = (id: string): MergeRequest[] => withTown(town, (s) => mrsOfBeads(s, [id]));
  const bead = (cwd: string, title: string, description: string, extra: string[] = []): string =>
    gtJson<{ id: string }>(cwd, ['bd', 'create', title, '-d', description, ...extra]).id;
  const until = async <T>(probe: () => T | undefined | false, what: string, timeoutMs = 120_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = probe();
      if (v !== undefined && v !== false) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  const mainFile = (rig: string, path: string): string | undefined => {
    const r = spawnSync('git', ['-C', join(town, rig, '.repo.git'), 'show', `main:${path}`], { encoding: 'utf8' });
    return r.status === 0 ? r.stdout : undefined;
  };
  const daemon = (cmd: 'start' | 'stop') => gtJson(town, ['daemon', cmd], { env });
  /** Each test that needs the daemon starts it unless it runs: any one test runs alone. */
  const daemonUp = (): void => {
    if (!gtJson<{ running: boolean }>(town, ['daemon', 'status'], { env }).running) daemon('start');
  };

  beforeAll(() => {
    const t = tempDir('gt loop');
    base = t.dir;
    cleanup = t.cleanup;
    town = join(base, 'town');
    gtJson(base, ['install', town]);
    const settingsPath = join(town, 'settings', 'config.json');
    const settings = JSON.parse(readFileSync(settingsPath, 'utf8')) as Record<string, unknown>;
    writeFileSync(
      settingsPath,
      JSON.stringify(
        { ...settings, role_agents: { polecat: 'sim' }, caps: { polecats_per_rig: 32, polecats_per_town: 40 } },
        null,
        2,
      ),
    );
    sourceRepo(join(base, 'web src'), 'main', { 'README.md': '# web\n' });
    sourceRepo(join(base, 'api src'), 'main', { 'README.md': '# api\n' });
    gtJson(town, ['rig', 'add', 'web', join(base, 'web src')]);
    gtJson(town, ['rig', 'add', 'api', join(base, 'api src')]);
  });
  afterAll(async () => {
    gt(town, ['daemon', 'stop'], { env });
    await tmux.killServer();
    cleanup();
  });

  it('lands a convoy across two rigs in dependency order; it completes after the last merge and mails its owner', async () => {
    const schema = bead(
      join(town, 'api'),
      'Add the users table',
      'The schema.' + sim('write schema.sql "CREATE TABLE users (id INTEGER);\\n"'),
    );
    const endpoint = bead(
      join(town, 'api'),
      'Add GET /users',
      'Uses the table.' + sim('sleep 1', 'write users.js "exports.list = () => [];\\n"'),
      ['--deps', `blocks:${schema}`],
    );
    const page = bead(
      join(town, 'web'),
      'Add the users page',
      'The page.' + sim('write users.html "<h1>Users</h1>\\n"'),
    );
    const convoy = gtJson<Convoy>(town, ['convoy', 'create', 'Users', schema, endpoint, page, '--owner', 'mayor']);
    daemon('start');
    const done = await until(() => {
      // Closed is the daemon's verdict (its landing event and mail follow in the same step); `complete` alone is
      // computed from the tracked beads and turns true a moment before the daemon has acted on it.
      const c = gtJson<Convoy>(town, ['convoy', 'show', convoy.id]);
      return c.complete && c.status === 'closed' ? c : undefined;
    }, 'the convoy to land');
    expect(done.tracked.every((t) => t.state === 'merged')).toBe(true);
    expect(mainFile('api', 'schema.sql')).toContain('CREATE TABLE users');
    expect(mainFile('api', 'users.js')).toContain('exports.list');
    expect(mainFile('web', 'users.html')).toContain('<h1>Users</h1>');
    const apiLog = git(join(town, 'api', '.repo.git'), ['log', '--reverse', '--format=%s', 'main'])
      .trim()
      .split('\n');
    expect(apiLog.findIndex((s) => s.startsWith(endpoint))).toBeGreaterThan(
      apiLog.findIndex((s) => s.startsWith(schema)),
    );
    // Completed only after the last merge: its landing event comes after every merge of its beads.
    const merged = withTown(town, (s) => townEventsMatching(s, { kind: TOWN_EVENTS.refinery.merged })).filter((e) =>
      [schema, endpoint, page].includes(e.subject!),
    );
    const landed = withTown(town, (s) =>
      townEventsMatching(s, { kind: TOWN_EVENTS.convoy.landed, subject: convoy.id }),
    );
    expect(merged).toHaveLength(3);
    expect(landed).toHaveLength(1);
    expect(landed[0]!.id).toBeGreaterThan(Math.max(...merged.map((m) => m.id)));
    const mail = await until(
      () =>
        gtJson<Mail[]>(town, ['mail', 'inbox', 'mayor']).find(
          (m) => m.subject.includes(convoy.id) || m.subject.includes('Users'),
        ),
      'the owner mail',
      10_000,
    );
    expect(mail.to).toBe('mayor');
  }, 180_000);

  it('restarts an agent killed with uncommitted work on its hook; the work survives and lands', async () => {
    daemonUp();
    const id = bead(
      join(town, 'web'),
      'Slow change',
      'Two steps.' + sim('append attempts.txt "attempt\\n"', 'sleep 6', 'write finished.txt "yes\\n"'),
    );
    const r = gtJson<{ results: { status: string; polecat?: string }[] }>(town, ['sling', id, 'web'], { env });
    expect(r.results[0]!.status).toBe('started');
    const polecat = r.results[0]!.polecat!.split('/').pop()!;
    const wt = join(town, 'web', 'polecats', polecat);
    await until(() => spawnSync('test', ['-f', join(wt, 'attempts.txt')]).status === 0, 'the first step');
    const session = `web-${polecat}`;
    const pid = (await tmux.listSessions()).find((s) => s.name === session)!.panePid;
    process.kill(pid, 'SIGKILL');
    expect(git(wt, ['status', '--porcelain'])).toContain('attempts.txt');
    await until(() => mainFile('web', 'finished.txt'), 'the bead to land after the restart', 120_000);
    // The first attempt's uncommitted line was still there when the restarted agent ran again.
    expect(mainFile('web', 'attempts.txt')).toBe('attempt\nattempt\n');
    expect(
      withTown(town, (s) => countTownEvents(s, { kind: TOWN_EVENTS.daemon.restart, subject: id })),
    ).toBeGreaterThanOrEqual(1);
  }, 180_000);

  it('survives kill -9 of the daemon in the middle of a merge: one merge, nothing lost', async () => {
    daemonUp();
    // The first run of the test gate marks that it runs, then holds until released: the daemon dies while the
    // request is `running`, however slow the machine. Later runs pass at once.
    const marker = join(base, 'gate started');
    const release = join(base, 'gate released');
    const rigJson = join(town, 'api', 'rig.json');
    const rig = JSON.parse(readFileSync(rigJson, 'utf8')) as Record<string, unknown>;
    const gate = `if [ ! -e ${shellQuote(marker)} ]; then touch ${shellQuote(marker)}; while [ ! -e ${shellQuote(release)} ]; do sleep 0.1; done; fi`;
    writeFileSync(
      rigJson,
      JSON.stringify({ ...rig, gates: { test: { command: gate, timeout_seconds: 60 } } }, null, 2),
    );
    try {
      const id = bead(
        join(town, 'api'),
        'Add a health check',
        'Small.' + sim('write health.js "exports.ok = true;\\n"'),
      );
      gtJson(town, ['sling', id, 'api'], { env });
      await until(() => existsSync(marker), 'the merge to reach its test gate', 90_000);
      expect(mrsOf(id)[0]?.status).toBe('running');
      const pid = gtJson<{ pid: number }>(town, ['daemon', 'status'], { env }).pid;
      process.kill(pid, 'SIGKILL');
      await until(
        () => gtJson<{ running: boolean }>(town, ['daemon', 'status'], { env }).running === false,
        'the daemon to be gone',
        10_000,
      );
      writeFileSync(release, ''); // the orphaned first gate run ends; its result has no daemon left to read it
      daemon('start');
      await until(() => mrsOf(id)[0]?.status === 'merged', 'the merge to finish', 90_000);
      const commits = git(join(town, 'api', '.repo.git'), ['log', '--format=%s', 'main'])
        .split('\n')
        .filter((s) => s.startsWith(id));
      expect(commits).toHaveLength(1);
      expect(mainFile('api', 'health.js')).toBe('exports.ok = true;\n');
      expect(mrsOf(id)).toHaveLength(1);
      expect(beadStatus(id)).toBe('closed');
    } finally {
      writeFileSync(release, '');
      writeFileSync(rigJson, JSON.stringify(rig, null, 2));
    }
  }, 240_000);

  it('lands thirty beads slung at once to thirty polecats: all of them, none twice', async () => {
    daemonUp();
    // Each sim agent waits for a go file before it writes: all thirty hold their polecat at the same time.
    const go = join(base, 'go thirty');
    const ids = Array.from({ length: 30 }, (_, i) =>
      bead(
        join(town, 'web'),
        `Page ${i}`,
        'One page.' +
          sim(`run while [ ! -e ${shellQuote(go)} ]; do sleep 0.2; done`, `write pages/p${i}.html "<p>${i}</p>\\n"`),
      ),
    );
    const out = gt(town, ['sling', ...ids, 'web', '--json'], { env });
    const r = JSON.parse(out.stdout) as {
      results: { status: string; polecat?: string; reason?: string }[];
      convoy?: string;
    };
    // Every agent starts, also where the daemon started a reused polecat's session at the same moment.
    expect(
      r.results.filter((x) => x.status !== 'started'),
      out.stderr,
    ).toEqual([]);
    expect(out.code).toBe(0);
    expect(new Set(r.results.map((x) => x.polecat)).size).toBe(30);
    expect(r.convoy).toBeTruthy();
    writeFileSync(go, '');
    await until(() => ids.every((id) => beadStatus(id) === 'closed'), 'all thirty to land', 300_000);
    const log = git(join(town, 'web', '.repo.git'), ['log', '--format=%s', 'main']).split('\n');
    for (const id of ids) expect(log.filter((s) => s.startsWith(`${id}:`))).toHaveLength(1);
    const files = git(join(town, 'web', '.repo.git'), ['ls-tree', '--name-only', 'main', 'pages/'])
      .trim()
      .split('\n');
    expect(files).toHaveLength(30);
    const merged = withTown(town, (s) => mrsOfBeads(s, ids)).filter((m) => m.status === 'merged');
    expect(merged.map((m) => m.bead).sort()).toEqual([...ids].sort());
    expect(gtJson<Convoy>(town, ['convoy', 'show', r.convoy!]).complete).toBe(true);
  }, 360_000);
});
