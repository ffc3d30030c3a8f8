// The town as a service: gt serve as a real process, gt and bd as its clients from a workspace outside the town, real
// git over real HTTP on loopback. A polecat here is "remote": its row and branch are in the town, its worktree is not.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, bd } from './support/bd.ts';
import { expectFailure, git, gt, gtJson, sourceRepo, tempDir, withTown } from './support/gt.ts';
import { listTokens } from '../src/server/tokens.ts';
import { fetchFresh } from './support/http.ts';
import { gitAuthEnv, remoteEnv, startServe, type RunningServe } from './support/town-api.ts';
import { gtBuilt, requireFreshBuild } from './support/gt-built.ts';
import { loadTown, openTownStore } from '../src/town/index.ts';
import { insertPolecat } from '../src/work/polecats/index.ts';
import { updateBead } from '../src/beads/index.ts';

/** One GET on its own connection (fetch would reuse a socket an earlier refused request left closing). */
function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  return new Promise((res, rej) => {
    const req = httpRequest(url, { headers, agent: false }, (r) => {
      let text = '';
      r.on('data', (d: Buffer) => (text += d.toString()));
      r.on('end', () => res({ status: r.statusCode ?? 0, text }));
    });
    req.on('error', rej);
    req.end();
  });
}

function gitEnv(cwd: string, args: readonly string[], env: Record<string, string>): { code: number; out: string } {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', env: cleanEnv(env) });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

describe('the town API (gt serve) and its clients', () => {
  let base = '';
  let town = '';
  let cleanup = (): void => {};
  let serve: RunningServe;
  const tokens: Record<string, string> = {};
  const beads: Record<string, string> = {};
  const envOf = (name: string): Record<string, string> => remoteEnv(serve.url, tokens[name]!);
  const tokenOf = (name: string): string => readFileSync(tokens[name]!, 'utf8').trim();
  const repo = (): string => join(town, 'app', '.repo.git');

  /** A polecat placed away from the town: its row, its hooked bead and its branch in the bare repo, no town worktree. */
  const remotePolecat = (name: string, title: string): string => {
    const id = gtJson<{ id: string }>(town, ['bd', 'create', '--rig', 'app', title, '-p', '1']).id;
    const branch = `polecat/${name}/${id}`;
    git(repo(), ['branch', branch, 'main']);
    const s = openTownStore(loadTown(town, cleanEnv()));
    try {
      insertPolecat(s, {
        rig: 'app',
        name,
        worktree: join(town, 'app', 'polecats', name),
        state: 'working',
        bead: id,
        branch,
        base: git(repo(), ['rev-parse', 'main']).trim(),
        hook_state: 'active',
        agent: 'sim',
      });
      updateBead(s, id, { status: 'hooked', assignee: `app/${name}` });
    } finally {
      s.close();
    }
    return id;
  };

  beforeAll(async () => {
    const t = tempDir('town api');
    base = t.dir;
    cleanup = t.cleanup;
    town = join(base, 'town');
    gtJson(base, ['install', town]);
    sourceRepo(join(base, 'app src'), 'main', { 'a.txt': 'one\n' });
    gtJson(town, ['rig', 'add', 'app', join(base, 'app src')]);
    beads.nux = remotePolecat('nux', 'Add b');
    beads.slit = remotePolecat('slit', 'Add c');
    for (const who of ['app/nux', 'app/slit', 'mayor'])
      tokens[who.replace('app/', '')] = gtJson<{ file: string }>(town, ['token', 'issue', who]).file;
    mkdirSync(join(base, 'away'));
    serve = await startServe(town);
  }, 60_000);
  afterAll(async () => {
    await serve?.stop();
    cleanup();
  });

  it('gt and bd in a remote workspace print what they print in the town: output, errors and exit codes', () => {
    const away = join(base, 'away');
    const local = { GT_ADDRESS: 'app/nux', GT_ROLE: 'polecat', GT_RIG: 'app', GT_NAME: 'nux', BD_ACTOR: 'app/nux' };
    const cases: [
      string[],
      (
        cwd: string,
        a: string[],
        o: { env: Record<string, string> },
      ) => { code: number; stdout: string; stderr: string },
    ][] = [
      [['hook', '--json'], gt],
      [['hook'], gt],
      [['mail', 'inbox', '--json'], gt],
      [['prime'], gt],
      [['hook', '--bogus'], gt],
      [['mail', 'check', '--json'], gt],
      [['mail', 'check', '--inject'], gt],
      [['nudge', 'app/slit', 'are', 'you', 'there'], gt],
      [['escalate', '--bogus'], gt],
      [['show', beads.nux!, '--json'], bd],
      [['show', 'nope'], bd],
      [['ready', '--json'], bd],
      [['list'], bd],
    ];
    for (const [args, run] of cases) {
      const here = run(town, args, { env: local });
      const there = run(away, args, { env: envOf('nux') });
      expect({ args, ...there }).toEqual({ args, ...here });
    }
    // The failures really are failures, with the local codes: an unknown bead 1, a usage error 2.
    expect(bd(away, ['show', 'nope'], { env: envOf('nux') }).code).toBe(1);
    expect(gt(away, ['hook', '--bogus'], { env: envOf('nux') }).code).toBe(2);
    expect(gtJson<{ bead: { id: string } }>(away, ['hook'], { env: envOf('nux') }).bead.id).toBe(beads.nux);
  });

  it("a polecat's token acts only as itself: not another's inbox, mail, bead, identity, nor the Mayor's commands", () => {
    const away = join(base, 'away');
    const sent = gtJson<{ mail: { id: string }[] }>(
      town,
      ['mail', 'send', 'app/slit', '-s', 'for slit only', '-m', 'secret'],
      { env: { GT_ADDRESS: 'mayor' } },
    );
    const slitMail = sent.mail[0]!.id;
    const nux = envOf('nux');
    const refused: string[][] = [
      ['mail', 'inbox', 'app/slit'],
      ['mail', 'read', slitMail],
      ['mail', 'ack', slitMail],
      ['mail', 'send', 'mayor', '-s', 'hi', '--from', 'app/slit'],
      ['hook', 'app/slit'],
      ['bd', 'close', beads.slit!],
      ['bd', 'update', beads.slit!, '--notes', 'mine now'],
      ['bd', '--actor', 'app/slit', 'update', beads.nux!, '--notes', 'x'],
      ['bd', 'update', beads.nux!, '--assignee', 'app/slit'],
      ['polecat', 'remove', 'app/slit'],
      ['sling', beads.slit!, 'app'],
      ['token', 'issue', 'app/slit'],
    ];
    for (const args of refused) {
      const r = gt(away, args, { env: nux });
      expectFailure(r, 1, /app\/nux's token may not/);
      expect(r.stdout, args.join(' ')).not.toContain('secret');
    }
    // Nothing happened: slit's mail is unread, its bead still hooked and its own.
    expect(gtJson<{ read_at: string | null }[]>(town, ['mail', 'inbox', 'app/slit'])[0]).toMatchObject({
      read_at: null,
    });
    const slitBead = gtJson<{ status: string; assignee: string; notes?: string }[]>(town, [
      'bd',
      'show',
      beads.slit!,
    ])[0]!;
    expect(slitBead).toMatchObject({ status: 'hooked', assignee: 'app/slit' });
    expect(slitBead.notes ?? '').not.toContain('mine now');
    // Its own bead it may change, and the change is recorded as its own.
    expect(gt(away, ['bd', 'update', beads.nux!, '--notes', 'halfway there'], { env: nux }).code).toBe(0);
    const shown = gtJson<{ notes: string; events: { actor: string }[] }[]>(town, [
      'bd',
      'show',
      beads.nux!,
      '--events',
    ])[0]!;
    expect(shown.notes).toContain('halfway there');
    expect(shown.events.at(-1)?.actor).toBe('app/nux');
    // The Mayor's token does more: it reads any hook. But no live view holds the server: --watch is refused.
    expect(gtJson<{ address: string }>(away, ['hook', 'app/slit'], { env: envOf('mayor') }).address).toBe('app/slit');
    expectFailure(
      gt(away, ['status', '--watch'], { env: envOf('mayor') }),
      1,
      /mayor's token may not run `gt status --watch`/,
    );
  });

  it('refuses a missing, unknown, revoked token and one whose agent was removed, even after a new agent of that name', () => {
    const away = join(base, 'away');
    expectFailure(gt(away, ['hook'], { env: { GT_TOWN_URL: serve.url } }), 1, /no token/);
    expectFailure(
      gt(away, ['hook'], { env: { GT_TOWN_URL: serve.url, GT_TOWN_TOKEN: 'gtt_not-a-token-of-this-town' } }),
      1,
      /does not know this token/,
    );
    expectFailure(
      bd(away, ['list'], {
        env: {
          GT_TOWN_URL: serve.url,
          GT_TOWN_TOKEN: readFileSync(join(town, '.runtime', 'dashboard-token'), 'utf8')
            .trim()
            .slice(0, -1),
        },
      }),
      1,
      /does not know this token/,
    );
    // Revoked.
    const second = gtJson<{ id: string; file: string }>(town, ['token', 'issue', 'app/witness']);
    const secondToken = readFileSync(second.file, 'utf8').trim();
    expect(gt(away, ['hook', '--json'], { env: { GT_TOWN_URL: serve.url, GT_TOWN_TOKEN: secondToken } }).code).toBe(0);
    gtJson(town, ['token', 'revoke', second.id]);
    expectFailure(gt(away, ['hook'], { env: { GT_TOWN_URL: serve.url, GT_TOWN_TOKEN: secondToken } }), 1, /revoked/);
    // The agent removed, then made again under the same name: the old token stays dead.
    const s = openTownStore(loadTown(town, cleanEnv()));
    try {
      insertPolecat(s, { rig: 'app', name: 'gone', worktree: join(town, 'app', 'polecats', 'gone'), state: 'idle' });
    } finally {
      s.close();
    }
    const goneFile = gtJson<{ file: string }>(town, ['token', 'issue', 'app/gone']).file;
    const gone = readFileSync(goneFile, 'utf8').trim();
    expect(gt(away, ['hook', '--json'], { env: { GT_TOWN_URL: serve.url, GT_TOWN_TOKEN: gone } }).code).toBe(0);
    gtJson(town, ['polecat', 'remove', 'app/gone']);
    expectFailure(gt(away, ['hook'], { env: { GT_TOWN_URL: serve.url, GT_TOWN_TOKEN: gone } }), 1, /no longer exists/);
    const s2 = openTownStore(loadTown(town, cleanEnv()));
    try {
      insertPolecat(s2, { rig: 'app', name: 'gone', worktree: join(town, 'app', 'polecats', 'gone'), state: 'idle' });
    } finally {
      s2.close();
    }
    expectFailure(gt(away, ['hook'], { env: { GT_TOWN_URL: serve.url, GT_TOWN_TOKEN: gone } }), 1, /no longer exists/);
    // A town that cannot be reached is said so; a prompt hook still never fails the agent's turn.
    expectFailure(
      gt(away, ['hook'], { env: { GT_TOWN_URL: 'http://127.0.0.1:9', GT_TOWN_TOKEN: gone } }),
      1,
      /cannot reach the town/,
    );
    const hook = gt(away, ['mail', 'check', '--inject'], {
      env: { GT_TOWN_URL: 'http://127.0.0.1:9', GT_TOWN_TOKEN: gone },
    });
    expect(hook).toMatchObject({ code: 0, stdout: '' });
    expect(hook.stderr).toMatch(/cannot reach the town/);
  });

  it('keeps tokens as hashes in the store and in files only their owner can read', () => {
    const st = statSync(tokens.nux!);
    expect(st.mode & 0o777).toBe(0o600);
    expect(statSync(join(town, '.runtime', 'tokens')).mode & 0o777).toBe(0o700);
    const token = tokenOf('nux');
    for (const f of readdirSync(join(town, '.beads')).filter((n) => n.startsWith('beads.db')))
      expect(readFileSync(join(town, '.beads', f)).includes(token), f).toBe(false);
    expect(withTown(town, (s) => listTokens(s)).filter((t) => t.address === 'app/nux')).toHaveLength(1);
    expect(new URL(serve.url).hostname).toBe('127.0.0.1');
  });

  it('answers malformed, oversized and unauthenticated requests with an error, never a run', async () => {
    const auth = { authorization: `Bearer ${tokenOf('nux')}`, 'content-type': 'application/json' };
    const post = (body: string | Uint8Array, headers: Record<string, string> = auth): Promise<Response> =>
      fetchFresh(`${serve.url}/api/v1/run`, { method: 'POST', headers, body });
    const bad = await post('{"program": "gt", "argv": ["hook"');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'GT_API_BAD_REQUEST' } });
    for (const body of [
      { program: 'sh', argv: ['-c', 'id'] },
      { program: 'gt', argv: 'hook' },
      { program: 'gt', argv: ['hook'], cwd: '/' },
      [],
    ]) {
      const r = await post(JSON.stringify(body));
      expect(r.status, JSON.stringify(body)).toBe(400);
    }
    // Kept alive (plain fetch): on a connection the client asked to close, the server answers 413 and closes while
    // the 9 MiB are still being written, and the client sees EPIPE instead of the answer.
    const big = await fetch(`${serve.url}/api/v1/run`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ program: 'bd', argv: ['create', 'x'], stdin: 'y'.repeat(9 * 1024 * 1024) }),
    });
    expect(big.status).toBe(413);
    for (const headers of [
      { 'content-type': 'application/json' },
      { ...auth, authorization: `Token ${tokenOf('nux')}` },
      { ...auth, authorization: 'Bearer ' },
    ]) {
      const r = await post(JSON.stringify({ program: 'gt', argv: ['hook'] }), headers);
      expect(r.status).toBe(401);
    }
    // A file on the town's machine is never read for a caller: the client sends files as standard input.
    const file = await post(
      JSON.stringify({ program: 'bd', argv: ['create', 'leak', '--body-file', '/etc/hostname'] }),
    );
    expect(await file.json()).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/may not read the file "\/etc\/hostname"/),
    });
    expect(gtJson<{ title: string }[]>(town, ['bd', 'list', '--all']).map((b) => b.title)).not.toContain('leak');
    // Through the client, a local file is the caller's own: it arrives as the description.
    const away = join(base, 'away');
    writeFileSync(join(away, 'body.md'), 'from the remote side\n');
    const made = JSON.parse(
      bd(away, ['create', 'Remote body', '--body-file', 'body.md', '--json'], { env: envOf('nux') }).stdout,
    ) as { description: string };
    expect(made.description).toBe('from the remote side\n');
  });

  it("serves the rig over git smart HTTP: clone and fetch with a token, push only the polecat's own branch", () => {
    const ws = join(base, 'nux ws');
    const auth = gitAuthEnv(tokenOf('nux'));
    expect(gitEnv(base, ['clone', '-q', `${serve.url}/git/app.git`, ws], { GIT_TERMINAL_PROMPT: '0' }).code).not.toBe(
      0,
    );
    expect(gitEnv(base, ['clone', '-q', `${serve.url}/git/app.git`, ws], auth)).toMatchObject({ code: 0 });
    const branch = `polecat/nux/${beads.nux}`;
    expect(gitEnv(ws, ['checkout', '-q', branch], auth).code).toBe(0);
    writeFileSync(join(ws, 'b.txt'), 'b\n');
    git(ws, ['add', 'b.txt']);
    git(ws, ['-c', 'user.name=nux', '-c', 'user.email=nux@x', 'commit', '-q', '-m', 'b']);
    expect(gitEnv(ws, ['push', '-q', 'origin', branch], auth)).toMatchObject({ code: 0 });
    expect(git(repo(), ['rev-parse', branch]).trim()).toBe(git(ws, ['rev-parse', 'HEAD']).trim());
    const theirs = gitEnv(ws, ['push', 'origin', `HEAD:refs/heads/polecat/slit/${beads.slit}`], auth);
    expect(theirs.code).not.toBe(0);
    expect(theirs.out).toMatch(/app\/nux may push only refs\/heads\/polecat\/nux/);
    const main = gitEnv(ws, ['push', 'origin', 'HEAD:main'], auth);
    expect(main.code).not.toBe(0);
    expect(main.out).toMatch(/landed by the town's refinery/);
    expect(gitEnv(ws, ['push', 'origin', `:${branch}`], auth).out).toMatch(/may not delete/);
    expect(git(repo(), ['rev-parse', `polecat/slit/${beads.slit}`]).trim()).toBe(
      git(repo(), ['rev-parse', 'main']).trim(),
    );
    // Snapshots go to the town too, under the polecat's own hidden refs.
    expect(gitEnv(ws, ['push', '-q', 'origin', 'HEAD:refs/gt/hooks/nux/1767225600000'], auth).code).toBe(0);
    expect(gitEnv(ws, ['fetch', '-q', 'origin'], auth).code).toBe(0);
  });

  it("never serves anything but the rigs' repositories: path tricks and dumb-HTTP paths are refused", async () => {
    const h = { authorization: `Bearer ${tokenOf('nux')}` };
    for (const path of [
      '/git/app.git/HEAD',
      '/git/app.git/config',
      '/git/app.git/objects/info/packs',
      '/git/..%2F..%2Fetc.git/info/refs?service=git-upload-pack',
      '/git/app.git/..%2F..%2F..%2Fetc%2Fpasswd',
      '/git/nope.git/info/refs?service=git-upload-pack',
      '/git/app/info/refs?service=git-upload-pack',
      '/git/app.git/info/refs',
      '/git/app.git/info/refs?service=git-upload-archive',
      '/git/.repo.git/info/refs?service=git-upload-pack',
    ]) {
      const r = await get(`${serve.url}${path}`, h);
      expect([403, 404], path).toContain(r.status);
      expect(r.text, path).not.toMatch(/root:|\[core\]/);
    }
    expect((await get(`${serve.url}/git/app.git/info/refs?service=git-upload-pack`)).status).toBe(401);
    expect((await get(`${serve.url}/git/app.git/info/refs?service=git-upload-pack`, h)).status).toBe(200);
  });

  /** A remote polecat's workspace: a clone over HTTP on its branch, with a leftover file not yet committed. */
  const remoteWorkspace = (name: string, bead: string, file: string): string => {
    const ws = join(base, `${name} ws`);
    expect(gitEnv(base, ['clone', '-q', `${serve.url}/git/app.git`, ws], gitAuthEnv(tokenOf(name))).code).toBe(0);
    expect(gitEnv(ws, ['checkout', '-q', `polecat/${name}/${bead}`], {}).code).toBe(0);
    writeFileSync(join(ws, file), `${name}\n`);
    return ws;
  };

  interface DoneJson {
    outcome: string;
    bead: string;
    committed_leftovers: boolean;
    commits: number;
    head: string;
    mr: string;
  }

  it('gt done in a remote workspace commits leftovers, pushes the branch, and the town queues and lands it once', () => {
    const id = remotePolecat('toast', 'Add d');
    tokens.toast = gtJson<{ file: string }>(town, ['token', 'issue', 'app/toast']).file;
    const ws = remoteWorkspace('toast', id, 'd.txt');
    const r = gtJson<DoneJson>(ws, ['done', '-m', 'added d'], { env: envOf('toast') });
    expect(r).toMatchObject({ outcome: 'enqueued', bead: id, committed_leftovers: true, commits: 1 });
    expect(git(ws, ['status', '--porcelain'])).toBe('');
    expect(git(ws, ['log', '-1', '--format=%an <%ae>|%s'])).toBe(`app/toast <app.toast@gastown.local>|Add d (${id})\n`);
    expect(git(repo(), ['rev-parse', `polecat/toast/${id}`]).trim()).toBe(r.head);
    expect(git(ws, ['rev-parse', 'HEAD']).trim()).toBe(r.head);
    const mrs = gtJson<{ bead: string; head: string; status: string }[]>(town, ['mq', 'list', '--rig', 'app']).filter(
      (m) => m.bead === id,
    );
    expect(mrs).toEqual([expect.objectContaining({ head: r.head, status: 'queued' })]);
    // Again (the agent retries after a lost answer): the same request, never a second.
    expect(gtJson<DoneJson>(ws, ['done'], { env: envOf('toast') })).toMatchObject({
      outcome: 'already-enqueued',
      mr: r.mr,
      committed_leftovers: false,
    });
    expect(gtJson<{ bead: string }[]>(town, ['mq', 'list', '--rig', 'app']).filter((m) => m.bead === id)).toHaveLength(
      1,
    );
    // The refinery stays in the town: it lands the pushed branch on main.
    gtJson(town, ['refinery', 'run', 'app']);
    expect(git(repo(), ['show', 'main:d.txt'])).toBe('toast\n');
    expect(gtJson<{ status: string }[]>(town, ['bd', 'show', id])[0]!.status).toBe('closed');
  });

  it('gt done from a remote workspace through the built CLI, and a branch that did not arrive is not queued', () => {
    requireFreshBuild();
    const ws = remoteWorkspace('slit', beads.slit!, 'c.txt');
    // The town's own gt done refuses a head the branch does not hold (a push that never landed).
    const missing = gt(town, ['done', '--pushed', 'f'.repeat(40)], { env: { GT_ADDRESS: 'app/slit' } });
    expectFailure(missing, 1, /not at the pushed ffffffffffff/);
    const r = gtBuilt(ws, ['done', '--json'], { env: envOf('slit') });
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as DoneJson;
    expect(j).toMatchObject({ outcome: 'enqueued', bead: beads.slit, committed_leftovers: true, commits: 1 });
    expect(git(repo(), ['rev-parse', `polecat/slit/${beads.slit}`]).trim()).toBe(j.head);
  });

  it('takes usage reports from a remote session: the transcript is sent from the workspace, only what the town lacks', async () => {
    const away = join(base, 'away');
    const line = (id: string): string =>
      `${JSON.stringify({
        type: 'assistant',
        sessionId: 'sess-nux',
        timestamp: new Date().toISOString(),
        cwd: away,
        message: {
          id,
          type: 'message',
          role: 'assistant',
          model: 'claude-sonnet-4-5',
          content: [{ type: 'text', text: 'x' }],
          usage: { input_tokens: 1000, output_tokens: 10, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
        },
      })}\n`;
    const transcript = join(away, 'sess-nux.jsonl');
    writeFileSync(transcript, line('msg_1') + line('msg_2'));
    const hookInput = JSON.stringify({ session_id: 'sess-nux', transcript_path: transcript, hook_event_name: 'Stop' });
    const responses = (): number =>
      gtJson<{ groups: { key: string; responses: number }[] }>(town, ['costs', '--by', 'agent']).groups.find(
        (g) => g.key === 'app/nux',
      )?.responses ?? 0;
    expect(gt(away, ['costs', 'record'], { env: envOf('nux'), input: hookInput })).toMatchObject({
      code: 0,
      stderr: '',
    });
    expect(responses()).toBe(2);
    writeFileSync(transcript, line('msg_1') + line('msg_2') + line('msg_3'));
    expect(gt(away, ['costs', 'record'], { env: envOf('nux'), input: hookInput }).code).toBe(0);
    expect(responses()).toBe(3);
    expect(statSync(join(town, '.runtime', 'remote-transcripts', 'app_nux', 'sess-nux.jsonl')).size).toBe(
      statSync(transcript).size,
    );
    // Never a path on the town's machine, not even the Mayor's token: the town reads only what was sent to it.
    for (const who of ['nux', 'mayor']) {
      const r = await fetchFresh(`${serve.url}/api/v1/run`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokenOf(who)}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          program: 'gt',
          argv: ['costs', 'record'],
          stdin: JSON.stringify({ transcript_path: '/etc/hostname' }),
        }),
      });
      expect(await r.json()).toMatchObject({
        code: 1,
        stderr: expect.stringMatching(/token may not run `gt costs record`/),
      });
    }
    // A town out of reach does not fail the Stop hook.
    expect(
      gt(away, ['costs', 'record'], { env: { ...envOf('nux'), GT_TOWN_URL: 'http://127.0.0.1:9' }, input: hookInput }),
    ).toMatchObject({ code: 0, stderr: expect.stringMatching(/cannot reach the town/) });
  });

  it('serves 50 agents at once: every call answered, every write landed once', async () => {
    const auth = { authorization: `Bearer ${tokenOf('mayor')}`, 'content-type': 'application/json' };
    const replies = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        fetchFresh(`${serve.url}/api/v1/run`, {
          method: 'POST',
          headers: auth,
          body: JSON.stringify({ program: 'bd', argv: ['create', `load ${i}`, '--silent'] }),
        }).then(async (r) => ({
          status: r.status,
          ...((await r.json()) as { code: number; stdout: string; stderr: string }),
        })),
      ),
    );
    for (const r of replies) expect(r, r.stderr).toMatchObject({ status: 200, code: 0 });
    const ids = new Set(replies.map((r) => r.stdout.trim()));
    expect(ids.size).toBe(50);
    const titles = gtJson<{ title: string }[]>(town, ['bd', 'list', '--all', '--limit', '0'])
      .map((b) => b.title)
      .filter((t) => t.startsWith('load '));
    expect(titles.sort()).toEqual(Array.from({ length: 50 }, (_, i) => `load ${i}`).sort());
  });

  it('a workspace cloned with gt workspace clone pushes every commit to the town, and its snapshots go there too', () => {
    const id = remotePolecat('rust', 'Add e');
    tokens.rust = gtJson<{ file: string }>(town, ['token', 'issue', 'app/rust']).file;
    const dir = join(base, 'rust ws');
    const cloned = gtJson<{ dir: string; branch: string }>(base, ['workspace', 'clone', dir], { env: envOf('rust') });
    expect(cloned).toMatchObject({ dir, branch: `polecat/rust/${id}` });
    expect(readFileSync(join(dir, '.git', 'config'), 'utf8')).not.toContain(tokenOf('rust'));
    // A commit, by the agent with plain git: the post-commit hook pushes it.
    writeFileSync(join(dir, 'e.txt'), 'e\n');
    expect(gitEnv(dir, ['add', 'e.txt'], envOf('rust')).code).toBe(0);
    expect(
      gitEnv(dir, ['-c', 'user.name=rust', '-c', 'user.email=rust@x', 'commit', '-q', '-m', 'e'], envOf('rust')).code,
    ).toBe(0);
    expect(git(repo(), ['rev-parse', `polecat/rust/${id}`]).trim()).toBe(git(dir, ['rev-parse', 'HEAD']).trim());
    // Plain git fetch works with the token from the environment (the credential helper), not from the clone.
    expect(gitEnv(dir, ['fetch', '-q', 'origin'], envOf('rust')).code).toBe(0);
    // Uncommitted and untracked work: a snapshot in the town, listed by gt hook snapshots, the worktree untouched.
    writeFileSync(join(dir, 'e.txt'), 'e, more\n');
    writeFileSync(join(dir, 'f.txt'), 'f\n');
    const snap = gtJson<{ ref: string; commit: string }>(dir, ['workspace', 'snapshot'], { env: envOf('rust') });
    expect(gtJson<{ ref: string }[]>(town, ['hook', 'snapshots', 'app/rust']).map((x) => x.ref)).toContain(snap.ref);
    expect(git(repo(), ['show', `${snap.commit}:f.txt`])).toBe('f\n');
    expect(git(repo(), ['show', `${snap.commit}:e.txt`])).toBe('e, more\n');
    expect(git(dir, ['status', '--porcelain'])).toBe(' M e.txt\n?? f.txt\n');
    expectFailure(gt(dir, ['workspace', 'push']), 2, /GT_TOWN_URL is not set/);
  });

  it("the owner's token (the dashboard's) does more, and is not taken from a file others can read", () => {
    const away = join(base, 'away');
    const ownerFile = join(town, '.runtime', 'dashboard-token');
    const owner = { GT_TOWN_URL: serve.url, GT_TOWN_TOKEN: readFileSync(ownerFile, 'utf8').trim() };
    const rigs = gt(away, ['rig', 'list', '--json'], { env: owner });
    expect(rigs.code, rigs.stderr).toBe(0);
    expect(rigs.stdout).toBe(gt(town, ['rig', 'list', '--json']).stdout);
    chmodSync(ownerFile, 0o644);
    try {
      expectFailure(gt(away, ['rig', 'list'], { env: owner }), 1, /does not know this token/);
    } finally {
      chmodSync(ownerFile, 0o600);
    }
    expect(gt(away, ['rig', 'list'], { env: owner }).code).toBe(0);
  });
});
