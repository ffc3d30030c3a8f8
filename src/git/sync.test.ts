// Remotes and delivery against real repositories: fetch and fast-forward from a remote (moved, diverged,
// unreachable), a fast-forward merge in a work tree, and delivering into a person's clone without touching their work.
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deliverToClone, operationInProgress } from './deliver.ts';
import { git } from './git.ts';
import { testRepos } from './test-repos.ts';
import { revParse } from './integrate.ts';
import {
  addRemote,
  cloneFrom,
  fetchFrom,
  isBareRepository,
  mergeFastForward,
  pushTo,
  remoteUrl,
  renameRemote,
  syncBranch,
} from './sync.ts';

const repos = testRepos('git sync ');
afterAll(() => repos.cleanup());
const { base, repo, commit } = repos;
let n = 0;
/** A bare clone of `src` with `src` as its origin, as a rig's repository is. */
function bareOf(src: string): string {
  const bare = join(base, `bare ${++n}.git`);
  git(base, ['clone', '-q', '--bare', src, bare]);
  return bare;
}

describe('remotes', () => {
  it('names, renames and adds remotes, and tells a bare repository from a work tree', () => {
    const src = repo();
    const bare = bareOf(src);
    expect(remoteUrl(bare)).toBe(src);
    expect(remoteUrl(src)).toBeUndefined();
    expect(isBareRepository(bare)).toBe(true);
    expect(isBareRepository(src)).toBe(false);
    renameRemote(bare, 'origin', 'rig');
    addRemote(bare, 'origin', 'https://example.invalid/x.git');
    expect([remoteUrl(bare, 'rig'), remoteUrl(bare)]).toEqual([src, 'https://example.invalid/x.git']);
  });

  it('fast-forwards a branch to what the remote gained, leaves a diverged one alone, and says when the remote is gone', () => {
    const src = repo();
    const bare = bareOf(src);
    const first = revParse(bare, 'main')!;
    expect(syncBranch(bare, 'origin', 'main', 'refs/gt/origin/main', 'test')).toEqual({
      state: 'up-to-date',
      ours: first,
      theirs: first,
    });

    const gained = commit(src, 'b.txt', 'b\n', 'pushed elsewhere');
    expect(syncBranch(bare, 'origin', 'main', 'refs/gt/origin/main', 'test')).toEqual({
      state: 'fast-forwarded',
      ours: first,
      theirs: gained,
    });
    expect(revParse(bare, 'main')).toBe(gained);

    // Origin rewritten: a commit of its own on the old tip, while the rig's main also moved.
    git(src, ['reset', '-q', '--hard', first]);
    const theirs = commit(src, 'c.txt', 'c\n', 'rewritten');
    const r = syncBranch(bare, 'origin', 'main', 'refs/gt/origin/main', 'test');
    expect(r).toEqual({ state: 'diverged', ours: gained, theirs });
    expect(revParse(bare, 'main')).toBe(gained);

    rmSync(src, { recursive: true, force: true });
    expect(syncBranch(bare, 'origin', 'main', 'refs/gt/origin/main', 'test')).toEqual({ state: 'unreachable' });
    const f = fetchFrom(bare, 'origin');
    expect(f.ok).toBe(false);
    if (!f.ok) expect(f.error).toMatch(/^fatal: .+$/);
  });

  it('fetches every branch into a prefix of its own, pruning the ones the remote deleted', () => {
    const src = repo();
    git(src, ['branch', 'gone']);
    const bare = bareOf(src);
    expect(fetchFrom(bare, 'origin', ['+refs/heads/*:refs/gt/origin/*'], { prune: true })).toEqual({ ok: true });
    expect(revParse(bare, 'refs/gt/origin/gone')).toBeDefined();
    git(src, ['branch', '-D', 'gone']);
    expect(fetchFrom(bare, 'origin', ['+refs/heads/*:refs/gt/origin/*'], { prune: true })).toEqual({ ok: true });
    expect(revParse(bare, 'refs/gt/origin/gone')).toBeUndefined();
  });

  it('merges fast-forward only in a work tree, and names why not', () => {
    const dir = repo();
    const first = revParse(dir, 'HEAD')!;
    git(dir, ['checkout', '-q', '-b', 'ahead']);
    const next = commit(dir, 'b.txt', 'b\n', 'next');
    git(dir, ['checkout', '-q', 'main']);
    expect(mergeFastForward(dir, next)).toEqual({ ok: true });
    expect(existsSync(join(dir, 'b.txt'))).toBe(true);
    git(dir, ['reset', '-q', '--hard', first]);
    commit(dir, 'c.txt', 'c\n', 'side');
    const m = mergeFastForward(dir, next);
    expect(m.ok).toBe(false);
    if (!m.ok) expect(m.error).toMatch(/fast-forward/i);
  });
});

describe('clone from and push to a remote', () => {
  it('clones a remote on a branch, with the environment given reaching git, and says why a clone failed', () => {
    const src = repo();
    git(src, ['branch', 'work']);
    const work = commit(src, 'w.txt', 'w\n', 'on main after work forked');
    git(src, ['branch', '-f', 'work', work]);
    git(src, ['reset', '-q', '--hard', 'HEAD~1']);
    const bare = bareOf(src);
    const url = `file://${bare}`;
    const dest = join(base, `clone ${++n}`);
    expect(cloneFrom(url, dest, { branch: 'work' })).toEqual({ ok: true });
    expect([git(dest, ['symbolic-ref', '--short', 'HEAD']).trim(), revParse(dest, 'HEAD')]).toEqual(['work', work]);

    const missing = cloneFrom(url, join(base, `clone ${++n}`), { branch: 'nope' });
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.output).toMatch(/nope/);
    // The environment is git's: a protocol it forbids makes the clone fail.
    const refused = cloneFrom(url, join(base, `clone ${++n}`), { env: { GIT_ALLOW_PROTOCOL: 'ssh' } });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.output).toMatch(/transport 'file' not allowed/);
  });

  it('pushes a refspec, refuses a rewrite unless forced, and pushes any ref name', () => {
    const src = repo();
    const bare = bareOf(src);
    expect(pushTo(src, bare, 'HEAD:refs/heads/topic')).toEqual({ ok: true });
    const ahead = commit(src, 'b.txt', 'b\n', 'ahead');
    expect(pushTo(src, bare, 'HEAD:refs/heads/topic')).toEqual({ ok: true });
    git(src, ['reset', '-q', '--hard', 'HEAD~1']);
    const other = commit(src, 'c.txt', 'c\n', 'rewritten');
    const refused = pushTo(src, bare, 'HEAD:refs/heads/topic');
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.output).toMatch(/rejected/);
    expect(revParse(bare, 'topic')).toBe(ahead);
    expect(pushTo(src, bare, 'HEAD:refs/heads/topic', { force: true })).toEqual({ ok: true });
    expect(revParse(bare, 'topic')).toBe(other);
    expect(pushTo(src, bare, `${ahead}:refs/gt/hooks/x/1`)).toEqual({ ok: true });
    expect(revParse(bare, 'refs/gt/hooks/x/1')).toBe(ahead);
  });
});

describe('delivering into a clone', () => {
  /** A person's clone `src`, and the rig's bare repository made from it holding one new commit on main. */
  function setup(): { src: string; bare: string; landed: string } {
    const src = repo();
    const bare = bareOf(src);
    const wt = join(base, `rig wt ${n}`);
    git(bare, ['worktree', 'add', '-q', '--detach', wt, 'main']);
    const landed = commit(wt, 'landed.txt', 'l\n', 'landed');
    git(bare, ['update-ref', 'refs/heads/main', landed]);
    return { src, bare, landed };
  }

  it('moves the checked-out branch of a clean clone (files included), and leaves no side branch', () => {
    const { src, bare, landed } = setup();
    expect(deliverToClone(bare, src, 'main', landed, 'gt/main')).toEqual({ ok: true, ref: 'main' });
    expect(revParse(src, 'main')).toBe(landed);
    expect(existsSync(join(src, 'landed.txt'))).toBe(true);
  });

  it('puts the work on the side branch when the clone has uncommitted changes or a merge under way, and never touches them', () => {
    const { src, bare, landed } = setup();
    const before = revParse(src, 'main');
    writeFileSync(join(src, 'a.txt'), 'mine\n');
    expect(deliverToClone(bare, src, 'main', landed, 'gt/main')).toEqual({
      ok: true,
      ref: 'gt/main',
      kept: { why: 'dirty', wt: src },
    });
    expect(revParse(src, 'main')).toBe(before);
    expect(revParse(src, 'gt/main')).toBe(landed);
    expect(git(src, ['status', '--porcelain']).trim()).toBe('M a.txt');

    git(src, ['checkout', '-q', '--', 'a.txt']);
    writeFileSync(join(src, '.git', 'MERGE_HEAD'), `${before}\n`);
    expect(operationInProgress(src)).toBe(true);
    expect(deliverToClone(bare, src, 'main', landed, 'gt/main')).toMatchObject({
      ok: true,
      ref: 'gt/main',
      kept: { why: 'busy' },
    });
    rmSync(join(src, '.git', 'MERGE_HEAD'));

    // Caught up: the branch moves and the side branch it now contains is removed.
    expect(deliverToClone(bare, src, 'main', landed, 'gt/main')).toEqual({ ok: true, ref: 'main' });
    expect(revParse(src, 'refs/heads/gt/main')).toBeUndefined();
  });

  it('keeps a clone branch with commits of its own, and says when the clone is gone', () => {
    const { src, bare, landed } = setup();
    const own = commit(src, 'own.txt', 'o\n', 'own work');
    expect(deliverToClone(bare, src, 'main', landed, 'gt/main')).toEqual({
      ok: true,
      ref: 'gt/main',
      kept: { why: 'diverged' },
    });
    expect(revParse(src, 'main')).toBe(own);
    expect(deliverToClone(bare, join(base, 'nowhere'), 'main', landed, 'gt/main')).toEqual({
      ok: false,
      reason: 'not-a-repository',
    });
  });

  it('moves a branch nobody has checked out by pushing to it', () => {
    const { src, bare, landed } = setup();
    git(src, ['checkout', '-q', '--detach']);
    expect(deliverToClone(bare, src, 'main', landed, 'gt/main')).toEqual({ ok: true, ref: 'main' });
    expect(revParse(src, 'refs/heads/main')).toBe(landed);
  });
});
