// The git wrapper's repository and worktree operations, against real git in a temp dir.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { git, gitTry } from './git.ts';
import { revParse } from './integrate.ts';
import {
  branchExists,
  cloneBare,
  commonGitDir,
  createInitialCommit,
  hasCommits,
  headBranch,
  headCommit,
  isTracked,
  placeInRepo,
  readFileAt,
} from './repo.ts';
import {
  addWorktree,
  checkoutRev,
  cleanCheckout,
  describeHeldWork,
  dropWorktree,
  heldWork,
  listWorktrees,
  pruneWorktrees,
  removeWorktree,
  uncommittedFiles,
} from './worktree.ts';

const base = mkdtempSync(join(tmpdir(), 'git wrapper '));
afterAll(() => rmSync(base, { recursive: true, force: true }));
const who = { name: 'T', email: 't@example.com' };

describe('where a directory sits in a repository', () => {
  it("names HEAD's commit, the shared git directory and the path below the top, and which files the index tracks", () => {
    const dir = join(base, 'place repo');
    git(base, ['init', '-q', '-b', 'main', dir]);
    expect(() => headCommit(dir)).toThrow(/rev-parse HEAD failed/);
    mkdirSync(join(dir, 'sub', 'deep'), { recursive: true });
    writeFileSync(join(dir, 'sub', 'deep', 'kept.txt'), 'k\n');
    writeFileSync(join(dir, 'sub', 'deep', 'loose.txt'), 'l\n');
    git(dir, ['add', 'sub/deep/kept.txt']);
    git(dir, ['-c', 'user.name=T', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'first']);
    expect(headCommit(join(dir, 'sub'))).toBe(revParse(dir, 'main'));

    const deep = join(dir, 'sub', 'deep');
    expect(placeInRepo(deep)).toEqual({ commonDir: join(dir, '.git'), prefix: 'sub/deep/' });
    expect(placeInRepo(dir)).toEqual({ commonDir: join(dir, '.git'), prefix: '' });
    expect([isTracked(deep, 'kept.txt'), isTracked(deep, 'loose.txt'), isTracked(dir, 'sub/deep/kept.txt')]).toEqual([
      true,
      false,
      true,
    ]);

    const linked = join(base, 'place linked');
    git(dir, ['worktree', 'add', '-q', '-b', 'side', linked]);
    expect(placeInRepo(join(linked, 'sub'))).toEqual({ commonDir: join(dir, '.git'), prefix: 'sub/' });
    const outside = join(base, 'not a repo');
    mkdirSync(outside);
    expect(placeInRepo(outside)).toBeUndefined();
    expect(isTracked(outside, 'x')).toBe(false);
  });
});

describe('bare repositories and worktrees', () => {
  it('gives an empty repository a first commit, then worktrees branch from it and report what they hold', () => {
    const src = join(base, 'src repo');
    git(base, ['init', '-q', '-b', 'trunk', src]);
    const bare = join(base, 'b.git');
    cloneBare(src, bare);
    expect(hasCommits(bare)).toBe(false);
    expect(headBranch(bare)).toBe('trunk');
    createInitialCommit(bare, 'trunk', who);
    expect(branchExists(bare, 'trunk')).toBe(true);

    const wt = join(base, 'work tree');
    addWorktree(bare, wt, 'feature/x', { newBranch: true, startPoint: 'trunk' });
    expect(listWorktrees(bare).find((w) => w.path === wt)).toMatchObject({ branch: 'feature/x', bare: false });
    expect(heldWork(wt, 'trunk')).toEqual({ uncommitted: [], unmerged: 0, unpushed: 0, stashes: 0 });

    writeFileSync(join(wt, 'a b.txt'), 'x');
    git(wt, ['add', '-A']);
    git(wt, ['-c', 'user.name=T', '-c', 'user.email=t@x', 'commit', '-qm', 'a']);
    writeFileSync(join(wt, 'c.txt'), 'y');
    const held = heldWork(wt, 'trunk');
    expect(held).toMatchObject({ uncommitted: ['c.txt'], unmerged: 1 });
    expect(describeHeldWork(held, 'trunk')).toBe('1 uncommitted file (c.txt), 1 commit not on trunk');
    expect(readFileAt(bare, 'feature/x', 'a b.txt')).toBe('x');
    expect(readFileAt(bare, 'trunk', 'a b.txt')).toBeUndefined();
    expect(() => removeWorktree(bare, wt)).toThrow(/GIT|contains modified or untracked files/);
  });

  it('reports an unreachable source in one line', () => {
    expect(() => cloneBare('file:///nonexistent/repo.git', join(base, 'x.git'))).toThrow(
      /^cannot clone file:\/\/\/nonexistent\/repo\.git: [^\n]+$/,
    );
  });

  it('restarts a branch in a new worktree (-B), removes one holding changes only when forced, and prunes a vanished one', () => {
    const src = join(base, 'src b');
    git(base, ['init', '-q', '-b', 'main', src]);
    const bare = join(base, 'b2.git');
    cloneBare(src, bare);
    const first = createInitialCommit(bare, 'main', who);
    const one = join(base, 'wt one');
    addWorktree(bare, one, 'polecat/x', { newBranch: true, startPoint: 'main' });
    writeFileSync(join(one, 'f.txt'), 'f');
    git(one, ['add', '-A']);
    git(one, ['-c', 'user.name=T', '-c', 'user.email=t@x', 'commit', '-qm', 'f']);
    expect(() =>
      addWorktree(bare, join(base, 'wt clash'), 'polecat/x', { newBranch: true, startPoint: 'main' }),
    ).toThrow(/^git worktree add .+ failed: .+/);
    writeFileSync(join(one, 'g.txt'), 'g');
    expect(() => removeWorktree(bare, one)).toThrow();
    removeWorktree(bare, one, { force: true });
    expect(existsSync(one)).toBe(false);

    const two = join(base, 'wt two');
    addWorktree(bare, two, 'polecat/x', { resetBranch: true, startPoint: first });
    expect(revParse(bare, 'refs/heads/polecat/x')).toBe(first);
    expect(commonGitDir(two)).toBe(bare);
    git(bare, ['worktree', 'lock', two]);
    rmSync(two, { recursive: true, force: true });
    expect(listWorktrees(bare).find((w) => w.path === two)).toMatchObject({ prunable: false });
    const three = join(base, 'wt three');
    addWorktree(bare, three, 'other', { newBranch: true, startPoint: first });
    rmSync(three, { recursive: true, force: true });
    expect(
      listWorktrees(bare)
        .filter((w) => w.prunable)
        .map((w) => w.path),
    ).toEqual([three]);
    pruneWorktrees(bare);
    expect(listWorktrees(bare).some((w) => w.path === two)).toBe(true);
    pruneWorktrees(bare, [two]);
    expect(listWorktrees(bare).some((w) => w.path === two)).toBe(false);
  });

  it('makes a work tree a clean checkout: aborts a rebase left by a crash, drops changes and untracked files', () => {
    const dir = join(base, 'clean repo');
    git(base, ['init', '-q', '-b', 'main', dir]);
    const c = (file: string, text: string): void => {
      writeFileSync(join(dir, file), text);
      git(dir, ['add', '-A']);
      git(dir, ['-c', 'user.name=T', '-c', 'user.email=t@x', 'commit', '-qm', file]);
    };
    c('a.txt', 'a\n');
    git(dir, ['checkout', '-q', '-b', 'topic']);
    c('a.txt', 'topic\n');
    git(dir, ['checkout', '-q', 'main']);
    c('a.txt', 'main\n');
    git(dir, ['checkout', '-q', 'topic']);
    expect(() => git(dir, ['-c', 'user.name=T', '-c', 'user.email=t@x', 'rebase', 'main'])).toThrow();
    writeFileSync(join(dir, 'stray.txt'), 's');
    cleanCheckout(dir, 'main', { attach: true });
    expect(headBranch(dir)).toBe('main');
    expect(git(dir, ['status', '--porcelain']).trim()).toBe('');
    expect(existsSync(join(dir, 'stray.txt'))).toBe(false);
    cleanCheckout(dir, 'topic');
    expect(headBranch(dir)).toBeUndefined();
    expect(revParse(dir, 'HEAD')).toBe(revParse(dir, 'topic'));
  });

  it('lists uncommitted files or says why git cannot read the tree, and drops a worktree with its branch', () => {
    const src = join(base, 'src c');
    git(base, ['init', '-q', '-b', 'main', src]);
    const bare = join(base, 'c.git');
    cloneBare(src, bare);
    createInitialCommit(bare, 'main', who);
    const wt = join(base, 'wt drop');
    addWorktree(bare, wt, 'polecat/d', { newBranch: true, startPoint: 'main' });
    writeFileSync(join(wt, 'u.txt'), 'u');
    expect(uncommittedFiles(wt)).toEqual({ ok: true, files: ['u.txt'] });
    const unreadable = uncommittedFiles(base);
    expect(unreadable.ok).toBe(false);
    if (!unreadable.ok) expect(unreadable.error).toMatch(/^fatal: not a git repository/);

    // Not forced: git refuses the untracked file, the directory goes anyway; the unmerged-check keeps nothing here.
    dropWorktree(bare, wt, 'polecat/d');
    expect(existsSync(wt)).toBe(false);
    expect(listWorktrees(bare).some((w) => w.path === wt)).toBe(false);
    expect(branchExists(bare, 'polecat/d')).toBe(false);

    const wt2 = join(base, 'wt drop 2');
    addWorktree(bare, wt2, 'polecat/e', { newBranch: true, startPoint: 'main' });
    writeFileSync(join(wt2, 'f.txt'), 'f');
    git(wt2, ['add', '-A']);
    git(wt2, ['-c', 'user.name=T', '-c', 'user.email=t@x', 'commit', '-qm', 'f']);
    dropWorktree(bare, wt2, 'polecat/e');
    expect(branchExists(bare, 'polecat/e')).toBe(true);
    dropWorktree(bare, wt2, 'polecat/e', { force: true });
    expect(branchExists(bare, 'polecat/e')).toBe(false);
  });
});

describe('checking out without discarding', () => {
  it('detaches and re-attaches a work tree, and refuses a branch whose checkout would overwrite local changes', () => {
    const dir = join(base, 'checkout repo');
    git(base, ['init', '-q', '-b', 'main', dir]);
    writeFileSync(join(dir, 'a.txt'), 'a\n');
    git(dir, ['add', '-A']);
    git(dir, ['-c', 'user.name=T', '-c', 'user.email=t@x', 'commit', '-qm', 'a']);
    git(dir, ['branch', 'other']);
    expect(checkoutRev(dir, { detach: true })).toBe(true);
    expect(gitTry(dir, ['symbolic-ref', '-q', 'HEAD']).status).not.toBe(0);
    expect(checkoutRev(dir, 'main')).toBe(true);
    expect(git(dir, ['symbolic-ref', '--short', 'HEAD']).trim()).toBe('main');
    // other changes a.txt; an uncommitted change to it stays, and the checkout is refused.
    git(dir, ['checkout', '-q', 'other']);
    writeFileSync(join(dir, 'a.txt'), 'other\n');
    git(dir, ['-c', 'user.name=T', '-c', 'user.email=t@x', 'commit', '-qam', 'other']);
    git(dir, ['checkout', '-q', 'main']);
    writeFileSync(join(dir, 'a.txt'), 'mine\n');
    expect(checkoutRev(dir, 'other')).toBe(false);
    expect(git(dir, ['symbolic-ref', '--short', 'HEAD']).trim()).toBe('main');
  });
});
