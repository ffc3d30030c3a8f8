// The dashboard's HTTP API in-process (app.request) against a real temp town: each read route's shape, token, Host
// and origin refusals, config edits (invalid ones change nothing), actions, malformed requests, and the live SSE feed.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hono } from 'hono';
import { createBead, createBeads, type Store } from '../src/beads/index.ts';
import { createApp, createDashboard, serveDashboard, type Dashboard } from '../src/dashboard/index.ts';
import { loadTown, openTownStore, recordTownEvent, type TownContext } from '../src/town/index.ts';
import { recordStart } from '../src/agents/table.ts';
import { createConvoy, insertMails } from '../src/work/index.ts';
import { enqueueMergeRequest, updateMr, type MrStatus } from '../src/work/merge-requests.ts';
import { cleanEnv } from './support/bd.ts';
import { GT_BIN, gtJson, sourceRepo, tempDir } from './support/gt.ts';

const SOCKET = `gt-test-dash-${process.pid}`;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers are checked by expect(), not by types
type Json = any;

describe('dashboard routes', () => {
  let base = '';
  let root = '';
  let town: TownContext;
  let dash: Dashboard;
  let app: Hono;
  let cleanup = (): void => {};
  const withStore = <T>(fn: (s: Store) => T): T => {
    const s = openTownStore(town, { actor: 'tester' });
    try {
      return fn(s);
    } finally {
      s.close();
    }
  };
  const auth = (): Record<string, string> => ({ authorization: `Bearer ${dash.token}` });
  const get = async (path: string): Promise<{ status: number; body: Json }> => {
    const r = await app.request(path, { headers: auth() });
    return { status: r.status, body: await r.json() };
  };
  const send = async (
    method: string,
    path: string,
    body: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: Json }> => {
    const r = await app.request(path, {
      method,
      headers: { 'content-type': 'application/json', ...auth(), ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: r.status, body: await r.json() };
  };
  /** A merge request of `bead` in `status`; returns the id the queue gave it. */
  const insertMr = (head: string, bead: string, status: MrStatus, failure: string | null = null): string =>
    withStore((s) => {
      const { mr } = enqueueMergeRequest(s, {
        rig: 'app',
        bead,
        polecat: 'toast',
        branch: `polecat/toast/${bead}`,
        head,
      });
      updateMr(s, mr.id, { status, failure });
      return mr.id;
    });
  let mrA = '';
  let mrB = '';

  beforeAll(() => {
    const t = tempDir('gt dash');
    base = t.dir;
    cleanup = t.cleanup;
    root = join(base, 'town');
    gtJson(base, ['install', root]);
    sourceRepo(join(base, 'app src'), 'main', { 'a.txt': 'a\n' });
    gtJson(root, ['rig', 'add', 'app', join(base, 'app src')]);
    town = loadTown(root, { PATH: process.env.PATH ?? '', GT_TMUX_SOCKET: SOCKET, BD_ACTOR: 'tester' });
    const web = join(base, 'web');
    mkdirSync(join(web, 'panels'), { recursive: true });
    writeFileSync(
      join(web, 'index.html'),
      '<!doctype html><title>Gas Town</title><script type="module" src="/assets/app.js"></script>',
    );
    writeFileSync(join(web, 'app.js'), 'export {};\n');
    writeFileSync(join(web, '.secret.js'), 'no\n');
    dash = createDashboard(town, { webDir: web, heartbeatMs: 15_000 });
    app = dash.app;
  });
  afterAll(() => {
    dash.close();
    cleanup();
  });

  it('serves the page and its assets, and nothing outside the web directory', async () => {
    const page = await app.request('/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toMatch(/Gas Town/);
    const js = await app.request('/assets/app.js');
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    for (const p of [
      '/assets/../../town/town.json',
      '/assets/%2e%2e/%2e%2e/etc/passwd',
      '/assets/.secret.js',
      '/assets/nope.js',
    ]) {
      expect((await app.request(p, { headers: auth() })).status, p).toBe(404);
      // Without the token: the URL parser folds `..` out of the first (a non-static path: 401), the rest are 404.
      expect([401, 404], p).toContain((await app.request(p)).status);
    }
    // The real web directory (the colleague's page) is found from the install root.
    const real = createApp(town);
    expect((await real.request('/')).status).toBe(200);
  });

  it('answers the session, status, agents, pane, hooks, problems, costs and config routes', async () => {
    const session = await get('/api/session');
    expect(session.body).toMatchObject({ csrf: dash.csrf, town: { root }, auth: 'token', costs: expect.any(Boolean) });
    const status = await get('/api/status');
    expect(status.body).toMatchObject({ town: { root }, rigs: [{ name: 'app' }], agents: { total: 0 } });
    expect(status.body.problems.map((p: { kind: string }) => p.kind)).toContain('daemon-not-running');
    expect((await get('/api/agents')).body).toEqual({ agents: [] });
    expect((await get('/api/agents/mayor/pane?lines=5')).body).toMatchObject({
      address: 'mayor',
      live: false,
      lines: [],
    });
    expect((await get('/api/hooks')).body).toEqual({ hooks: [] });
    expect((await get('/api/problems')).body.problems[0]).toMatchObject({ kind: 'daemon-not-running' });
    const costs = (await get('/api/costs')).body;
    expect(costs.available).toBe(session.body.costs);
    if (costs.available)
      expect(costs).toMatchObject({ by_agent: { by: 'agent', groups: [] }, by_convoy: { by: 'convoy' }, breaches: [] });
    const config = await get('/api/config');
    expect(config.body.settings).toMatchObject({ default_agent: 'claude', caps: { polecats_per_rig: 4 } });
    expect(config.body.rigs[0]).toMatchObject({ name: 'app', config: { name: 'app', default_branch: 'main' } });
    expect(config.body.presets).toContain('claude');
  });

  it('lists beads by view with paging, convoys with tracked states, the queue in order, mail and the feed', async () => {
    const ids = withStore((s) =>
      ['one', 'two', 'three'].map((t, i) => createBead(s, { title: `Bead ${t}`, priority: i }).id),
    );
    const ready = await get('/api/beads?view=ready&limit=2');
    expect(ready.body).toMatchObject({ total: 3, limit: 2, offset: 0 });
    expect(ready.body.beads.map((b: { id: string }) => b.id)).toEqual(ids.slice(0, 2));
    expect((await get('/api/beads?view=ready&limit=2&offset=2')).body.beads.map((b: { id: string }) => b.id)).toEqual([
      ids[2],
    ]);
    expect((await get('/api/beads?view=in_progress')).body.beads).toEqual([]);

    const convoy = createConvoy(town, { name: 'Login flow', beads: ids.slice(0, 2) });
    const convoys = await get('/api/convoys');
    expect(convoys.body.convoys[0]).toMatchObject({ id: convoy.id, title: 'Login flow', total: 2, landed: 0 });
    expect(convoys.body.convoys[0].tracked[0]).toMatchObject({ id: ids[0], state: 'queued' });
    expect((await get(`/api/convoys/${convoy.id}`)).body.convoy.id).toBe(convoy.id);

    mrA = insertMr('head-a', ids[0]!, 'queued');
    mrB = insertMr('head-b', ids[1]!, 'failed', 'test gate failed:\nexpected 1, got 2');
    const queue = await get('/api/queue');
    expect(queue.body.rigs[0]).toMatchObject({
      rig: 'app',
      status: { counts: { queued: 1, failed: 1 } },
      queue: [{ id: mrA, position: 1 }],
    });
    expect(queue.body.rigs[0].recent[0]).toMatchObject({
      id: mrB,
      status: 'failed',
      failure: expect.stringMatching(/expected 1/),
    });

    withStore((s) =>
      insertMails(s, [
        { from: 'mayor', to: 'overseer', subject: 'Convoy landed', body: 'all merged', priority: 2, type: 'message' },
      ]),
    );
    const mail = await get('/api/mail');
    expect(mail.body).toMatchObject({
      address: 'overseer',
      unread: 1,
      mail: [{ subject: 'Convoy landed', from: 'mayor' }],
    });

    const feed = await get('/api/feed?limit=5');
    expect(feed.body.events.at(-1)).toMatchObject({ kind: 'convoy.created', subject: convoy.id });
    withStore((s) =>
      recordTownEvent(s, {
        kind: 'refinery.merged',
        subject: 'x',
        reason: 'ping',
        data: { mr: 'mr-1', commit: 'c0ffee', branch: 'b' },
      }),
    );
    const after = await get(`/api/feed?after=${feed.body.last_id}`);
    expect(after.body.events).toHaveLength(1);
    // Each row carries what the page needs to show it: its panels and tone (src/dashboard/server/event-view.ts).
    expect(after.body.events[0]).toMatchObject({
      kind: 'refinery.merged',
      reason: 'ping',
      tone: 'ok',
      panels: expect.arrayContaining(['queue', 'convoys']),
    });
    expect(after.body.last_id).toBe(after.body.events[0].id);
  });

  it('runs actions: create a bead and a convoy, retry and reject merge requests, read, reply to and compose mail', async () => {
    const bead = await send('POST', '/api/beads', { title: 'From the page', priority: 1, rig: 'app', labels: ['ui'] });
    expect(bead.status).toBe(201);
    expect(bead.body.bead).toMatchObject({ title: 'From the page', priority: 1 });
    expect(bead.body.bead.id).toMatch(/^app-/);
    const convoy = await send('POST', '/api/convoys', { name: 'Page work', beads: [bead.body.bead.id] });
    expect(convoy.status).toBe(201);
    expect(convoy.body.convoy).toMatchObject({ title: 'Page work', total: 1 });

    const retried = await send('POST', `/api/mq/${mrB}/retry`, {});
    expect(retried.body.mr).toMatchObject({ id: mrB, status: 'queued' });
    expect((await send('POST', `/api/mq/${mrB}/retry`, {})).status).toBe(409);
    const rejected = await send('POST', `/api/mq/${mrA}/reject`, { reason: 'not needed' });
    expect(rejected.body.mr).toMatchObject({ id: mrA, status: 'rejected' });

    const inbox = (await get('/api/mail')).body.mail;
    const read = await send('POST', `/api/mail/${inbox[0].id}/read`, {});
    expect(read.body.mail.read_at).not.toBeNull();
    const replied = await send('POST', `/api/mail/${inbox[0].id}/reply`, { body: 'thanks' });
    expect(replied.status).toBe(201);
    expect(replied.body.mail[0]).toMatchObject({ to: 'mayor', from: 'overseer', subject: 'Re: Convoy landed' });
    const composed = await send('POST', '/api/mail', { to: 'app/toast', subject: 'Hello', body: 'hi' });
    expect(composed.status).toBe(201);
    expect(composed.body.mail[0]).toMatchObject({ to: 'app/toast', subject: 'Hello' });

    const nudge = await send('POST', '/api/agents/mayor/nudge', { message: 'wake up' });
    expect(nudge.status).toBe(409);
    expect(nudge.body.error.code).toBe('GT_NO_SESSION');
  });

  it('refuses state changes from another origin, and a Host that is not this server (DNS rebinding)', async () => {
    const post = (headers: Record<string, string>) =>
      app.request('/api/beads', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth(), ...headers },
        body: JSON.stringify({ title: 'x' }),
      });
    for (const headers of [
      { origin: 'http://evil.example' },
      { referer: 'http://evil.example/page' },
      { origin: 'null' },
      { origin: 'http://localhost:9999' },
    ] as Record<string, string>[]) {
      const r = await post(headers);
      expect(r.status, JSON.stringify(headers)).toBe(403);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe('GT_CSRF');
    }
    expect((await post({ origin: 'http://localhost' })).status).toBe(201);
    // A foreign Host is refused before anything else, the token notwithstanding, the static page too.
    for (const url of ['http://evil.example/api/session', 'http://evil.example/', 'http://10.0.0.5/api/session']) {
      const r = await app.request(url, { headers: auth() });
      expect(r.status, url).toBe(403);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe('GT_DASHBOARD_HOST');
    }
  });

  it("a wildcard bind answers IP literals and this machine's name, still only with the token", async () => {
    const open = createApp(town, { bind: '0.0.0.0', token: dash.token });
    expect((await open.request('http://10.0.0.5:8080/api/session')).status).toBe(401);
    expect((await open.request('http://10.0.0.5:8080/api/session', { headers: auth() })).status).toBe(200);
    expect((await open.request('http://[fe80::1]:8080/api/session', { headers: auth() })).status).toBe(200);
    expect((await open.request('http://rebind.evil.example:8080/api/session', { headers: auth() })).status).toBe(403);
    expect(() => createApp(town, { token: 'short' })).toThrow(/too short/);
  });

  it('refuses invalid config edits with the field, leaving the file byte-for-byte unchanged', async () => {
    const settingsPath = town.paths.settings;
    const rigPath = town.paths.rigJson('app');
    const { settings, rigs } = (await get('/api/config')).body;
    const before = [readFileSync(settingsPath), readFileSync(rigPath)];
    const cases: [string, string, unknown, string][] = [
      [
        'PUT',
        '/api/config/settings',
        { ...settings, caps: { ...settings.caps, polecats_per_rig: 'six' } },
        'caps.polecats_per_rig',
      ],
      [
        'PUT',
        '/api/config/settings',
        { ...settings, caps: { ...settings.caps, polecats_per_town: 0 } },
        'caps.polecats_per_town',
      ],
      ['PUT', '/api/config/settings', { ...settings, colour: 'red' }, 'colour'],
      ['PUT', '/api/config/settings', { ...settings, default_agent: 'nobody' }, 'default_agent'],
      ['PUT', '/api/config/settings', { ...settings, role_agents: { polecat: 'ghost' } }, 'role_agents.polecat'],
      ['PUT', '/api/config/rigs/app', { ...rigs[0].config, gates: { test: { command: '' } } }, 'gates.test.command'],
      ['PUT', '/api/config/rigs/app', { ...rigs[0].config, prefix: 'zz' }, 'prefix'],
      ['PUT', '/api/config/rigs/app', { ...rigs[0].config, merge_strategy: 'yolo' }, 'merge_strategy'],
    ];
    for (const [method, path, body, field] of cases) {
      const r = await send(method, path, body);
      expect(r.status, field).toBe(400);
      expect(r.body.error, field).toMatchObject({ code: 'GT_BAD_CONFIG', field, message: expect.any(String) });
    }
    expect((await send('PUT', '/api/config/rigs/nope', rigs[0].config)).status).toBe(404);
    expect(readFileSync(settingsPath).equals(before[0]!)).toBe(true);
    expect(readFileSync(rigPath).equals(before[1]!)).toBe(true);
  });

  it('round-trips valid config edits of settings and a rig', async () => {
    const { settings, rigs } = (await get('/api/config')).body;
    const edited = { ...settings, caps: { ...settings.caps, polecats_per_rig: 6 }, budgets: { per_day_usd: 20 } };
    const put = await send('PUT', '/api/config/settings', edited);
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.settings.caps.polecats_per_rig).toBe(6);
    expect(JSON.parse(readFileSync(town.paths.settings, 'utf8'))).toMatchObject({
      caps: { polecats_per_rig: 6 },
      budgets: { per_day_usd: 20 },
    });
    expect((await get('/api/config')).body.settings).toEqual(put.body.settings);
    const rig = {
      ...rigs[0].config,
      gates: { test: { command: 'npm test', timeout_seconds: 300 } },
      merge_queue: { batch: 2, push: 'auto' },
    };
    const putRig = await send('PUT', '/api/config/rigs/app', rig);
    expect(putRig.status).toBe(200);
    expect((await get('/api/config')).body.rigs[0].config).toEqual(rig);
    expect(JSON.parse(readFileSync(town.paths.rigJson('app'), 'utf8')).gates.test.command).toBe('npm test');
  });

  it('answers malformed requests with 4xx JSON and keeps serving', async () => {
    const bad: [Promise<{ status: number; body: Json }>, number, string][] = [
      [send('POST', '/api/beads', '{"title": '), 400, 'GT_BAD_JSON'],
      [send('POST', '/api/beads', { title: 42 }), 400, 'GT_BAD_REQUEST'],
      [send('POST', '/api/beads', { title: 'x', priority: 9 }), 400, 'GT_BAD_REQUEST'],
      [send('POST', '/api/beads', [1, 2]), 400, 'GT_BAD_REQUEST'],
      [send('POST', '/api/sling', { beads: 'app-1', target: 'app' }), 400, 'GT_BAD_REQUEST'],
      [send('POST', '/api/mq/mr-nope/retry', {}), 404, 'GT_MR_NOT_FOUND'],
      [send('POST', '/api/mail/hq-mail-zzzz/read', {}), 404, ''],
      [send('POST', '/api/agents/not%20an%20address/stop', {}), 400, 'GT_BAD_ADDRESS'],
      [send('POST', '/api/beads', JSON.stringify({ title: 'x'.repeat(300 * 1024) })), 413, 'GT_BODY_TOO_LARGE'],
      [get('/api/convoys/hq-nope'), 404, ''],
      [get('/api/beads?limit=abc'), 400, 'GT_BAD_REQUEST'],
      [get('/api/beads?view=weird'), 400, 'GT_BAD_REQUEST'],
      [get('/api/agents/mayor/pane?lines=-1'), 400, 'GT_BAD_REQUEST'],
      [get('/api/feed?after=xyz'), 400, 'GT_BAD_REQUEST'],
      [get('/api/nope'), 404, 'GT_NOT_FOUND'],
      [send('DELETE', '/api/session', {}), 404, 'GT_NOT_FOUND'],
    ];
    for (const [p, status, code] of bad) {
      const r = await p;
      expect(r.status, JSON.stringify(r.body)).toBe(status);
      expect(r.body.error.message).toEqual(expect.any(String));
      if (code) expect(r.body.error.code).toBe(code);
    }
    expect((await get('/api/session')).status).toBe(200);
  });

  it('pushes a new town event over SSE within a second, replays missed ones, and hints panels to refresh', async () => {
    const lastId = (await get('/api/feed?limit=1')).body.last_id as number;
    const ctl = new AbortController();
    const r = await app.request('/api/events', { signal: ctl.signal, headers: auth() });
    expect(r.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = r.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    let pending: ReturnType<typeof reader.read> | undefined;
    const until = async (re: RegExp, ms: number): Promise<RegExpMatchArray> => {
      const deadline = Date.now() + ms;
      for (;;) {
        const m = text.match(re);
        if (m) return m;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no ${re} within ${ms} ms in:\n${text}`);
        pending ??= reader.read();
        const chunk = await Promise.race([pending, new Promise<null>((res) => setTimeout(() => res(null), left))]);
        if (chunk) pending = undefined;
        if (chunk && !chunk.done) text += decoder.decode(chunk.value, { stream: true });
      }
    };
    await until(/retry: 2000/, 2000);
    await until(/"type":"hello"/, 2000);
    await new Promise((res) => setTimeout(res, 300));
    const t0 = Date.now();
    withStore((s) =>
      recordTownEvent(s, {
        kind: 'sling.hooked',
        subject: 'app-xyz',
        reason: 'live test',
        data: { polecat: 'app/toast', fromQueue: false },
      }),
    );
    const m = await until(/data: (\{"type":"event".*"kind":"sling.hooked".*\})\nid: (\d+)/, 1000);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(JSON.parse(m[1]!)).toMatchObject({
      type: 'event',
      kind: 'sling.hooked',
      subject: 'app-xyz',
      reason: 'live test',
      tone: 'work',
      panels: ['agents', 'hooks', 'beads', 'convoys', 'status'],
    });
    expect(Number(m[2])).toBeGreaterThan(lastId);
    await until(/"type":"refresh","panels":\[[^\]]*"feed"/, 1000);
    await reader.cancel();
    ctl.abort();

    // A reconnecting client (Last-Event-ID) gets what it missed.
    const again = await app.request('/api/events', { headers: { ...auth(), 'last-event-id': String(lastId) } });
    const r2 = again.body!.getReader();
    let t2 = '';
    while (!/sling\.hooked/.test(t2)) {
      const c = await r2.read();
      if (c.done) break;
      t2 += decoder.decode(c.value);
    }
    expect(t2).toMatch(/"kind":"sling.hooked","subject":"app-xyz","reason":"live test","panels":\["agents"/);
    await r2.cancel();
  });

  it('serves on a real socket and closes cleanly', async () => {
    const running = await serveDashboard(town, { port: 0, webDir: join(base, 'web') });
    try {
      expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const page = await fetch(running.url);
      expect(page.status).toBe(200);
      const t0 = performance.now();
      await (await fetch(running.url)).text();
      expect(performance.now() - t0).toBeLessThan(300);
      expect((await fetch(`${running.url}api/session`)).status).toBe(401);
      const s = await fetch(`${running.url}api/session`, {
        headers: { authorization: `Bearer ${running.token.value}` },
      });
      expect(((await s.json()) as { auth: string }).auth).toBe('token');
      expect(running.openUrl).toBe(`${running.url}?token=${running.token.value}`);
    } finally {
      await running.close();
    }
  });

  it('gt dashboard prints the URL that signs the browser in, serves until interrupted, and keeps the token in a 0600 file', async () => {
    const run = async (args: string[]): Promise<string> => {
      const child = spawn(process.execPath, [GT_BIN, 'dashboard', '--port', '0', ...args], {
        cwd: root,
        env: cleanEnv({ GT_TMUX_SOCKET: SOCKET }),
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => void (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => void (out += d.toString()));
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      try {
        const deadline = Date.now() + 15_000;
        while (!/Ctrl-C/.test(out)) {
          if (Date.now() > deadline) throw new Error(`gt dashboard did not start:\n${out}`);
          await new Promise((r) => setTimeout(r, 20));
        }
        const url = out.match(/Dashboard: (\S+)/)![1]!;
        // The token URL sets the cookie and redirects; the bare page loads; the API does not without the token.
        expect((await fetch(url, { redirect: 'manual' })).status).toBe(302);
        const bare = new URL(url);
        bare.search = '';
        expect((await fetch(bare)).status).toBe(200);
        expect((await fetch(new URL('/api/session', bare))).status).toBe(401);
      } finally {
        child.kill('SIGINT');
      }
      expect(await exited).toBe(0);
      return out;
    };
    const first = await run([]);
    expect(first).toMatch(/^Dashboard: http:\/\/127\.0\.0\.1:\d+\/\?token=\S+\n/);
    const token = first.match(/\?token=(\S+)/)![1]!;
    const file = join(root, '.runtime', 'dashboard-token');
    expect(readFileSync(file, 'utf8').trim()).toBe(token);
    expect(statSync(file).mode & 0o077).toBe(0);
    // The same token next time (a signed-in browser stays signed in across restarts), and off loopback too.
    const second = await run(['--bind', '0.0.0.0']);
    expect(second).toContain(`?token=${token}`);
    expect(second).toContain(file);
  });

  it('with 100 agents and 10,000 beads the page answers within 300 ms and the API pages the beads', async () => {
    withStore((s) => {
      createBeads(
        s,
        Array.from({ length: 10_000 }, (_, i) => ({ title: `Load bead ${i}`, priority: i % 5 })),
      );
      s.write(() => {
        for (let i = 0; i < 100; i++) {
          recordStart(s, {
            address: `app/p${i}`,
            role: 'polecat',
            rig: 'app',
            name: `p${i}`,
            runtime: 'claude',
            session: `app-p${i}`,
            workdir: null,
            state: 'stopped',
            started_at: null,
            last_activity: null,
          });
        }
      });
    });
    const t0 = performance.now();
    const page = await app.request('/');
    await page.text();
    expect(performance.now() - t0).toBeLessThan(300);
    const agents = (await get('/api/agents')).body.agents;
    expect(agents).toHaveLength(100);
    expect(agents[0]).toMatchObject({ role: 'polecat', rig: 'app', state: expect.any(String) });
    const beads = await get('/api/beads?view=ready&limit=50&offset=100');
    expect(beads.body.beads).toHaveLength(50);
    expect(beads.body.total).toBeGreaterThan(10_000);
  }, 60_000);
});
