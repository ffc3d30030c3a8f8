// gt mq status|next|submit as in Gas Town: a crew member submits a branch of their clone, the queue shows it in the
// order the refinery takes it, and one request reads in detail; garbage (unknown ids, rigs, flag-looking values) is refused.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitAll, expectFailure, git, gt, gtJson, sourceRepo, tempDir } from './support/gt.ts';

interface Submitted {
  mr: { id: string; status: string; priority: number; polecat: string | null };
  created: boolean;
  bead: string;
  branch: string;
  head: string;
  commits: number;
  rig: string;
}

describe('gt mq status, next and submit', () => {
  let base = '';
  let town = '';
  let clone = '';
  let cleanup = (): void => {};
  const bead = (title: string, priority = 2): string =>
    gtJson<{ id: string }>(join(town, 'app'), ['bd', 'create', title, '-p', String(priority)]).id;
  const work = (branch: string, file: string): string => {
    git(clone, ['switch', '-q', '-c', branch, 'main']);
    writeFileSync(join(clone, file), `${file}\n`);
    commitAll(clone, `work on ${file}`);
    return git(clone, ['rev-parse', 'HEAD']).trim();
  };

  beforeAll(() => {
    const t = tempDir('gt mq');
    base = t.dir;
    cleanup = t.cleanup;
    town = join(base, 'town');
    gtJson(base, ['install', town]);
    sourceRepo(join(base, 'app src'), 'main', { 'a.txt': 'a\n' });
    gtJson(town, ['rig', 'add', 'app', join(base, 'app src')]);
    gtJson(town, ['crew', 'add', 'me', '--rig', 'app']);
    clone = join(town, 'app', 'crew', 'me');
  }, 120_000);
  afterAll(() => cleanup());

  it("submits the checked-out branch for the bead it is named after, once; the rig's repository then holds the branch", () => {
    const id = bead('Fix the login');
    const head = work(`fix/${id}`, 'login.txt');
    const r = gtJson<Submitted>(clone, ['mq', 'submit']);
    expect(r).toMatchObject({
      created: true,
      bead: id,
      branch: `fix/${id}`,
      head,
      commits: 1,
      rig: 'app',
      mr: { status: 'queued', priority: 2, polecat: null },
    });
    expect(git(join(town, 'app', '.repo.git'), ['rev-parse', `refs/heads/fix/${id}`]).trim()).toBe(head);
    const again = gt(clone, ['mq', 'submit']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`was already submitted: ${r.mr.id} is queued`);
    expect(
      gtJson<{ id: string }[]>(town, ['mq', 'list', 'app', '--status', 'queued']).filter((m) => m.id === r.mr.id),
    ).toHaveLength(1);
  });

  it("refuses a branch the rig's repository holds with commits the clone lacks, and a detached HEAD, saying why", () => {
    const id = bead('Fix the logout');
    work(`fix/${id}`, 'logout.txt');
    expect(gtJson<Submitted>(clone, ['mq', 'submit']).created).toBe(true);
    // The clone's branch is rewritten: the repository's branch has a commit the clone no longer has.
    git(clone, ['reset', '-q', '--hard', 'HEAD~1']);
    writeFileSync(join(clone, 'logout.txt'), 'again\n');
    commitAll(clone, 'logout, again');
    const refused = gt(clone, ['mq', 'submit']);
    expectFailure(refused, 1, new RegExp(`the rig's repository refused fix/${id}: ! \\[rejected\\]`));
    expect(refused.stderr).toContain(`bring them in (git pull ${join(town, 'app', '.repo.git')} fix/${id})`);
    git(clone, ['switch', '-q', '--detach']);
    expectFailure(gt(clone, ['mq', 'submit']), 2, /HEAD is detached in .*crew\/me, so there is no branch to submit/);
    git(clone, ['switch', '-q', `fix/${id}`]);
  });

  it('next is the request the refinery takes first (better priority first); -q prints only its id; status shows one in detail', () => {
    const low = bead('Low priority work', 3);
    work(`chore/${low}`, 'low.txt');
    const lowMr = gtJson<Submitted>(clone, ['mq', 'submit']).mr.id;
    const urgent = bead('Urgent work', 3);
    work('hotfix', 'urgent.txt');
    const urgentMr = gtJson<Submitted>(clone, ['mq', 'submit', '--issue', urgent, '-p', '0']).mr.id;
    expect(gtJson<{ id: string; position: number }>(town, ['mq', 'next', 'app'])).toMatchObject({
      id: urgentMr,
      position: 1,
    });
    expect(gt(town, ['mq', 'next', 'app', '-q']).stdout).toBe(`${urgentMr}\n`);
    const st = gtJson<{
      id: string;
      bead: string;
      bead_title: string;
      status: string;
      position: number;
      events: { kind: string }[];
    }>(town, ['mq', 'status', lowMr]);
    expect(st).toMatchObject({ id: lowMr, bead: low, bead_title: 'Low priority work', status: 'queued' });
    expect(st.position).toBeGreaterThan(1);
    expect(st.events.map((e) => e.kind)).toContain('done.completed');
    const text = gt(town, ['mq', 'status', urgentMr]).stdout;
    expect(text).toMatch(new RegExp(`^${urgentMr} {2}queued \\(position 1 in the queue, P0\\)`));
    expect(text).toMatch(/bead: +\S+ Urgent work \(open\)/);
    // A rejected request leaves the queue: next moves on, status says why.
    gtJson(town, ['mq', 'reject', urgentMr, '-m', 'not now']);
    expect(gtJson<{ id: string }>(town, ['mq', 'next', 'app']).id).not.toBe(urgentMr);
    expect(gt(town, ['mq', 'status', urgentMr]).stdout).toMatch(/failure: +rejected: not now/);
  });

  it('an empty queue: next says so, and -q prints nothing', () => {
    sourceRepo(join(base, 'web src'), 'main', { 'w.txt': 'w\n' });
    gtJson(town, ['rig', 'add', 'web', join(base, 'web src')]);
    expect(gt(town, ['mq', 'next', 'web']).stdout).toBe('Nothing queued in web.\n');
    expect(gt(town, ['mq', 'next', 'web', '-q']).stdout).toBe('');
    expect(gtJson<null>(town, ['mq', 'next', 'web'])).toBeNull();
  });

  it('refuses garbage with the cause in one line: unknown ids and rigs, the default branch, no commits, no bead, bad flags', () => {
    expectFailure(gt(town, ['mq', 'status', 'mr-nope']), 2, /no merge request mr-nope/);
    expectFailure(gt(town, ['mq', 'next', 'nope']), 2, /no rig named "nope"/);
    expectFailure(
      gt(town, ['mq', 'list', 'app', '--status', 'bogus']),
      2,
      /--status "bogus" is not a merge request status/,
    );
    expectFailure(gt(town, ['mq', 'status']), 2, /missing required argument/);
    git(clone, ['switch', '-q', 'main']);
    expectFailure(gt(clone, ['mq', 'submit']), 2, /main is the rig's default branch/);
    git(clone, ['switch', '-q', '-c', 'empty-work', 'main']);
    expectFailure(
      gt(clone, ['mq', 'submit', '--issue', bead('Nothing yet')]),
      2,
      /empty-work has no commits that main lacks/,
    );
    expectFailure(gt(clone, ['mq', 'submit']), 2, /cannot tell which bead empty-work is for/);
    expectFailure(gt(clone, ['mq', 'submit', '--issue', 'app-nope']), 2, /no bead app-nope/);
    expectFailure(gt(clone, ['mq', 'submit', '--issue', '--branch']), 2, /no bead --branch|argument missing|option/);
    expectFailure(
      gt(clone, ['mq', 'submit', '--branch', 'no-such-branch', '--issue', 'app-nope']),
      2,
      /no branch "no-such-branch"/,
    );
    expectFailure(gt(clone, ['mq', 'submit', '-p', 'high']), 2, /--priority must be 0, 1, 2, 3 or 4, not "high"/);
    expectFailure(gt(town, ['mq', 'submit']), 2, /not inside a rig of this town/);
    const closed = bead('Already done');
    gtJson(town, ['bd', 'close', closed]);
    work(`fix/${closed}`, 'closed.txt');
    expectFailure(gt(clone, ['mq', 'submit']), 2, new RegExp(`${closed} \\("Already done"\\) is closed`));
  });
});
