// PR mode as users run it, built (bin/gt.js → dist/gt.cjs): gt done, then the daemon alone opens the PR, follows it
// at the rig's polling interval, and merges it once the required check is green; the bead closes "merged <sha> via #N".
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBead, getBead, updateBead } from '../src/beads/index.ts';
import { loadTown, openTownStore } from '../src/town/index.ts';
import { createTmux } from '../src/tmux/index.ts';
import { insertPolecat } from '../src/work/polecats/index.ts';
import { listPrs } from '../src/refinery/pr-store.ts';
import { spawnFakeGitHub, type FakeGitHubProcess } from '../testing/github/index.ts';
import { cleanEnv } from './support/bd.ts';
import { git, tempDir } from './support/gt.ts';
import { gtBuilt, gtBuiltJson, requireFreshBuild } from './support/gt-built.ts';

const SOCKET = `gt-test-pr-built-${process.pid}`;

describe('PR mode, built', () => {
  let base = '';
  let town = '';
  let gh: FakeGitHubProcess;
  let cleanup = (): void => {};
  const env = { GITHUB_TOKEN: 'bot-token', GT_TMUX_SOCKET: SOCKET, GT_DAEMON_TICK_MS: '300' };
  const withStore = <T>(fn: (s: ReturnType<typeof openTownStore>) => T): T => {
    const s = openTownStore(loadTown(town, cleanEnv()));
    try {
      return fn(s);
    } finally {
      s.close();
    }
  };

  beforeAll(async () => {
    requireFreshBuild();
    const t = tempDir('gt pr built');
    base = t.dir;
    cleanup = t.cleanup;
    gh = await spawnFakeGitHub(join(base, 'github'), { 'bot-token': 'gt-bot', 'ci-token': 'ci' });
    await gh.call('POST', '/_fake/repos', { full_name: 'acme/app' });
    const src = join(base, 'src');
    git(base, ['init', '-q', '-b', 'main', src]);
    writeFileSync(join(src, 'a.txt'), 'a\n');
    git(src, ['add', '-A']);
    git(src, ['-c', 'user.name=S', '-c', 'user.email=s@x', 'commit', '-q', '-m', 'first']);
    git(src, ['push', '-q', `${gh.url}/acme/app.git`, 'main']);
    town = join(base, 'town');
    gtBuiltJson(base, ['install', town]);
    gtBuiltJson(town, ['rig', 'add', 'app', `${gh.url}/acme/app.git`]);
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
    gtBuilt(town, ['daemon', 'stop'], { env });
    await createTmux({ socket: SOCKET }).killServer();
    await gh?.stop();
    cleanup();
  });

  it('gt done, then the daemon opens the PR, waits for the required check, merges and closes the bead', async () => {
    const bead = withStore((s) => createBead(s, { title: 'Add b' }).id);
    const wt = join(town, 'app', 'polecats', 'nux');
    const branch = `polecat/nux/${bead}`;
    git(join(town, 'app', '.repo.git'), ['worktree', 'add', '-q', '-b', branch, wt, 'main']);
    withStore((s) => {
      insertPolecat(s, {
        rig: 'app',
        name: 'nux',
        worktree: wt,
        state: 'working',
        bead,
        branch,
        base: git(wt, ['rev-parse', 'HEAD']).trim(),
        hook_state: 'active',
        agent: 'sim',
      });
      updateBead(s, bead, { status: 'hooked', assignee: 'app/nux' });
    });
    writeFileSync(join(wt, 'b.txt'), 'b\n');
    const d = gtBuiltJson<{ outcome: string; mr: string; head: string }>(wt, ['done'], {
      env: { ...env, GT_ADDRESS: 'app/nux' },
    });
    expect(d.outcome).toBe('enqueued');
    expect(gtBuilt(town, ['daemon', 'start'], { env }).code).toBe(0);
    const until = async <T>(what: string, fn: () => Promise<T | undefined> | T | undefined): Promise<T> => {
      for (const deadline = Date.now() + 90_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 300))) {
        const v = await fn();
        if (v !== undefined) return v;
      }
      throw new Error(`timed out waiting for ${what}`);
    };
    const pr = await until(
      'the PR',
      async () =>
        (
          await gh.call<{ number: number; head: { sha: string } }[]>(
            'GET',
            '/repos/acme/app/pulls',
            undefined,
            'ci-token',
          )
        ).data[0],
    );
    expect(pr.head.sha).toBe(d.head);
    // The daemon keeps looking (conditional GETs) and merges nothing while "ci" has not reported.
    await until(
      'a wait',
      () =>
        withStore((s) => listPrs(s, 'app').find((x) => x.number === pr.number))?.detail?.includes('"ci"') || undefined,
    );
    expect(withStore((s) => getBead(s.db, bead)!.status)).toBe('in_progress');
    await gh.call(
      'POST',
      '/repos/acme/app/check-runs',
      { name: 'ci', head_sha: d.head, status: 'completed', conclusion: 'success' },
      'ci-token',
    );
    const closed = await until('the bead to close', () =>
      withStore((s) => {
        const b = getBead(s.db, bead)!;
        return b.status === 'closed' ? b : undefined;
      }),
    );
    const main = git(join(gh.root, 'acme', 'app.git'), ['rev-parse', 'main']).trim();
    expect(closed.close_reason).toBe(`merged ${main} via #${pr.number}`);
    const log = (await gh.call<{ method: string; path: string; status: number }[]>('GET', '/_fake/log')).data;
    expect(
      log.some((l) => l.method === 'GET' && l.path === `/repos/acme/app/pulls/${pr.number}` && l.status === 304),
    ).toBe(true);
    expect(gtBuilt(town, ['mq', 'list'], { env }).stdout).toContain(`PR #${pr.number} merged`);
  }, 180_000);
});
