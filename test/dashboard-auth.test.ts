// Only the town's owner reads or drives the town through the dashboard. Every API route (enumerated from the app,
// so a new route cannot slip through) and the event stream refuse requests without the town's token, with the
// cookie alone, or with the page key alone; another OS user (setpriv to uid 65534) reaches the port, loads the static
// page, and gets 401/403 everywhere else and EACCES on the token file; the owner opens the printed URL in Chromium
// and is signed in with one click, the token gone from the address bar; the cookie that browsers also send to other
// ports of 127.0.0.1 is worthless there without the page key, which stays in the dashboard's own origin.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboard, type Dashboard } from '../src/dashboard/index.ts';
import { loadTown } from '../src/town/index.ts';
import { cleanEnv } from './support/bd.ts';
import { launchChromium } from './support/chromium.ts';
import { GT_BIN, gtJson, sourceRepo, tempDir } from './support/gt.ts';
import { fetchFresh } from './support/http.ts';

const SHOTS = resolve(import.meta.dirname, 'screenshots');
const SOCKET = `gt-test-dash-auth-${process.pid}`;
const NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups'];

/** `gt dashboard` as the owner (this process's user), until stop(). */
interface Cli {
  child: ChildProcess;
  out: () => string;
  /** The printed URL (with ?token=) and the bare one. */
  openUrl: string;
  url: string;
  stop: () => Promise<number | null>;
}

async function startCli(root: string, args: string[] = []): Promise<Cli> {
  const child = spawn(
    process.execPath,
    [GT_BIN, 'dashboard', ...(args.includes('--port') ? [] : ['--port', '0']), ...args],
    { cwd: root, env: cleanEnv({ GT_TMUX_SOCKET: SOCKET }) },
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => void (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => void (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const deadline = Date.now() + 15_000;
  while (!/Ctrl-C/.test(out)) {
    if (Date.now() > deadline) {
      child.kill('SIGINT');
      throw new Error(`gt dashboard did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const openUrl = out.match(/Dashboard: (\S+)/)![1]!;
  const bare = new URL(openUrl);
  bare.search = '';
  return { child, out: () => out, openUrl, url: bare.href, stop: () => (child.kill('SIGINT'), exited) };
}

/** Every concrete route of the app (method, a path with sample parameters), from Hono's own table. */
function apiRoutes(dash: Dashboard): { method: string; path: string }[] {
  const seen = new Set<string>();
  return dash.app.routes
    .filter((r) => r.method !== 'ALL' && !r.path.includes('*'))
    .map((r) => ({
      method: r.method,
      path: r.path
        .replace(/:address/g, 'mayor')
        .replace(/:rig/g, 'app')
        .replace(/:[a-z_]+/g, 'x-1'),
    }))
    .filter(
      (r) => r.path.startsWith('/api/') && !seen.has(`${r.method} ${r.path}`) && seen.add(`${r.method} ${r.path}`),
    );
}

/** A script another user runs: every route without the token (and with guesses), the static page, the token file. */
const PROBE = String.raw`
import { readFileSync } from 'node:fs';
const [base, routesJson, tokenFile, controlFile] = process.argv.slice(2);
const routes = JSON.parse(routesJson);
const guesses = [{}, { authorization: 'Bearer guess' }, { cookie: 'gt_token=guess' }, { 'x-gt-csrf': 'guess' }];
const out = { api: [], page: 0, events: 0, tokenRead: '', controlRead: '' };
for (const r of routes) {
  for (const headers of guesses) {
    const res = await fetch(base + r.path.slice(1), { method: r.method, headers: { 'content-type': 'application/json', ...headers }, ...(r.method === 'GET' ? {} : { body: '{}' }) });
    out.api.push({ ...r, headers: Object.keys(headers).join(','), status: res.status, body: (await res.text()).slice(0, 300) });
  }
}
out.page = (await fetch(base)).status;
const ev = await fetch(base + 'api/events?csrf=guess&after=0');
out.events = ev.status;
await ev.body?.cancel();
try { readFileSync(tokenFile, 'utf8'); out.tokenRead = 'read it'; } catch (e) { out.tokenRead = e.code; }
try { out.controlRead = readFileSync(controlFile, 'utf8').trim(); } catch (e) { out.controlRead = e.code; }
console.log(JSON.stringify(out));
`;

describe("the dashboard belongs to the town's owner", () => {
  const t = tempDir('gt dash auth');
  const root = join(t.dir, 'town');
  let dash: Dashboard;
  let cli: Cli | undefined;
  let browser: Browser | undefined;
  let trap: Server | undefined;

  beforeAll(async () => {
    // Other users may walk the path (as in a home directory with the usual 0755): only the token file's mode protects it.
    chmodSync(t.dir, 0o755);
    gtJson(t.dir, ['install', root]);
    sourceRepo(join(t.dir, 'app src'), 'main', { 'a.txt': 'a\n' });
    gtJson(root, ['rig', 'add', 'app', join(t.dir, 'app src')]);
    dash = createDashboard(loadTown(root, { PATH: process.env.PATH ?? '', GT_TMUX_SOCKET: SOCKET }), {
      heartbeatMs: 15_000,
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((r) => (trap ? trap.close(() => r()) : r()));
    await cli?.stop();
    dash?.close();
    t.cleanup();
  });

  /** The owner's sign-in: GET /?token= answers with the cookie and a redirect carrying the page key in the fragment. */
  const signIn = async (): Promise<{ cookie: string; key: string; setCookie: string; location: string }> => {
    const r = await dash.app.request(`/?token=${dash.token}`);
    expect(r.status).toBe(302);
    const setCookie = r.headers.get('set-cookie') ?? '';
    const location = r.headers.get('location') ?? '';
    return { cookie: setCookie.split(';')[0]!, key: location.split('#key=')[1] ?? '', setCookie, location };
  };

  it('refuses every API route and the event stream without the token, with the cookie alone or the page key alone', async () => {
    const routes = apiRoutes(dash);
    expect(routes.length).toBeGreaterThanOrEqual(25);
    expect(routes).toContainEqual({ method: 'GET', path: '/api/events' });
    expect(routes).toContainEqual({ method: 'PUT', path: '/api/config/settings' });
    const { cookie, key } = await signIn();
    const wrong: Record<string, string>[] = [
      {},
      { authorization: 'Bearer nope' },
      { authorization: `Basic ${dash.token}` },
      { cookie },
      { 'x-gt-csrf': key },
      { cookie, 'x-gt-csrf': 'nope' },
      { cookie: `${cookie.split('=')[0]}=nope`, 'x-gt-csrf': key },
      { 'x-gt-csrf': dash.token },
    ];
    for (const r of routes) {
      for (const headers of wrong) {
        const res = await dash.app.request(r.path, {
          method: r.method,
          headers: { 'content-type': 'application/json', ...headers },
          ...(r.method === 'GET' ? {} : { body: '{}' }),
        });
        expect(res.status, `${r.method} ${r.path} ${JSON.stringify(headers)}`).toBe(401);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('GT_DASHBOARD_TOKEN');
      }
    }
    // The event stream takes the page key in the query (EventSource sends no headers), never the key alone.
    expect((await dash.app.request(`/api/events?csrf=${key}`)).status).toBe(401);
    expect(
      (await dash.app.request(`/api/feed?csrf=${key}`, { headers: { cookie } })).status,
      'the query key is for the stream only',
    ).toBe(401);
    // With the token (a script) or the cookie and the key (the page) each route is past the guard.
    for (const r of routes.filter((x) => x.method === 'GET' && x.path !== '/api/events')) {
      for (const headers of [{ authorization: `Bearer ${dash.token}` }, { cookie, 'x-gt-csrf': key }]) {
        const res = await dash.app.request(r.path, { headers });
        expect([401, 403], `${r.path} ${JSON.stringify(headers)}`).not.toContain(res.status);
      }
    }
    const ctl = new AbortController();
    const stream = await dash.app.request(`/api/events?csrf=${key}`, { headers: { cookie }, signal: ctl.signal });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/text\/event-stream/);
    await stream.body?.cancel();
    ctl.abort();
    // The static page loads for anyone: it holds no town data.
    expect((await dash.app.request('/')).status).toBe(200);
    expect((await dash.app.request('/assets/app.js')).status).toBe(200);
  });

  it('signs the owner in from ?token=: an HttpOnly SameSite=Strict cookie, a redirect without the token; state changes only from our origin', async () => {
    const { cookie, key, setCookie, location } = await signIn();
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect(setCookie).toMatch(/Path=\//);
    expect(setCookie).not.toContain(dash.token);
    expect(location).toBe(`/#key=${dash.csrf}`);
    expect(location).not.toContain(dash.token);
    expect((await dash.app.request('/api/session?token=x')).status).toBe(401);
    // The redirect stays on this server whatever the path (`//host/…` would leave it, carrying the key).
    expect(
      (await dash.app.request(`http://localhost//evil.example/x?token=${dash.token}`)).headers.get('location'),
    ).toBe(`/evil.example/x#key=${dash.csrf}`);
    const session = await dash.app.request('/api/session', { headers: { cookie, 'x-gt-csrf': key } });
    expect(((await session.json()) as { csrf: string }).csrf).toBe(key);
    const post = async (headers: Record<string, string>): Promise<Response> =>
      dash.app.request('/api/beads', {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie, 'x-gt-csrf': key, ...headers },
        body: JSON.stringify({ title: 'From the page' }),
      });
    expect((await post({ origin: 'http://127.0.0.1:9999' })).status).toBe(403);
    expect((await post({ referer: 'http://evil.example/x' })).status).toBe(403);
    expect((await post({ origin: 'http://localhost' })).status).toBe(201);
  });

  it('another OS user reaches the port, loads the static page, and gets 401/403 on every API route, the stream and the token file', async () => {
    cli = await startCli(root);
    expect(cli.openUrl).toMatch(/\?token=[A-Za-z0-9_-]{40,}$/);
    const tokenFile = join(root, '.runtime', 'dashboard-token');
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    const control = join(root, '.runtime', 'probe-control.txt');
    writeFileSync(control, 'readable\n', { mode: 0o644 });
    const probe = join(t.dir, 'probe.mjs');
    writeFileSync(probe, PROBE, { mode: 0o644 });
    const r = spawnSync(
      'setpriv',
      [...NOBODY, '/usr/bin/node', probe, cli.url, JSON.stringify(apiRoutes(dash)), tokenFile, control],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    const got = JSON.parse(r.stdout) as {
      api: { method: string; path: string; headers: string; status: number; body: string }[];
      page: number;
      events: number;
      tokenRead: string;
      controlRead: string;
    };
    expect(got.page, 'the other user reaches the server').toBe(200);
    expect(got.controlRead, 'and can read a world-readable file beside the token').toBe('readable');
    expect(got.tokenRead).toBe('EACCES');
    expect(got.events).toBe(401);
    expect(got.api.length).toBe(apiRoutes(dash).length * 4);
    for (const a of got.api) {
      expect([401, 403], `${a.method} ${a.path} [${a.headers}] -> ${a.status} ${a.body}`).toContain(a.status);
      expect(a.body).not.toContain(root);
    }
    // The same with curl, as the issue reports it: the session route no longer hands out anything.
    const curl = (args: string[]): string =>
      spawnSync('setpriv', [...NOBODY, 'curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', ...args], {
        encoding: 'utf8',
      }).stdout;
    expect(curl([`${cli.url}api/session`])).toBe('401');
    // A DNS-rebinding page arrives with its own name in Host: refused, the static page too (node's fetch cannot set Host).
    expect(curl(['-H', 'Host: rebind.evil.example', cli.url])).toBe('403');
    const owner = spawnSync(
      'curl',
      [
        '-s',
        '-o',
        '/dev/null',
        '-w',
        '%{http_code}',
        '-H',
        `Authorization: Bearer ${readFileSync(tokenFile, 'utf8').trim()}`,
        `${cli.url}api/session`,
      ],
      { encoding: 'utf8' },
    );
    expect(owner.stdout, 'the owner, with the token, gets in').toBe('200');
  }, 90_000);

  it('the owner opens the printed URL in Chromium and is signed in; a cookie sent to another port of 127.0.0.1 is worthless there', async () => {
    expect(cli, 'the previous test started gt dashboard').toBeDefined();
    browser = await launchChromium();
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(cli!.openUrl);
    await page.locator('#live[data-state="live"]').waitFor({ timeout: 15_000 });
    await page.locator('#town-name').filter({ hasText: /\S/ }).waitFor({ timeout: 5_000 });
    expect(page.url(), 'the address bar keeps neither the token nor the key').toBe(cli!.url);
    const cookies = await ctx.cookies();
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(await page.evaluate('document.cookie'), 'page scripts cannot read the cookie').toBe('');
    // The page works: a bead made from the page lands in the store.
    await page.evaluate(`import('/assets/api.js').then((api) => api.post('/api/beads', { title: 'Signed-in bead' }))`);
    expect(gtJson<{ title: string }[]>(root, ['bd', 'list', '--json']).map((b) => b.title)).toContain('Signed-in bead');
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, 'signed-in-1280.png') });

    // Another local user's server on another port of 127.0.0.1: the browser sends it the dashboard's cookie.
    const seen: { cookie: string; key: string }[] = [];
    trap = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/steal')
        seen.push({ cookie: req.headers.cookie ?? '', key: url.searchParams.get('key') ?? '' });
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(
        `<!doctype html><title>trap</title><script>fetch('/steal?key=' + encodeURIComponent(localStorage.getItem('gt-dashboard-key') ?? ''))</script>`,
      );
    });
    await new Promise<void>((r) => trap!.listen(0, '127.0.0.1', () => r()));
    await page.goto(`http://127.0.0.1:${(trap.address() as AddressInfo).port}/`);
    await expect.poll(() => seen.length, { timeout: 5_000 }).toBeGreaterThan(0);
    expect(seen[0]!.cookie, 'cookies ignore ports').toContain(cookies[0]!.value);
    expect(seen[0]!.key, "the page key stays in the dashboard's origin").toBe('');
    for (const path of ['api/session', 'api/agents', 'api/events']) {
      const res = await fetchFresh(`${cli!.url}${path}`, { headers: { cookie: seen[0]!.cookie } });
      expect(res.status, `replayed cookie on ${path}`).toBe(401);
      await res.body?.cancel();
    }
    // Back on the dashboard in the same browser, and in a new tab: still signed in (the key is kept per origin).
    const tab = await ctx.newPage();
    await tab.goto(cli!.url);
    await tab.locator('#live[data-state="live"]').waitFor({ timeout: 15_000 });
    await tab.close();

    // A browser that never opened the token URL gets the page, which says how to sign in, and no data.
    const stranger = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await stranger.goto(cli!.url);
    const notice = stranger.locator('#signin');
    await notice.waitFor({ timeout: 10_000 });
    expect(await notice.textContent()).toMatch(/gt dashboard.*\?token=/s);
    expect(await stranger.locator('#agents').count(), 'no panels while signed out').toBe(0);
    await stranger.screenshot({ path: join(SHOTS, 'signed-out-1280.png') });
    await stranger.close();
    expect(errors).toEqual([]);
    await ctx.close();
  }, 90_000);

  it('a token file other users could read is replaced by a new one, gt dashboard says so, and an open page is signed out', async () => {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(cli!.openUrl);
    await page.locator('#live[data-state="live"]').waitFor({ timeout: 15_000 });
    await page.evaluate('window.__noReload = true');
    const port = new URL(cli!.url).port;
    const before = await cli!.stop();
    cli = undefined;
    expect(before).toBe(0);
    const tokenFile = join(root, '.runtime', 'dashboard-token');
    const old = readFileSync(tokenFile, 'utf8').trim();
    chmodSync(tokenFile, 0o644);
    cli = await startCli(root, ['--port', port]);
    // The open page reconnects, is refused with the new token, and says how to sign in again (no reload).
    await page.locator('#signin').waitFor({ timeout: 20_000 });
    expect(await page.evaluate('window.__noReload')).toBe(true);
    expect(await page.locator('#agents').count()).toBe(0);
    await page.close();
    expect(cli.out()).toMatch(
      /made a new token: the old .*dashboard-token could not be trusted \(other users could read it \(mode 644\)\)/,
    );
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    const now = readFileSync(tokenFile, 'utf8').trim();
    expect(now).not.toBe(old);
    expect(cli.openUrl).toContain(`?token=${now}`);
    expect((await fetchFresh(`${cli.url}api/session`, { headers: { authorization: `Bearer ${old}` } })).status).toBe(
      401,
    );
    expect((await fetchFresh(`${cli.url}api/session`, { headers: { authorization: `Bearer ${now}` } })).status).toBe(
      200,
    );
    expect(await cli.stop()).toBe(0);
    cli = undefined;
    expect(existsSync(tokenFile)).toBe(true);
  }, 60_000);
});
