// Landing through pull requests (merge_strategy "pr"), through the real gt CLI against the GitHub fake
// (testing/github): the rig's origin is a real bare repository served over smart HTTP by git http-backend, the PR's
// head and base are real refs, and a merge writes a real commit onto origin's main. The test plays CI and the
// reviewers through GitHub's own API: it turns a check red, requests changes, approves, closes a PR.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBead, getBead, updateBead } from '../src/beads/index.ts';
import { loadTown, openTownStore } from '../src/town/index.ts';
import { insertPolecat } from '../src/work/polecats/index.ts';
import { createTmux } from '../src/tmux/index.ts';
import { createDashboard } from '../src/dashboard/index.ts';
import { spawnFakeGitHub, type FakeGitHubProcess } from '../testing/github/index.ts';
import { cleanEnv } from './support/bd.ts';
import { addFakeAgent, FAKE_TUI, git, gt, gtJson, tempDir } from './support/gt.ts';

const BOT = 'gt-token';
const ALICE = 'alice-token';
const CI = 'ci-token';
const ACTIONS = 'actions-token';
const SOCKET = `gt-test-refinery-pr-${process.pid}`;
// The longest flows run a dozen gt calls: on a loaded machine they outgrow the suite's default 120 s.

interface Outcome {
  mr: string;
  bead: string;
  status: string;
  pr?: number;
  url?: string;
  rework_bead?: string;
  detail?: string;
  check?: string;
  commit?: string;
  reason?: string;
}
interface RunJson {
  status: string;
  message?: string;
  hint?: string;
  outcomes: Outcome[];
}
interface MqRow {
  id: string;
  bead: string;
  status: string;
  failure: string | null;
  rework_bead: string | null;
  pull_request: { number: number; url: string; state: string; detail: string | null } | null;
}
interface Pull {
  number: number;
  state: string;
  merged: boolean;
  head: { sha: string; ref: string };
  body: string;
  title: string;
  merge_commit_sha: string | null;
}

describe('the refinery on GitHub (merge_strategy "pr")', () => {
  let base = '';
  let town = '';
  let gh: FakeGitHubProcess;
  let cleanup = (): void => {};
  let n = 0;
  const env = (): Record<string, string> => ({ GITHUB_TOKEN: BOT });
  const origin = (): string => join(gh.root, 'acme', 'app.git');
  const withStore = <T>(fn: (s: ReturnType<typeof openTownStore>) => T): T => {
    const s = openTownStore(loadTown(town, cleanEnv()));
    try {
      return fn(s);
    } finally {
      s.close();
    }
  };
  const setRig = (patch: Record<string, unknown>): void => {
    const path = join(town, 'app', 'rig.json');
    const cfg = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    writeFileSync(path, JSON.stringify({ ...cfg, ...patch }, null, 2));
  };
  /** A polecat with a hooked bead that commits `files` and runs `gt done`, as the agent would. */
  const work = (
    title: string,
    files: Record<string, string>,
    description = '',
  ): { bead: string; mr: string; head: string; wt: string } => {
    n++;
    const name = `p${n}`;
    const bead = withStore((s) => createBead(s, { title, description }).id);
    const wt = join(town, 'app', 'polecats', name);
    const branch = `polecat/${name}/${bead}`;
    git(join(town, 'app', '.repo.git'), ['worktree', 'add', '-q', '-b', branch, wt, 'main']);
    const baseCommit = git(wt, ['rev-parse', 'HEAD']).trim();
    withStore((s) => {
      insertPolecat(s, {
        rig: 'app',
        name,
        worktree: wt,
        state: 'working',
        bead,
        branch,
        base: baseCommit,
        hook_state: 'active',
        agent: 'sim',
      });
      updateBead(s, bead, { status: 'hooked', assignee: `app/${name}` });
    });
    for (const [p, text] of Object.entries(files)) writeFileSync(join(wt, p), text);
    const d = gtJson<{ outcome: string; mr: string; head: string }>(wt, ['done'], {
      env: { GT_ADDRESS: `app/${name}` },
    });
    expect(d.outcome).toBe('enqueued');
    return { bead, mr: d.mr, head: d.head, wt };
  };
  /** A polecat that takes the rework bead, merges the failed request's branch first (as the rework text says), commits `files`, gt done. */
  const doRework = (reworkBead: string, files: Record<string, string>): { mr: string; head: string } => {
    const b = withStore((s) => getBead(s.db, reworkBead)!);
    const from = String(b.metadata!.branch);
    expect(b.description).toContain(`git merge ${from}`);
    n++;
    const name = `p${n}`;
    const wt = join(town, 'app', 'polecats', name);
    const branch = `polecat/${name}/${reworkBead}`;
    git(join(town, 'app', '.repo.git'), ['worktree', 'add', '-q', '-b', branch, wt, 'main']);
    git(wt, ['-c', 'user.name=P', '-c', 'user.email=p@x', 'merge', '-q', '--no-edit', from]);
    withStore((s) => {
      insertPolecat(s, {
        rig: 'app',
        name,
        worktree: wt,
        state: 'working',
        bead: reworkBead,
        branch,
        base: git(wt, ['rev-parse', 'main']).trim(),
        hook_state: 'active',
        agent: 'sim',
      });
      updateBead(s, reworkBead, { status: 'hooked', assignee: `app/${name}` });
    });
    for (const [p, text] of Object.entries(files)) writeFileSync(join(wt, p), text);
    const d = gtJson<{ outcome: string; mr: string; head: string }>(wt, ['done'], {
      env: { GT_ADDRESS: `app/${name}` },
    });
    expect(d.outcome).toBe('enqueued');
    return { mr: d.mr, head: d.head };
  };
  const run = (): RunJson => gtJson<RunJson>(town, ['refinery', 'run', 'app', '--no-sling'], { env: env() });
  const pull = async (num: number): Promise<Pull> =>
    (await gh.call<Pull>('GET', `/repos/acme/app/pulls/${num}`, undefined, ALICE)).data;
  const check = async (
    sha: string,
    name: string,
    conclusion: string | null,
    output: Record<string, string> = {},
  ): Promise<void> => {
    const r = await gh.call(
      'POST',
      '/repos/acme/app/check-runs',
      {
        name,
        head_sha: sha,
        ...(conclusion ? { status: 'completed', conclusion } : { status: 'in_progress' }),
        output,
      },
      CI,
    );
    expect(r.status).toBe(201);
  };
  const mq = (): MqRow[] => gtJson<MqRow[]>(town, ['mq', 'list']);

  beforeAll(async () => {
    const t = tempDir('gt refinery pr');
    base = t.dir;
    cleanup = t.cleanup;
    gh = await spawnFakeGitHub(
      join(base, 'github'),
      { [BOT]: 'gt-bot', [ALICE]: 'alice', [CI]: 'ci-bot', [ACTIONS]: 'github-actions' },
      ['gt-bot', 'alice'],
    );
    await gh.call('POST', '/_fake/repos', { full_name: 'acme/app', default_branch: 'main' });
    // The project's first commit reaches "GitHub" over smart HTTP, as a clone of theirs would push it.
    const src = join(base, 'src');
    git(base, ['init', '-q', '-b', 'main', src]);
    writeFileSync(join(src, 'a.txt'), 'line one\nline two\n');
    git(src, ['add', '-A']);
    git(src, ['-c', 'user.name=S', '-c', 'user.email=s@x', 'commit', '-q', '-m', 'first']);
    git(src, ['push', '-q', `${gh.url}/acme/app.git`, 'main']);
    // main is protected: the check "ci" is required, and pushes to main are refused.
    const p = await gh.call(
      'PUT',
      '/repos/acme/app/branches/main/protection',
      {
        required_status_checks: { strict: false, contexts: ['ci'] },
        enforce_admins: false,
        required_pull_request_reviews: null,
        restrictions: null,
      },
      ALICE,
    );
    expect(p.status).toBe(200);
    town = join(base, 'town');
    gtJson(base, ['install', town]);
    gtJson(town, ['rig', 'add', 'app', `${gh.url}/acme/app.git`]);
    setRig({ merge_strategy: 'pr', pr: { api_url: gh.url, poll_seconds: 1 } });
  });
  afterAll(async () => {
    await createTmux({ socket: SOCKET }).killServer();
    await gh?.stop();
    cleanup();
  });

  it('opens a PR after gt done, waits for the required check, merges it through the API, closes the bead "merged <sha> via #N" and fetches main', async () => {
    const w = work('Add b', { 'b.txt': 'b\n' }, 'Adds the b file.');
    const convoy = gtJson<{ id: string }>(town, ['convoy', 'create', 'Letters', w.bead]).id;
    const first = run();
    expect(first.status).toBe('done');
    const opened = first.outcomes.find((o) => o.status === 'pr-opened')!;
    expect(opened).toMatchObject({ mr: w.mr, bead: w.bead, pr: 1 });
    // The branch is on GitHub (a real ref in the bare repository) and the PR tells reviewers what it is.
    expect(git(origin(), ['rev-parse', `refs/heads/polecat/p${n}/${w.bead}`]).trim()).toBe(w.head);
    const pr = await pull(1);
    expect(pr).toMatchObject({ title: 'Add b', state: 'open', head: { sha: w.head } });
    expect(pr.body).toContain('Adds the b file.');
    expect(pr.body).toContain(`Bead: ${w.bead}`);
    expect(pr.body).toMatch(/Gates passed locally:\n- \(the rig has no gates\)/);
    expect(pr.body).toContain(`Convoy: ${convoy} (Letters)`);
    // Recorded on the merge request: gt mq list shows the PR and what the refinery waits for.
    const row = mq().find((m) => m.id === w.mr)!;
    expect(row.pull_request).toMatchObject({ number: 1, url: 'https://github.test/acme/app/pull/1', state: 'open' });
    expect(gt(town, ['mq', 'list']).stdout).toContain('PR #1 open');
    expect(withStore((s) => getBead(s.db, w.bead)!.external_ref)).toBe('https://github.test/acme/app/pull/1');

    // No check yet: "ci" is required by the branch protection, so the refinery waits (and says so) although its
    // token is an administrator's, whom GitHub would let merge past the protection (gh pr merge --admin).
    const waiting = run();
    expect(waiting.outcomes).toEqual([
      expect.objectContaining({
        status: 'pr-waiting',
        pr: 1,
        detail: expect.stringMatching(/blocked by branch protection/),
      }),
    ]);
    expect((await pull(1)).merged).toBe(false);
    expect(gt(town, ['mq', 'list']).stdout).toContain('PR #1 open (blocked by branch protection');
    expect(gt(town, ['convoy', 'show', convoy]).stdout).toContain('PR #1 open https://github.test/acme/app/pull/1');
    expect(gt(town, ['status']).stdout).toContain('PR #1 open (blocked by branch protection');
    expect(
      gtJson<{ rigs: { pull_requests: { number: number; mr: string }[] }[] }>(town, ['status']).rigs[0]!.pull_requests,
    ).toEqual([expect.objectContaining({ number: 1, mr: w.mr })]);

    await check(w.head, 'ci', 'success');
    const merged = run();
    const m = merged.outcomes.find((o) => o.status === 'merged')!;
    expect(m).toMatchObject({ mr: w.mr, pr: 1 });
    const pr2 = await pull(1);
    expect(pr2.merged).toBe(true);
    // GitHub's main has the real squash commit; the rig fetched it; the bead says how it landed.
    const mainOnGithub = git(origin(), ['rev-parse', 'main']).trim();
    expect(m.commit).toBe(mainOnGithub);
    expect(git(origin(), ['show', `${mainOnGithub}:b.txt`])).toBe('b\n');
    expect(git(join(town, 'app', '.repo.git'), ['rev-parse', 'main']).trim()).toBe(mainOnGithub);
    const bead = withStore((s) => getBead(s.db, w.bead)!);
    expect(bead.status).toBe('closed');
    expect(bead.close_reason).toBe(`merged ${mainOnGithub} via #1`);
    expect(mq().find((x) => x.id === w.mr)).toMatchObject({
      status: 'merged',
      pull_request: { number: 1, state: 'merged' },
    });
    // The convoy counts the bead as merged.
    const cv = gtJson<{
      landed: number;
      total: number;
      tracked: { id: string; state: string; pull_request: { number: number } | null }[];
    }>(town, ['convoy', 'show', convoy]);
    expect(cv).toMatchObject({ landed: 1, total: 1 });
    expect(cv.tracked[0]).toMatchObject({ id: w.bead, state: 'merged', pull_request: { number: 1 } });
    // The dashboard's queue data carries the PR too.
    const dash = createDashboard(loadTown(town, cleanEnv()), { heartbeatMs: 15_000 });
    try {
      const q = (await (
        await dash.app.request('/api/queue', { headers: { authorization: `Bearer ${dash.token}` } })
      ).json()) as { rigs: { recent: { id: string; pull_request: unknown }[] }[] };
      expect(q.rigs[0]!.recent).toContainEqual(
        expect.objectContaining({
          id: w.mr,
          pull_request: expect.objectContaining({ number: 1, url: 'https://github.test/acme/app/pull/1' }),
        }),
      );
    } finally {
      dash.close();
    }
  }, 300_000);

  it('a red check and a request for changes come back as rework beads carrying the log and each comment, land on the same branch and PR, and the approved PR merges', async () => {
    const w = work('Add c', { 'c.txt': 'c\n' });
    const opened = run().outcomes.find((o) => o.status === 'pr-opened')!;
    const num = opened.pr!;
    const prBranch = (await pull(num)).head.ref;
    // CI is a GitHub Actions job: its check run says little, its log says what failed.
    const log = [
      '2026-12-06T08:00:00.0000000Z ##[group]Run npm test',
      ...Array.from({ length: 300 }, (_, i) => `2026-12-06T08:00:01.0000000Z ok ${i} something passed`),
      '2026-12-06T08:00:02.0000000Z FAIL test/c.test.ts > c is uppercase',
      '2026-12-06T08:00:02.1000000Z expected "c" to be "C"',
      '2026-12-06T08:00:03.0000000Z ##[error]Process completed with exit code 1.',
    ].join('\n');
    expect(
      (
        await gh.call(
          'POST',
          '/repos/acme/app/check-runs',
          {
            name: 'ci',
            head_sha: w.head,
            status: 'completed',
            conclusion: 'failure',
            output: { title: 'tests failed', summary: '1 failing' },
            log,
          },
          ACTIONS,
        )
      ).status,
    ).toBe(201);
    const red = run();
    const failed = red.outcomes.find((o) => o.status === 'check-failed')!;
    expect(failed).toMatchObject({ mr: w.mr, pr: num, check: 'ci' });
    const rework1 = withStore((s) => getBead(s.db, failed.rework_bead!)!);
    expect(rework1.title).toContain(`check "ci" failure on PR #${num}`);
    expect(rework1.description).toContain('tests failed');
    expect(rework1.description).toContain(
      'FAIL test/c.test.ts > c is uppercase\nexpected "c" to be "C"\n##[error]Process completed with exit code 1.',
    );
    expect(rework1.description).not.toContain('2026-12-06T08:00:02'); // the log's timestamps are cut
    expect(rework1.description).not.toContain('ok 0 something passed'); // only the end of a long log
    expect(rework1.description).toContain(`Its branch is \`${prBranch}\``);
    expect(mq().find((m) => m.id === w.mr)).toMatchObject({ status: 'failed', rework_bead: rework1.id });
    // Looking again does not make a second rework bead for the same red check.
    expect(run().outcomes.filter((o) => o.status === 'check-failed')).toEqual([]);

    // The rework lands on the same branch and the same PR; a new head means new checks.
    const fix1 = doRework(rework1.id, { 'c.txt': 'C\n' });
    const again = run();
    expect(again.outcomes.find((o) => o.status === 'pr-opened')).toMatchObject({ mr: fix1.mr, pr: num });
    const pr = await pull(num);
    expect(pr.head).toMatchObject({ ref: prBranch, sha: fix1.head });
    expect(
      (await gh.call<{ number: number }[]>('GET', '/repos/acme/app/pulls?state=all', undefined, ALICE)).data,
    ).toHaveLength(num);
    await check(fix1.head, 'ci', 'success');

    // A reviewer asks for changes with two line comments: one rework bead lists both, with file:line.
    const review = await gh.call(
      'POST',
      `/repos/acme/app/pulls/${num}/reviews`,
      {
        event: 'REQUEST_CHANGES',
        body: 'Two things.',
        comments: [
          { path: 'c.txt', line: 1, body: 'Use a lowercase c after all.' },
          { path: 'a.txt', line: 2, body: 'Mention c here.' },
        ],
      },
      ALICE,
    );
    expect(review.status).toBe(200);
    const changes = run().outcomes.find((o) => o.status === 'changes-requested')!;
    expect(changes).toMatchObject({ mr: fix1.mr, pr: num });
    const rework2 = withStore((s) => getBead(s.db, changes.rework_bead!)!);
    expect(rework2.description).toContain('c.txt:1 — alice: Use a lowercase c after all.');
    expect(rework2.description).toContain('a.txt:2 — alice: Mention c here.');
    expect(rework2.description).toContain('Two things.');

    const fix2 = doRework(rework2.id, { 'c.txt': 'c\n', 'a.txt': 'line one\nline two, and c\n' });
    const pushed = run();
    expect(pushed.outcomes.find((o) => o.status === 'pr-opened')).toMatchObject({ mr: fix2.mr, pr: num });
    await check(fix2.head, 'ci', 'success');
    // Checks green, but alice's request for changes stands until she approves: no merge.
    expect(run().outcomes).toContainEqual(
      expect.objectContaining({ status: 'pr-waiting', detail: expect.stringContaining('changes requested by alice') }),
    );
    expect((await pull(num)).merged).toBe(false);
    await gh.call('POST', `/repos/acme/app/pulls/${num}/reviews`, { event: 'APPROVE' }, ALICE);
    const done = run().outcomes.find((o) => o.status === 'merged')!;
    expect(done).toMatchObject({ mr: fix2.mr, pr: num });
    expect(git(origin(), ['show', 'main:a.txt'])).toBe('line one\nline two, and c\n');
    // The original bead and both rework beads are closed by the one merge.
    for (const id of [w.bead, rework1.id, rework2.id]) {
      expect(withStore((s) => getBead(s.db, id)!)).toMatchObject({
        status: 'closed',
        close_reason: expect.stringMatching(new RegExp(`^merged ${done.commit} via #${num}`)),
      });
    }
  }, 300_000);

  /** Someone lands a commit on GitHub's main outside any PR (an administrator bypassing the hook). */
  const landOnMain = (files: Record<string, string>, message: string): void => {
    const c = join(base, `outside ${++n}`);
    git(base, ['clone', '-q', origin(), c]);
    for (const [p, text] of Object.entries(files)) writeFileSync(join(c, p), text);
    git(c, ['add', '-A']);
    git(c, ['-c', 'user.name=O', '-c', 'user.email=o@x', 'commit', '-q', '-m', message]);
    const r = spawnSync('git', ['push', '-q', 'origin', 'main'], {
      cwd: c,
      env: { ...cleanEnv(), GH_FAKE_BYPASS: '1' },
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
  };

  it('a conflict with the base comes back as rework naming the file; a PR closed by a person reopens the bead with the reason and marks the request', async () => {
    const w = work('Reword line one', { 'a.txt': 'LINE ONE\nline two\n' });
    const num = run().outcomes.find((o) => o.status === 'pr-opened')!.pr!;
    landOnMain({ 'a.txt': 'line 1\nline two\n' }, 'someone else rewords line one');
    await pull(num); // GitHub computes mergeability after a change of base in the background
    const c = run().outcomes.find((o) => o.status === 'conflict')!;
    expect(c).toMatchObject({ mr: w.mr, pr: num, files: ['a.txt'] });
    const rework = withStore((s) => getBead(s.db, c.rework_bead!)!);
    expect(rework.description).toContain('- a.txt');
    expect(rework.description).toContain(`Pull request #${num}`);

    // A person closes the PR with a comment: the request is rejected with that reason and the beads are open again.
    await gh.call(
      'POST',
      `/repos/acme/app/issues/${num}/comments`,
      { body: 'We do not want this after all: line one stays as it is.' },
      ALICE,
    );
    expect((await gh.call('PATCH', `/repos/acme/app/pulls/${num}`, { state: 'closed' }, ALICE)).status).toBe(200);
    const closed = run().outcomes.find((o) => o.status === 'pr-closed')!;
    expect(closed.reason).toBe(
      `PR #${num} was closed without merging by alice: We do not want this after all: line one stays as it is.`,
    );
    const bead = withStore((s) => getBead(s.db, w.bead)!);
    expect(bead).toMatchObject({ status: 'open', assignee: null });
    expect(bead.notes).toContain('closed without merging by alice');
    expect(mq().find((m) => m.id === w.mr)).toMatchObject({
      status: 'rejected',
      failure: closed.reason,
      pull_request: { number: num, state: 'closed' },
    });
    // Nothing more happens to a closed PR.
    expect(run().outcomes).toEqual([]);
  });

  it("auto_merge asks GitHub to merge once its checks pass, and merge_queue puts the green PR in GitHub's merge queue", async () => {
    setRig({
      merge_strategy: 'pr',
      pr: { api_url: gh.url, poll_seconds: 1, auto_merge: true, merge_method: 'rebase' },
    });
    const a = work('Add d', { 'd.txt': 'd\n' });
    const numA = run().outcomes.find((o) => o.status === 'pr-opened')!.pr!;
    // The refinery asked for auto-merge at its first look; GitHub merges when "ci" turns green, not before.
    expect(run().outcomes).toContainEqual(
      expect.objectContaining({
        mr: a.mr,
        status: 'pr-waiting',
        detail: expect.stringContaining('auto-merge enabled'),
      }),
    );
    expect((await pull(numA)).merged).toBe(false);
    await check(a.head, 'ci', 'success');
    const pa = await pull(numA);
    expect(pa.merged).toBe(true);
    // A rebase merge: d.txt's commit is replayed onto main with the polecat as author.
    expect(git(origin(), ['log', '-1', '--format=%an%n%s', 'main'])).toContain('app/p');
    const landedA = run().outcomes.find((o) => o.status === 'merged')!;
    expect(landedA).toMatchObject({ mr: a.mr, pr: numA, commit: pa.merge_commit_sha });
    expect(withStore((s) => getBead(s.db, a.bead)!.close_reason)).toBe(`merged ${pa.merge_commit_sha} via #${numA}`);

    await gh.call('PATCH', '/_fake/repos/acme/app', { merge_queue: ['main'] });
    setRig({ merge_strategy: 'pr', pr: { api_url: gh.url, poll_seconds: 1, merge_queue: true } });
    const b = work('Add e', { 'e.txt': 'e\n' });
    const numB = run().outcomes.find((o) => o.status === 'pr-opened')!.pr!;
    await check(b.head, 'ci', 'success');
    const q = run().outcomes;
    expect(q).toContainEqual(expect.objectContaining({ mr: b.mr, status: 'pr-queued', pr: numB }));
    expect(q).toContainEqual(expect.objectContaining({ mr: b.mr, status: 'merged', pr: numB }));
    expect(git(origin(), ['show', 'main:e.txt'])).toBe('e\n');
    // The queue was used: the API merge was never called for it (GitHub refuses it on a queue branch anyway).
    const log = (await gh.call<{ method: string; path: string }[]>('GET', '/_fake/log')).data;
    expect(log.filter((l) => l.method === 'PUT' && l.path === `/repos/acme/app/pulls/${numB}/merge`)).toEqual([]);
    await gh.call('PATCH', '/_fake/repos/acme/app', { merge_queue: [] });
    setRig({ merge_strategy: 'pr', pr: { api_url: gh.url, poll_seconds: 1 } });
  }, 300_000);

  it('gt sling --merge pr lands through a PR in a rig whose strategy is mr, and the polecat starts without GitHub credentials', async () => {
    setRig({ merge_strategy: 'mr', pr: { api_url: gh.url, poll_seconds: 1 } });
    addFakeAgent(town, base, { settings: { role_agents: { polecat: 'fake' } } });
    // The fake agent also writes the environment it was started with.
    writeFileSync(
      join(base, 'fake agent.sh'),
      `#!/bin/sh\nenv > "$GT_AGENT_LOG_DIR/$GT_SESSION.env"\nexec '${process.execPath}' '${FAKE_TUI}' --log "$GT_AGENT_LOG_DIR/$GT_SESSION.log"\n`,
      { mode: 0o755 },
    );
    const bead = withStore((s) => createBead(s, { title: 'Add f', prefix: 'app' }).id);
    const slung = gtJson<{ results: { status: string; address?: string }[] }>(
      town,
      ['sling', bead, 'app', '--merge', 'pr'],
      { env: { GT_TMUX_SOCKET: SOCKET, GITHUB_TOKEN: BOT, GH_TOKEN: BOT } },
    );
    expect(slung.results[0]).toMatchObject({ status: 'started' });
    const p = gtJson<{ name: string; bead: string | null; worktree: string }[]>(town, ['polecat', 'list'], {
      env: { GT_TMUX_SOCKET: SOCKET },
    }).find((x) => x.bead === bead)!;
    const envFile = readdirEnv(base);
    const agentEnv = Object.fromEntries(
      readFileSync(envFile, 'utf8')
        .split('\n')
        .filter((l) => l.includes('='))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    expect(agentEnv.GITHUB_TOKEN).toBe('');
    expect(agentEnv.GH_TOKEN).toBe('');
    expect(agentEnv.GH_CONFIG_DIR).toContain('no-forge-credentials');
    writeFileSync(join(p.worktree, 'f.txt'), 'f\n');
    expect(
      gtJson<{ outcome: string }>(p.worktree, ['done'], {
        env: { GT_ADDRESS: `app/${p.name}`, GT_TMUX_SOCKET: SOCKET },
      }).outcome,
    ).toBe('enqueued');
    const r = run();
    expect(r.outcomes).toContainEqual(expect.objectContaining({ bead, status: 'pr-opened' }));
    setRig({ merge_strategy: 'pr', pr: { api_url: gh.url, poll_seconds: 1 } });
  });

  it('pushes to a fork with pr.remote and opens the PR as <fork owner>:<branch>; a spent rate limit stops the run with its reset time and loses nothing', async () => {
    await gh.call('POST', '/_fake/repos', { full_name: 'gt-bot/app' });
    git(join(town, 'app', '.repo.git'), ['remote', 'add', 'fork', `${gh.url}/gt-bot/app.git`]);
    setRig({ merge_strategy: 'pr', pr: { api_url: gh.url, poll_seconds: 1, remote: 'fork' } });
    const w = work('Add g', { 'g.txt': 'g\n' });
    const opened = run().outcomes.find((o) => o.status === 'pr-opened')!;
    const pr = (
      await gh.call<{ head: { label: string; sha: string; repo: { full_name: string } } }>(
        'GET',
        `/repos/acme/app/pulls/${opened.pr}`,
        undefined,
        ALICE,
      )
    ).data;
    expect(pr.head).toMatchObject({
      label: `gt-bot:polecat/p${n}/${w.bead}`,
      sha: w.head,
      repo: { full_name: 'gt-bot/app' },
    });
    // The branch went to the fork, not to acme/app.
    expect(git(join(gh.root, 'gt-bot', 'app.git'), ['rev-parse', `refs/heads/polecat/p${n}/${w.bead}`]).trim()).toBe(
      w.head,
    );
    expect(
      spawnSync('git', ['rev-parse', '--verify', '--quiet', `refs/heads/polecat/p${n}/${w.bead}`], { cwd: origin() })
        .status,
    ).not.toBe(0);

    // GitHub's limit is spent for an hour: the run stops with the reset time; the PR is still followed afterwards.
    await gh.call('POST', '/_fake/rate-limit', { remaining: 0, reset_in_s: 3600 });
    const limited = gt(town, ['refinery', 'run', 'app'], { env: env() });
    expect(limited.code).toBe(1);
    expect(limited.stderr).toMatch(/rate limit reached .* it resets at 20\d\d-/);
    expect(limited.stderr).toMatch(/Hint: the refinery tries again after the reset/);
    await gh.call('POST', '/_fake/rate-limit', { remaining: 5000 });
    await check(w.head, 'ci', 'success');
    const merged = run().outcomes.find((o) => o.status === 'merged')!;
    expect(merged).toMatchObject({ mr: w.mr, pr: opened.pr });
    expect(git(origin(), ['show', 'main:g.txt'])).toBe('g\n');
    setRig({ merge_strategy: 'pr', pr: { api_url: gh.url, poll_seconds: 1 } });
  });
});

function readdirEnv(dir: string): string {
  for (let i = 0; i < 100; i++) {
    const f = readdirSync(dir).find((x) => x.endsWith('.env'));
    if (f) return join(dir, f);
    spawnSync('sleep', ['0.1']);
  }
  throw new Error('the agent wrote no environment');
}
