// Work hooks end to end: snapshots of uncommitted and untracked work (the worktree and its index untouched),
// rollback, a worktree deleted by hand restored by gt hooks repair, unsling, and polecat gc never removing work.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTmux } from '../src/tmux/index.ts';
import { addFakeAgent, expectFailure, git, gt, gtJson, sourceRepo, tempDir } from './support/gt.ts';

const SOCKET = `gt-test-hooks-${process.pid}`;
const env = { GT_TMUX_SOCKET: SOCKET };

interface WorkHook {
  address: string;
  state: string;
  bead: string | null;
  branch: string;
  worktree: string;
  worktree_exists: boolean;
  last_snapshot: string | null;
}

describe('work hooks', () => {
  let base = '';
  let town = '';
  let wt = '';
  let id = '';
  let cleanup = (): void => {};
  const tmux = createTmux({ socket: SOCKET });
  const status = (): string => git(wt, ['status', '--porcelain', '--untracked-files=all']);

  beforeAll(() => {
    const t = tempDir('gt hooks');
    base = t.dir;
    cleanup = t.cleanup;
    town = join(base, 'town');
    gtJson(base, ['install', town]);
    addFakeAgent(town, base);
    sourceRepo(join(base, 'app src'), 'main', { 'a.txt': 'a\n' });
    gtJson(town, ['rig', 'add', 'app', join(base, 'app src')]);
    id = gtJson<{ id: string }>(town, ['bd', 'create', '--rig', 'app', 'Change a']).id;
    const r = gtJson<{ results: { worktree: string }[] }>(town, ['sling', id, 'app', '--agent', 'fake'], { env });
    wt = r.results[0]!.worktree;
  });
  afterAll(async () => {
    await tmux.killServer();
    cleanup();
  });

  it('snapshots uncommitted and untracked work to a hidden ref without touching the worktree or its index', () => {
    writeFileSync(join(wt, 'a.txt'), 'a\nchanged\n');
    writeFileSync(join(wt, 'new.txt'), 'brand new\n');
    git(wt, ['add', 'a.txt']);
    const before = status();
    const r = gtJson<{ status: string; snapshot: { ref: string; commit: string } }>(
      town,
      ['hook', 'snapshot', 'app/furiosa'],
      { env },
    );
    expect(r.status).toBe('saved');
    expect(r.snapshot.ref).toMatch(/^refs\/gt\/hooks\/furiosa\/\d+$/);
    expect(status()).toBe(before);
    const repo = join(town, 'app', '.repo.git');
    expect(git(repo, ['show', `${r.snapshot.ref}:new.txt`])).toBe('brand new\n');
    expect(git(repo, ['show', `${r.snapshot.ref}:a.txt`])).toBe('a\nchanged\n');
    expect(gtJson<{ status: string }>(town, ['hook', 'snapshot', 'furiosa'], { env }).status).toBe('unchanged');
    const hooks = gtJson<{ work: WorkHook[]; settings: unknown[] }>(town, ['hooks', 'list'], { env });
    expect(hooks.work[0]).toMatchObject({
      address: 'app/furiosa',
      state: 'working',
      bead: id,
      branch: `polecat/furiosa/${id}`,
      worktree_exists: true,
      last_snapshot: r.snapshot.ref,
    });
  });

  it('rolls the worktree back to the snapshot, saving the state it replaces', () => {
    writeFileSync(join(wt, 'a.txt'), 'a\nbroken\n');
    rmSync(join(wt, 'new.txt'));
    writeFileSync(join(wt, 'junk.txt'), 'junk\n');
    const r = gtJson<{ restored: string; saved_before: string }>(town, ['hook', 'rollback', 'app/furiosa'], { env });
    expect(readFileSync(join(wt, 'a.txt'), 'utf8')).toBe('a\nchanged\n');
    expect(readFileSync(join(wt, 'new.txt'), 'utf8')).toBe('brand new\n');
    expect(existsSync(join(wt, 'junk.txt'))).toBe(false);
    // The replaced state is itself a snapshot, so the rollback can be undone.
    gtJson(town, ['hook', 'rollback', 'app/furiosa', '--to', r.saved_before.split('/').pop()!], { env });
    expect(readFileSync(join(wt, 'junk.txt'), 'utf8')).toBe('junk\n');
    expectFailure(gt(town, ['hook', 'rollback', 'app/furiosa', '--to', '123'], { env }), 2, /has no snapshot "123"/);
  });

  it('restores a worktree deleted by hand from its branch and latest snapshot', () => {
    gtJson(town, ['hook', 'snapshot', 'app/furiosa'], { env });
    rmSync(wt, { recursive: true, force: true });
    expect(gtJson<{ work: WorkHook[] }>(town, ['hooks', 'list'], { env }).work[0]?.worktree_exists).toBe(false);
    const r = gtJson<{ work: { kind: string; subject: string; detail: string }[] }>(town, ['hooks', 'repair'], { env });
    expect(r.work.map((x) => x.kind)).toEqual(expect.arrayContaining(['pruned-worktree', 'recreated-worktree']));
    expect(r.work.find((x) => x.kind === 'recreated-worktree')?.detail).toMatch(
      /from branch polecat\/furiosa\/.* and snapshot/,
    );
    // The latest snapshot is the state the rollback test left: a.txt broken, junk.txt there, new.txt gone.
    expect(readFileSync(join(wt, 'a.txt'), 'utf8')).toBe('a\nbroken\n');
    expect(readFileSync(join(wt, 'junk.txt'), 'utf8')).toBe('junk\n');
    expect(existsSync(join(wt, 'new.txt'))).toBe(false);
    expect(git(wt, ['rev-parse', '--abbrev-ref', 'HEAD']).trim()).toBe(`polecat/furiosa/${id}`);
    expect(gtJson<{ work: unknown[] }>(town, ['hooks', 'repair'], { env }).work).toEqual([]);
  });

  it('puts a bead back on the queue when the polecat holding it vanished', () => {
    const other = gtJson<{ id: string }>(town, ['bd', 'create', '--rig', 'app', 'Orphan']).id;
    gtJson(town, ['bd', 'update', other, '--status', 'hooked', '--assignee', 'app/ghost']);
    const r = gtJson<{ work: { kind: string; subject: string }[] }>(town, ['hooks', 'repair'], { env });
    expect(r.work).toContainEqual(expect.objectContaining({ kind: 'requeued', subject: other }));
    const [shown] = gtJson<{ status: string; assignee?: string }[]>(town, ['bd', 'show', other]);
    expect(shown).toMatchObject({ status: 'open' });
    expect(shown!.assignee).toBeUndefined();
  });

  it('unslings, and gc never removes a worktree that holds work', async () => {
    const un = gtJson<{ bead: string; polecat: string; session_stopped: boolean }>(town, ['unsling', id], { env });
    expect(un).toMatchObject({ bead: id, polecat: 'app/furiosa', session_stopped: true });
    expect(await tmux.hasSession('app-furiosa')).toBe(false);
    const gc = gtJson<{ removed: string[]; kept: { address: string; reason: string }[] }>(town, ['polecat', 'gc'], {
      env,
    });
    expect(gc.removed).toEqual([]);
    expect(gc.kept[0]).toMatchObject({ address: 'app/furiosa', reason: expect.stringMatching(/uncommitted file/) });
    expectFailure(gt(town, ['polecat', 'remove', 'app/furiosa'], { env }), 1, /cannot be removed: its worktree holds/);
    // A commit not on main is work too.
    git(wt, ['add', '-A']);
    git(wt, ['-c', 'user.name=T', '-c', 'user.email=t@x', 'commit', '-qm', 'work']);
    expect(gtJson<{ kept: unknown[] }>(town, ['polecat', 'gc'], { env }).kept).toHaveLength(1);
    git(wt, ['reset', '-q', '--hard', 'main']);
    expect(gtJson<{ removed: string[] }>(town, ['polecat', 'gc'], { env }).removed).toEqual(['app/furiosa']);
    expect(existsSync(wt)).toBe(false);
    expect(gtJson<unknown[]>(town, ['polecat', 'list'], { env })).toEqual([]);
  });
});
