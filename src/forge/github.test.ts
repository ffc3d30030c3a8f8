// The GitHub client against the GitHub fake (testing/github) and tiny local servers: rate limits are waited out by
// the throttling plugin, 5xx answers and dropped connections retried by the retry plugin, polls are conditional
// (ETag → 304), Enterprise base URLs reach REST and GraphQL, the token comes from gh.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub, type GitHubState } from '../../testing/github/index.ts';
import { GitHub } from './github.ts';
import { GitHubError, graphqlUrlOf, repoFromUrl, resolveToken } from './github-model.ts';
import { readWebhook } from './webhook.ts';

describe('the GitHub client', () => {
  let dir = '';
  let gh: FakeGitHub & { state: GitHubState };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gh client '));
    gh = await startFakeGitHub({ root: join(dir, 'gh'), tokens: { t1: 'bot' } });
    gh.state.addRepo({ full_name: 'acme/app' });
  });
  afterAll(async () => {
    await gh.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends If-None-Match on a repeated GET and takes the 304 from its cache (a poll that costs no rate limit)', async () => {
    const c = new GitHub({ token: 't1', apiUrl: gh.url });
    const used = gh.state.rate.used;
    const a = await c.rest<{ full_name: string }>('GET', '/repos/acme/app');
    const b = await c.rest<{ full_name: string }>('GET', '/repos/acme/app');
    expect(a).toMatchObject({ status: 200, cached: false, data: { full_name: 'acme/app' } });
    expect(b).toMatchObject({ status: 304, cached: true, data: { full_name: 'acme/app' } });
    expect(c.stats.notModified).toBe(1);
    expect(gh.state.rate.used).toBe(used + 1);
    expect(gh.state.log.slice(-1)[0]).toMatchObject({ status: 304, if_none_match: true });
  });

  it("is Octokit underneath (its user agent after ours), and a PR opened twice fails with GitHub's reason, which the refinery reads to find the open one", async () => {
    const repo = gh.state.addRepo({ full_name: 'acme/twice' });
    const c = new GitHub({ token: 't1', apiUrl: gh.url });
    const root = gh.state.git(repo.dir, [
      '-c',
      'user.name=t',
      '-c',
      'user.email=t@x',
      'commit-tree',
      '-m',
      'root',
      '4b825dc642cb6eb9a060e54bf8d69288fbee4904',
    ]).out;
    const tip = gh.state.git(repo.dir, [
      '-c',
      'user.name=t',
      '-c',
      'user.email=t@x',
      'commit-tree',
      '-p',
      root,
      '-m',
      'work',
      '4b825dc642cb6eb9a060e54bf8d69288fbee4904',
    ]).out;
    gh.state.git(repo.dir, ['update-ref', 'refs/heads/main', root]);
    gh.state.git(repo.dir, ['update-ref', 'refs/heads/work', tip]);
    const p = await c.createPull('acme/twice', { title: 'Work', head: 'work', base: 'main', body: 'b' });
    expect(p).toMatchObject({ number: 1, head: { ref: 'work', sha: tip } });
    expect(gh.state.log.slice(-1)[0]!.user_agent).toMatch(/^gastown-refinery octokit-rest\.js\/\d/);
    const e = (await c
      .createPull('acme/twice', { title: 'Work', head: 'work', base: 'main', body: 'b' })
      .catch((x: unknown) => x)) as GitHubError;
    expect(e).toBeInstanceOf(GitHubError);
    expect(e.status).toBe(422);
    expect(e.message).toBe(
      'GitHub POST /repos/acme/twice/pulls answered 422: Validation Failed: A pull request already exists for acme:work.',
    );
    expect((await c.findOpenPull('acme/twice', 'acme', 'work', 'main'))?.number).toBe(1);
  });

  it("reads a GitHub Actions job's log through GitHub's redirect to the download URL", async () => {
    gh.state.tokens.set('t-actions', 'github-actions');
    const actions = new GitHub({ token: 't-actions', apiUrl: gh.url });
    const run = (
      await actions.rest<{ id: number }>('POST', '/repos/acme/app/check-runs', {
        name: 'test',
        head_sha: 'd'.repeat(40),
        status: 'completed',
        conclusion: 'failure',
        log: 'line 1\nFAIL here\n',
      })
    ).data;
    const c = new GitHub({ token: 't1', apiUrl: gh.url });
    expect(await c.jobLog('acme/app', run.id)).toBe('line 1\nFAIL here\n');
    expect(gh.state.log.slice(-1)[0]).toMatchObject({
      path: `/repos/acme/app/actions/jobs/${run.id}/logs`,
      status: 302,
    });
  });

  it('a server that does not answer is "cannot reach GitHub" (status 0), not an HTTP error, and is not retried', async () => {
    const gone = createServer();
    await new Promise<void>((ok) => gone.listen(0, '127.0.0.1', () => ok()));
    const port = (gone.address() as { port: number }).port;
    await new Promise((ok) => gone.close(ok));
    const c = new GitHub({ token: 't1', apiUrl: `http://127.0.0.1:${port}` });
    const e = (await c.getPull('acme/app', 1).catch((x: unknown) => x)) as GitHubError;
    expect(e).toBeInstanceOf(GitHubError);
    expect(e).toMatchObject({ status: 0, code: 'GH_UNREACHABLE' });
    expect(e.message).toMatch(new RegExp(`^cannot reach GitHub at http://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
    // A refused connection fails the call at once: the retry plugin's back-off (1 s, 4 s) is not spent on it.
    expect(c.stats.requests).toBe(1);
  });

  it('a 502 is retried by the retry plugin and the call succeeds; a 5xx that persists fails after the bounded retries', async () => {
    const answers: number[] = [];
    let plan: number[] = [];
    const srv = createServer((req, res) => {
      const status = plan.shift() ?? 200;
      answers.push(status);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(status === 200 ? { full_name: 'acme/app' } : { message: 'Server Error' }));
    });
    await new Promise<void>((ok) => srv.listen(0, '127.0.0.1', () => ok()));
    const url = `http://127.0.0.1:${(srv.address() as { port: number }).port}`;
    try {
      const c = new GitHub({ token: 't1', apiUrl: url, secondMs: 1 });
      plan = [502];
      const r = await c.rest<{ full_name: string }>('GET', '/repos/acme/app');
      expect(r).toMatchObject({ status: 200, data: { full_name: 'acme/app' } });
      expect(answers).toEqual([502, 200]);

      answers.length = 0;
      plan = [503, 503, 503, 503];
      const e = (await c.rest('GET', '/repos/acme/other').catch((x: unknown) => x)) as GitHubError;
      expect(e).toBeInstanceOf(GitHubError);
      expect(e.message).toBe('GitHub GET /repos/acme/other answered 503: Server Error');
      expect(answers).toEqual([503, 503, 503]); // the first try and RETRIES (2) more

      // 4xx answers are GitHub's verdict: sent once.
      answers.length = 0;
      plan = [409];
      const conflict = (await c
        .rest('PUT', '/repos/acme/app/pulls/1/merge', {})
        .catch((x: unknown) => x)) as GitHubError;
      expect(conflict.status).toBe(409);
      expect(answers).toEqual([409]);
    } finally {
      srv.closeAllConnections();
      await new Promise((ok) => srv.close(ok));
    }
  });

  it('a connection the server drops before answering is retried (a reset is not "cannot reach")', async () => {
    let n = 0;
    const srv = createServer((req, res) => {
      if (n++ === 0) return void req.socket.destroy();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ full_name: 'acme/app' }));
    });
    await new Promise<void>((ok) => srv.listen(0, '127.0.0.1', () => ok()));
    const url = `http://127.0.0.1:${(srv.address() as { port: number }).port}`;
    try {
      const c = new GitHub({ token: 't1', apiUrl: url, secondMs: 1 });
      expect((await c.rest<{ full_name: string }>('GET', '/repos/acme/app')).data.full_name).toBe('acme/app');
      expect(n).toBe(2);
      expect(c.stats.requests).toBe(2);
    } finally {
      srv.closeAllConnections();
      await new Promise((ok) => srv.close(ok));
    }
  });

  it('waits until x-ratelimit-reset when the limit is spent, and fails with the reset time when that is too far', async () => {
    const waits: number[] = [];
    const c = new GitHub({
      token: 't1',
      apiUrl: gh.url,
      secondMs: 1, // a second of GitHub's lasts a millisecond here
      onWait: (ms) => {
        waits.push(ms);
        gh.state.rate = { ...gh.state.rate, used: 0, reset: 0 }; // the window passes while we wait
      },
    });
    gh.state.rate = { ...gh.state.rate, used: gh.state.rate.limit, reset: Math.ceil(Date.now() / 1000) + 20 };
    const r = await c.rest('GET', '/repos/acme/app');
    expect(r.status).toBe(200);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThan(15_000);
    expect(waits[0]).toBeLessThanOrEqual(22_000);
    expect(gh.state.log.slice(-2).map((x) => x.status)).toEqual([403, 200]);

    gh.state.rate = { ...gh.state.rate, used: gh.state.rate.limit, reset: Math.ceil(Date.now() / 1000) + 3600 };
    const slowWaits: number[] = [];
    const slow = new GitHub({ token: 't1', apiUrl: gh.url, onWait: (ms) => void slowWaits.push(ms) });
    const e = await slow.rest('GET', '/repos/acme/app').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(GitHubError);
    expect((e as GitHubError).status).toBe(403);
    expect((e as GitHubError).message).toMatch(
      /^GitHub rate limit reached \(GET \/repos\/acme\/app\); it resets at 20\d\d-/,
    );
    expect((e as GitHubError).hint).toMatch(/tries again after the reset/);
    const resetsAt = Date.parse((e as GitHubError).message.split('resets at ')[1]!);
    expect(resetsAt - Date.now()).toBeGreaterThan(3500_000);
    expect(slowWaits).toEqual([]);
    expect(slow.stats.requests).toBe(1);
    gh.state.rate = { ...gh.state.rate, used: 0, reset: 0 };
  });

  it('waits out a secondary limit (429 retry-after) and then succeeds; one longer than maxWaitMs fails at once', async () => {
    const waits: [number, string][] = [];
    const c = new GitHub({ token: 't1', apiUrl: gh.url, secondMs: 1, onWait: (ms, why) => void waits.push([ms, why]) });
    const before = gh.state.log.length;
    gh.state.secondary = 2;
    expect((await c.rest('GET', '/repos/acme/app')).status).toBe(200);
    expect(waits).toEqual([
      [1000, 'secondary rate limit'],
      [1000, 'secondary rate limit'],
    ]);
    expect(gh.state.log.slice(before).map((x) => x.status)).toEqual([429, 429, 200]);

    const impatient = new GitHub({ token: 't1', apiUrl: gh.url, maxWaitMs: 500 });
    gh.state.secondary = 1;
    const e = (await impatient.rest('GET', '/repos/acme/app').catch((x: unknown) => x)) as GitHubError;
    expect(e).toBeInstanceOf(GitHubError);
    expect(e.status).toBe(429);
    expect(e.message).toMatch(/^GitHub rate limit reached \(GET \/repos\/acme\/app\); it resets at 20\d\d-/);
    expect(impatient.stats).toMatchObject({ requests: 1, waits: 0 });
  });

  it('a plain 403 or 404 is not retried and names the cause', async () => {
    const c = new GitHub({ token: 'unknown', apiUrl: gh.url });
    const e = (await c.rest('GET', '/repos/acme/app').catch((x: unknown) => x)) as GitHubError;
    expect(e.status).toBe(401);
    expect(c.stats).toMatchObject({ requests: 1, waits: 0 });
    expect(e.hint).toMatch(/GITHUB_TOKEN or GH_TOKEN/);
    const n = (await new GitHub({ token: 't1', apiUrl: gh.url })
      .rest('GET', '/repos/acme/nope')
      .catch((x: unknown) => x)) as GitHubError;
    expect(n.status).toBe(404);
  });

  it('reaches REST under /api/v3 and GraphQL at /api/graphql on GitHub Enterprise Server', async () => {
    expect(graphqlUrlOf('https://ghe.example.com/api/v3')).toBe('https://ghe.example.com/api/graphql');
    expect(graphqlUrlOf('https://api.github.com')).toBe('https://api.github.com/graphql');
    const c = new GitHub({ token: 't1', apiUrl: `${gh.url}/api/v3` });
    expect((await c.rest<{ full_name: string }>('GET', '/repos/acme/app')).data.full_name).toBe('acme/app');
    const e = await c.enableAutoMerge('PR_nothing', 'squash', 'x').catch((x: unknown) => x);
    expect((e as Error).message).toMatch(/Could not resolve to a node/);
    expect(gh.state.log.slice(-1)[0]!.path).toBe('/graphql');
  });

  it('takes the token from GITHUB_TOKEN, then GH_TOKEN, then gh auth token (with --hostname for Enterprise)', () => {
    expect(resolveToken({ GITHUB_TOKEN: 'a', GH_TOKEN: 'b' })).toEqual({ token: 'a', source: 'GITHUB_TOKEN' });
    expect(resolveToken({ GH_TOKEN: 'b' })).toEqual({ token: 'b', source: 'GH_TOKEN' });
    const bin = join(dir, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(
      join(bin, 'gh'),
      '#!/bin/sh\n[ "$1 $2" = "auth token" ] || exit 2\n[ "$3" = "--hostname" ] && { echo "tok-for-$4"; exit 0; }\necho tok-dotcom\n',
    );
    chmodSync(join(bin, 'gh'), 0o755);
    const env = { PATH: `${bin}:/usr/bin:/bin` };
    expect(resolveToken(env)).toEqual({ token: 'tok-dotcom', source: 'gh auth token' });
    expect(resolveToken(env, 'https://ghe.example.com/api/v3')).toEqual({
      token: 'tok-for-ghe.example.com',
      source: 'gh auth token',
    });
    expect(resolveToken({ PATH: '/nonexistent' })).toBeUndefined();
  });

  it('reads owner/name from the remote URLs people use', () => {
    expect(repoFromUrl('git@github.com:acme/app.git')).toBe('acme/app');
    expect(repoFromUrl('https://github.com/acme/app')).toBe('acme/app');
    expect(repoFromUrl('ssh://git@ghe.example.com:2222/acme/app.git')).toBe('acme/app');
    expect(repoFromUrl('http://127.0.0.1:4444/acme/app.git')).toBe('acme/app');
  });

  it('a delivery the fake signs as GitHub does is read by readWebhook, and the same body under another secret is refused', async () => {
    gh.state.hookSecret = 'whsec';
    const c = new GitHub({ token: 't1', apiUrl: gh.url });
    await c.rest('POST', '/repos/acme/app/check-runs', {
      name: 'ci',
      head_sha: 'c'.repeat(40),
      status: 'completed',
      conclusion: 'failure',
    });
    const d = gh.state.deliveries.slice(-1)[0]!;
    const headers = { 'x-hub-signature-256': d.signature, 'x-github-event': d.event, 'x-github-delivery': d.delivery };
    expect(readWebhook('whsec', Buffer.from(d.body), headers)).toMatchObject({
      ok: true,
      event: 'check_run',
      repo: 'acme/app',
    });
    expect(readWebhook('other', Buffer.from(d.body), headers)).toMatchObject({ ok: false, status: 401 });
  });
});
