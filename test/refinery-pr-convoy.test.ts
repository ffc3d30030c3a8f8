// A convoy of three beads lands through pull requests (issue 17's whole loop), through the real gt CLI against the
// GitHub fake: B waits for A and C for B; each bead is worked only once the one before it has merged; A's PR merges
// at once, B's after a red check came back as rework on the same PR, C's after a reviewer's requested changes came
// back as rework and the reviewer approved. GitHub's main then has the three landings in dependency order, and the
// convoy closes and mails its owner. On the way, the dashboard (in Chromium) draws each request's and each tracked
// bead's PR: its number linking to GitHub, its state and what the refinery waits for.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBead, getBead, updateBead } from '../src/beads/index.ts';
import { serveDashboard } from '../src/dashboard/index.ts';
import { loadTown, openTownStore } from '../src/town/index.ts';
import { insertPolecat } from '../src/work/polecats/index.ts';
import { spawnFakeGitHub, type FakeGitHubProcess } from '../testing/github/index.ts';
import { cleanEnv } from './support/bd.ts';
import { launchChromium } from './support/chromium.ts';
import { git, gt, gtJson, tempDir } from './support/gt.ts';

const BOT = 'gt-token';
const ALICE = 'alice-token';
const CI = 'ci-token';
const SHOTS = resolve(import.meta.dirname, 'screenshots');

interface Outcome {
  mr: string;
  bead: string;
  status: string;
  pr?: number;
  rework_bead?: string;
  commit?: string;
}
interface RunJson {
  status: string;
  outcomes: Outcome[];
}

describe('a convoy of three beads lands through pull requests, in dependency order', () => {
  let base = '';
  let town = '';
  let gh: FakeGitHubProcess;
  let cleanup = (): void => {};
  let n = 0;
  const origin = (): string => join(gh.root, 'acme', 'app.git');
  const withStore = <T>(fn: (s: ReturnType<typeof openTownStore>) => T): T => {
    const s = openTownStore(loadTown(town, cleanEnv()));
    try {
      return fn(s);
    } finally {
      s.close();
    }
  };
  /** A polecat takes `bead` (from main, merging `from` first for a rework, as its text says), commits `files`, gt done. */
  const polecat = (bead: string, files: Record<string, string>, from?: string): { mr: string; head: string } => {
    const name = `p${++n}`;
    const wt = join(town, 'app', 'polecats', name);
    const branch = `polecat/${name}/${bead}`;
    git(join(town, 'app', '.repo.git'), ['worktree', 'add', '-q', '-b', branch, wt, 'main']);
    if (from) git(wt, ['-c', 'user.name=P', '-c', 'user.email=p@x', 'merge', '-q', '--no-edit', from]);
    withStore((s) => {
      insertPolecat(s, {
        rig: 'app',
        name,
        worktree: wt,
        state: 'working',
        bead,
        branch,
        base: git(wt, ['rev-parse', 'main']).trim(),
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
    return { mr: d.mr, head: d.head };
  };
  const rework = (reworkBead: string, files: Record<string, string>): { mr: string; head: string } => {
    const b = withStore((s) => getBead(s.db, reworkBead)!);
    return polecat(reworkBead, files, String(b.metadata!.branch));
  };
  const run = (): Outcome[] =>
    gtJson<RunJson>(town, ['refinery', 'run', 'app', '--no-sling'], { env: { GITHUB_TOKEN: BOT } }).outcomes;
  const check = async (sha: string, conclusion: string, output: Record<string, string> = {}): Promise<void> => {
    expect(
      (
        await gh.call(
          'POST',
          '/repos/acme/app/check-runs',
          { name: 'ci', head_sha: sha, status: 'completed', conclusion, output },
          CI,
        )
      ).status,
    ).toBe(201);
  };
  /** The town's dashboard in Chromium (served in this process: no gt call runs meanwhile). */
  const onTheDashboard = async (fn: (page: Page) => Promise<void>): Promise<void> => {
    const dash = await serveDashboard(loadTown(town, cleanEnv()), { port: 0 });
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(dash.openUrl);
      await fn(page);
    } finally {
      await browser.close();
      await dash.close();
    }
  };
  const ready = (): string[] => gtJson<{ id: string }[]>(town, ['bd', 'ready']).map((b) => b.id);

  beforeAll(async () => {
    const t = tempDir('gt pr convoy');
    base = t.dir;
    cleanup = t.cleanup;
    gh = await spawnFakeGitHub(join(base, 'github'), { [BOT]: 'gt-bot', [ALICE]: 'alice', [CI]: 'ci-bot' });
    await gh.call('POST', '/_fake/repos', { full_name: 'acme/app' });
    const src = join(base, 'src');
    git(base, ['init', '-q', '-b', 'main', src]);
    writeFileSync(join(src, 'a.txt'), 'a\n');
    git(src, ['add', '-A']);
    git(src, ['-c', 'user.name=S', '-c', 'user.email=s@x', 'commit', '-q', '-m', 'first']);
    git(src, ['push', '-q', `${gh.url}/acme/app.git`, 'main']);
    town = join(base, 'town');
    gtJson(base, ['install', town]);
    gtJson(town, ['rig', 'add', 'app', `${gh.url}/acme/app.git`]);
    const path = join(town, 'app', 'rig.json');
    writeFileSync(
      path,
      JSON.stringify(
        {
          ...(JSON.parse(readFileSync(path, 'utf8')) as object),
          merge_strategy: 'pr',
          pr: { api_url: gh.url, poll_seconds: 1, required_checks: ['ci'] },
        },
        null,
        2,
      ),
    );
  });
  afterAll(async () => {
    await gh?.stop();
    cleanup();
  });

  it("opens, checks and merges A, then B (after a red check's rework), then C (after review comments' rework); the convoy lands and mails its owner", async () => {
    const [a, b, c] = withStore((s) =>
      ['Parser', 'Evaluator', 'REPL'].map(
        (title) => createBead(s, { title, description: `The ${title.toLowerCase()}.` }).id,
      ),
    );
    expect(gt(town, ['bd', 'dep', 'add', b!, a!]).code).toBe(0);
    expect(gt(town, ['bd', 'dep', 'add', c!, b!]).code).toBe(0);
    const convoy = gtJson<{ id: string }>(town, [
      'convoy',
      'create',
      'Calculator',
      a!,
      b!,
      c!,
      '--owner',
      'mayor',
      '--stage',
    ]).id;
    expect(ready()).toEqual(expect.arrayContaining([a]));
    expect(ready()).not.toEqual(expect.arrayContaining([b]));

    // A: opened, waits for ci, merged.
    const wa = polecat(a!, { 'parser.txt': 'parse\n' });
    const pa = run().find((o) => o.status === 'pr-opened')!.pr!;
    expect(ready()).not.toContain(b); // A is not merged yet: B still waits
    await check(wa.head, 'success');
    expect(run()).toContainEqual(expect.objectContaining({ bead: a, status: 'merged', pr: pa }));
    expect(ready()).toContain(b);
    expect(ready()).not.toContain(c);

    // B: a red check comes back as rework on the same PR; the rework turns it green and it merges.
    const wb = polecat(b!, { 'eval.txt': 'eval 1+1 = 3\n' });
    const pb = run().find((o) => o.status === 'pr-opened')!.pr!;
    await check(wb.head, 'failure', { title: 'wrong sum', summary: 'expected 2, got 3' });
    const red = run().find((o) => o.status === 'check-failed')!;
    expect(red).toMatchObject({ bead: b, pr: pb });
    expect(withStore((s) => getBead(s.db, red.rework_bead!)!.description)).toContain('expected 2, got 3');
    const fb = rework(red.rework_bead!, { 'eval.txt': 'eval 1+1 = 2\n' });
    expect(run()).toContainEqual(expect.objectContaining({ mr: fb.mr, status: 'pr-opened', pr: pb }));
    expect(ready()).not.toContain(c); // B's PR is still open
    await onTheDashboard(async (page) => {
      // The merge queue: B's rework request carries PR #pb (a link to GitHub), open, waiting for its required check;
      // B's own failed request still shows the PR it went through.
      const mine = page.locator(`#queue li.mr[data-mr="${fb.mr}"] .pr[data-pr="${pb}"]`);
      await mine.waitFor({ timeout: 15_000 });
      expect(await mine.locator('a.pr-link').getAttribute('href')).toBe(`https://github.test/acme/app/pull/${pb}`);
      expect(await mine.getAttribute('data-state')).toBe('open');
      expect(await mine.textContent()).toBe(`PR #${pb}openwaiting for check "ci"`);
      expect(await page.locator(`#queue li.mr[data-mr="${wb.mr}"] .pr`).getAttribute('data-pr')).toBe(String(pb));
      // The convoy: A merged through PR #pa, B in PR #pb, C not started.
      const card = page.locator(`article.convoy[data-id="${convoy}"]`);
      expect(await card.locator(`li[data-bead="${a}"] .pr`).getAttribute('data-state')).toBe('merged');
      expect(await card.locator(`li[data-bead="${a}"] a.pr-link`).textContent()).toBe(`PR #${pa}`);
      expect(await card.locator(`li[data-bead="${b}"] .pr`).getAttribute('data-pr')).toBe(String(pb));
      expect(await card.locator(`li[data-bead="${c}"] .pr`).count()).toBe(0);
      mkdirSync(SHOTS, { recursive: true });
      await page.locator('#convoys').screenshot({ path: join(SHOTS, 'pr-convoy-1280.png') });
      await page.locator('#queue').screenshot({ path: join(SHOTS, 'pr-queue-1280.png') });
    });
    await check(fb.head, 'success');
    expect(run()).toContainEqual(expect.objectContaining({ mr: fb.mr, status: 'merged', pr: pb }));
    expect(ready()).toContain(c);

    // C: green, but a reviewer requests changes with a line comment; the rework lands on the PR, she approves, it merges.
    const wc = polecat(c!, { 'repl.txt': 'prompt: >\n' });
    const pc = run().find((o) => o.status === 'pr-opened')!.pr!;
    await check(wc.head, 'success');
    expect(
      (
        await gh.call(
          'POST',
          `/repos/acme/app/pulls/${pc}/reviews`,
          {
            event: 'REQUEST_CHANGES',
            body: 'Almost.',
            comments: [{ path: 'repl.txt', line: 1, body: 'Use "calc> " as the prompt.' }],
          },
          ALICE,
        )
      ).status,
    ).toBe(200);
    const asked = run().find((o) => o.status === 'changes-requested')!;
    expect(withStore((s) => getBead(s.db, asked.rework_bead!)!.description)).toContain(
      'repl.txt:1 — alice: Use "calc> " as the prompt.',
    );
    const fc = rework(asked.rework_bead!, { 'repl.txt': 'prompt: calc>\n' });
    expect(run()).toContainEqual(expect.objectContaining({ mr: fc.mr, status: 'pr-opened', pr: pc }));
    await check(fc.head, 'success');
    await gh.call('POST', `/repos/acme/app/pulls/${pc}/reviews`, { event: 'APPROVE' }, ALICE);
    expect(run()).toContainEqual(expect.objectContaining({ mr: fc.mr, status: 'merged', pr: pc }));

    // GitHub's main has the three landings, in dependency order, with the reworked contents.
    expect(git(origin(), ['log', '--format=%s', 'main']).trim().split('\n')).toEqual([
      `REPL (#${pc})`,
      `Evaluator (#${pb})`,
      `Parser (#${pa})`,
      'first',
    ]);
    expect(git(origin(), ['show', 'main:eval.txt'])).toBe('eval 1+1 = 2\n');
    expect(git(origin(), ['show', 'main:repl.txt'])).toBe('prompt: calc>\n');
    for (const [id, pr] of [
      [a, pa],
      [b, pb],
      [c, pc],
    ] as const) {
      expect(withStore((s) => getBead(s.db, id!)!)).toMatchObject({
        status: 'closed',
        close_reason: expect.stringMatching(new RegExp(`^merged [0-9a-f]{40} via #${pr}( \\(rework [\\w-]+\\))?$`)),
      });
    }

    // The convoy has landed: it closes and its owner gets the landing mail.
    const refreshed = gtJson<{ landed?: { id: string; mailed: string[] }[] }>(town, ['convoy', 'refresh', convoy]);
    expect(JSON.stringify(refreshed)).toContain('mayor');
    const cv = gtJson<{
      status: string;
      landed: number;
      total: number;
      tracked: { id: string; state: string; pull_request: { number: number } | null }[];
    }>(town, ['convoy', 'show', convoy]);
    expect(cv).toMatchObject({ landed: 3, total: 3 });
    expect(cv.tracked.map((t) => [t.id, t.state, t.pull_request?.number])).toEqual([
      [a, 'merged', pa],
      [b, 'merged', pb],
      [c, 'merged', pc],
    ]);
    const inbox = gtJson<{ subject: string; body?: string }[]>(town, ['mail', 'inbox', 'mayor']);
    expect(inbox).toContainEqual(expect.objectContaining({ subject: '🚚 Convoy landed: Calculator' }));
  }, 240_000);
});
